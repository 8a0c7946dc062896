import { MAX_JSON_INPUT_BYTES, readInputFile } from '../util/input-file.ts';
import { M3cError } from '../../shared/engine/errors.ts';
import type { ItemDescriptions } from '../../shared/engine/interfaces.ts';

/**
 * Descriptions supplied by the user as JSON (until or instead of the LMM dialogue):
 *
 *   { "items": [ { "frame": 0, "keyframe": "A man ...", "clip": "He walks ..." }, ... ],
 *     "default": { "keyframe": "", "clip": "" } }
 *
 * An item with `frame` applies to the clip that contains that frame (index at the working fps);
 * items without `frame` apply to clips in order. Clips without an item get `default` (or empty texts).
 */
export interface DescriptionsFile {
  readonly items: ReadonlyArray<{ frame?: number; keyframe?: string; clip?: string }>;
  readonly default?: { keyframe?: string; clip?: string };
}

export async function readDescriptionsFile(path: string): Promise<DescriptionsFile> {
  let raw: string;
  try {
    raw = new TextDecoder().decode(await readInputFile(path, MAX_JSON_INPUT_BYTES, 'descriptions file'));
  } catch (e) {
    if (e instanceof M3cError) throw e;
    throw new M3cError('input', `cannot read descriptions file ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new M3cError('input', `descriptions file ${path} is not valid JSON`);
  }
  return validateDescriptions(json, path);
}

function isText(v: unknown): v is string | undefined {
  return v === undefined || typeof v === 'string';
}

export function validateDescriptions(json: unknown, label = 'descriptions'): DescriptionsFile {
  const bad = (why: string): never => {
    throw new M3cError('input', `${label}: ${why} (expected {"items": [{"frame"?, "keyframe", "clip"}], "default"?})`);
  };
  if (typeof json !== 'object' || json === null || Array.isArray(json)) bad('not a JSON object');
  const obj = json as Record<string, unknown>;
  const items = obj.items ?? [];
  if (!Array.isArray(items)) bad('"items" is not an array');
  for (const [i, it] of (items as unknown[]).entries()) {
    if (typeof it !== 'object' || it === null) bad(`item ${i} is not an object`);
    const item = it as Record<string, unknown>;
    if (item.frame !== undefined && (!Number.isInteger(item.frame) || (item.frame as number) < 0)) bad(`item ${i}: "frame" must be a non-negative integer`);
    if (!isText(item.keyframe) || !isText(item.clip)) bad(`item ${i}: "keyframe" and "clip" must be strings`);
  }
  const def = obj.default;
  if (def !== undefined) {
    if (typeof def !== 'object' || def === null) bad('"default" is not an object');
    const d = def as Record<string, unknown>;
    if (!isText(d.keyframe) || !isText(d.clip)) bad('"default": "keyframe" and "clip" must be strings');
  }
  return { items: items as DescriptionsFile['items'], default: def as DescriptionsFile['default'] };
}

/** Texts for each clip, given the keyframe indices (clip i starts at keyframes[i]). */
export function assignDescriptions(file: DescriptionsFile | undefined, keyframes: readonly number[], frameCount: number): ItemDescriptions[] {
  const out: ItemDescriptions[] = keyframes.map(() => ({ keyframe: file?.default?.keyframe ?? '', clip: file?.default?.clip ?? '' }));
  if (!file) return out;
  let next = 0;
  for (const item of file.items) {
    let clip: number;
    if (item.frame !== undefined) {
      if (item.frame >= frameCount) continue;
      clip = clipOfFrame(keyframes, item.frame);
    } else {
      clip = next;
    }
    next = clip + 1;
    if (clip >= out.length) continue;
    out[clip] = { keyframe: item.keyframe ?? out[clip].keyframe, clip: item.clip ?? out[clip].clip };
  }
  return out;
}

export function clipOfFrame(keyframes: readonly number[], frame: number): number {
  let lo = 0;
  let hi = keyframes.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (keyframes[mid] <= frame) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Where clip `index` of the selection ends (exclusive): the next keyframe, or the end of the video. */
export function clipEnd(keyframes: readonly number[], index: number, frameCount: number): number {
  return keyframes[index + 1] ?? frameCount;
}

/** A stored text and the item it was written for: a keyframe by its frame, a clip by its span [frame, end). */
export interface PinnedText {
  readonly kind: 'keyframe' | 'clip';
  readonly frame: number;
  /** End of a clip's span (exclusive); null for a keyframe, and for a clip text stored before spans were (it goes with the clip that starts at its frame). */
  readonly end: number | null;
  readonly text: string;
}

/** Whether the item a text was written for is in the selection as such; a text that is not is stale. */
export function isCurrent(text: PinnedText, keyframes: readonly number[], frameCount: number): boolean {
  const i = clipOfFrame(keyframes, text.frame);
  if (keyframes[i] !== text.frame || text.frame >= frameCount) return false;
  return text.kind === 'keyframe' || text.end === null || text.end === clipEnd(keyframes, i, frameCount);
}

/** The current texts as a descriptions file: one item per keyframe, holding only the texts it has (a missing one stays absent). */
export function currentDescriptions(texts: readonly PinnedText[], keyframes: readonly number[], frameCount: number): DescriptionsFile {
  const byFrame = new Map<number, { frame: number; keyframe?: string; clip?: string }>();
  for (const t of texts) {
    if (isCurrent(t, keyframes, frameCount)) byFrame.set(t.frame, { ...(byFrame.get(t.frame) ?? { frame: t.frame }), [t.kind]: t.text });
  }
  return { items: [...byFrame.values()].sort((a, b) => a.frame - b.frame) };
}
