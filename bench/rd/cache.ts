/**
 * The point cache of `m3c bench rd`: every computed point (an anchor trial or one of our operating
 * points) is one small JSON file under <out>/cache/, named by the SHA-256 of its key. The key holds
 * the preprocessed clip (SHA-256 of the clip file plus the frame limit) and the configuration with
 * the versions that matter (product version, ffmpeg version line). A rerun loads what is there; a
 * cancelled run leaves every completed entry usable. Writes go through a temporary file and a rename.
 */
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../../src/main/util/atomic-write.ts';

/** JSON with object keys sorted, so that equal keys hash equally whatever their construction order. */
export function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${stableJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

export async function fileSha256(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** The product version (package.json), part of every key. */
export const PRODUCT_VERSION: string = (JSON.parse(readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../package.json'), 'utf8')) as { version: string }).version;

export interface PointCache {
  /** The cached value for `key`, or undefined (no entry, unreadable entry or a different key). */
  get<T>(kind: string, key: unknown): Promise<T | undefined>;
  put(kind: string, key: unknown, value: unknown): Promise<void>;
  readonly stats: { hits: number; writes: number };
}

/** A cache in `dir` (created on the first write); without `dir`, one that never hits nor writes. */
export function openPointCache(dir: string | undefined): PointCache {
  const stats = { hits: 0, writes: 0 };
  const fileOf = (kind: string, key: unknown): { file: string; json: string } => {
    const json = stableJson(key);
    return { file: path.join(dir ?? '', `${kind}-${sha256(`${kind}\n${json}`).slice(0, 32)}.json`), json };
  };
  return {
    stats,
    async get<T>(kind: string, key: unknown): Promise<T | undefined> {
      if (dir === undefined) return undefined;
      const { file, json } = fileOf(kind, key);
      let entry: { key: unknown; value: T };
      try {
        entry = JSON.parse(await readFile(file, 'utf8')) as { key: unknown; value: T };
      } catch {
        return undefined;
      }
      if (stableJson(entry.key) !== json || entry.value === undefined) return undefined;
      stats.hits++;
      return entry.value;
    },
    async put(kind: string, key: unknown, value: unknown): Promise<void> {
      if (dir === undefined) return;
      await mkdir(dir, { recursive: true });
      const { file } = fileOf(kind, key);
      await writeFileAtomic(file, new TextEncoder().encode(JSON.stringify({ key, value }) + '\n'));
      stats.writes++;
    },
  };
}
