/** The studio's own settings (LMM endpoint, default working geometry), kept as JSON in the projects folder. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Geometry } from '../../shared/engine/frame.ts';
import { M3cError } from '../../shared/engine/errors.ts';
import { DEFAULT_GEOMETRY } from '../pipeline/engine.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';

export interface StoredSettings {
  readonly lmm: { readonly baseUrl: string | null; readonly model: string | null; readonly apiKey: string | null };
  readonly geometry: Geometry;
}

export const SETTINGS_FILE = 'studio-settings.json';

export function defaultSettings(): StoredSettings {
  return { lmm: { baseUrl: null, model: null, apiKey: null }, geometry: DEFAULT_GEOMETRY };
}

export function readSettings(projectsDir: string): StoredSettings {
  const file = path.join(projectsDir, SETTINGS_FILE);
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch {
    return defaultSettings();
  }
  try {
    const j = JSON.parse(raw) as Partial<StoredSettings>;
    const d = defaultSettings();
    return { lmm: { ...d.lmm, ...(j.lmm ?? {}) }, geometry: j.geometry ?? d.geometry };
  } catch {
    throw new M3cError('store', `${file} is not valid JSON: fix or delete it`);
  }
}

export async function writeSettings(projectsDir: string, s: StoredSettings): Promise<void> {
  await writeFileAtomic(path.join(projectsDir, SETTINGS_FILE), new TextEncoder().encode(JSON.stringify(s, null, 2)));
}
