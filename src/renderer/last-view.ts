/** The project, video and section open when the page was left, so a reload (or the next launch) comes back to them. */
import type { Section } from './context.tsx';

export interface LastView {
  readonly projectId: number | null;
  readonly sourceId: number | null;
  readonly section: Section;
}

const STORAGE_KEY = 'm3c-last-view';
const SECTIONS: readonly Section[] = ['projects', 'timeline', 'dialogue', 'jobs', 'compare', 'settings'];

const idOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isSafeInteger(v) && v > 0 ? v : null);

/** What was saved, or null when nothing (or nothing readable) was. */
export function readLastView(storage: Pick<Storage, 'getItem'> | null): LastView | null {
  let raw: unknown;
  try {
    raw = JSON.parse(storage?.getItem(STORAGE_KEY) ?? 'null');
  } catch {
    return null;
  }
  if (typeof raw !== 'object' || raw === null) return null;
  const o = raw as Record<string, unknown>;
  const section = SECTIONS.includes(o.section as Section) ? (o.section as Section) : 'projects';
  const projectId = idOrNull(o.projectId);
  return { projectId, sourceId: projectId === null ? null : idOrNull(o.sourceId), section };
}

export function saveLastView(storage: Pick<Storage, 'setItem'> | null, view: LastView): void {
  try {
    storage?.setItem(STORAGE_KEY, JSON.stringify(view));
  } catch {
    // A full or disabled storage only loses the convenience.
  }
}
