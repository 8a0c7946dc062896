/**
 * Before schema 4 the studio kept each decode's comparison in `encodes/encode-<id>.compare.json` (the
 * decoder's result as JSON, where Infinity became null). Opening a projects folder moves those files into
 * the decodes table: the rows of every readable file are inserted in one transaction, and only after it
 * commits are the files removed, so a crash in between loses nothing and the next open removes the
 * leftovers. A file that cannot be read or parsed stays where it is and does not stop the studio.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import type { ProjectLayout } from './layout.ts';
import type { Store } from './store.ts';
import type { EncodeRecord, NewDecode } from './types.ts';

export interface MovedComparisons {
  readonly imported: number;
  /** Files left in place, with why. */
  readonly skipped: readonly { readonly file: string; readonly reason: string }[];
}

function numbers(v: unknown, length: number, nullIs: number, what: string): number[] {
  if (!Array.isArray(v) || v.length !== length) throw new Error(`${what} is not a list of ${length} values`);
  return v.map((x) => {
    if (x === null) return nullIs;
    if (typeof x !== 'number') throw new Error(`${what} holds ${JSON.stringify(x)}, not a number`);
    return x;
  });
}

/** The old file's decode, or an Error that says what is wrong with it. */
function parseComparison(text: string, e: EncodeRecord, layout: ProjectLayout): NewDecode {
  const j = JSON.parse(text) as Record<string, unknown> | null;
  if (typeof j !== 'object' || j === null) throw new Error('not a JSON object');
  const frames = j.frames;
  if (typeof frames !== 'number' || !Number.isSafeInteger(frames) || frames < 0) throw new Error('frames is not a frame count');
  // A null PSNR was an identical frame (Infinity); MS-SSIM is never infinite, so its null was NaN.
  const [meanPsnr] = numbers([j.meanPsnr], 1, Infinity, 'meanPsnr');
  const [meanMsssim] = numbers([j.meanMsssim], 1, NaN, 'meanMsssim');
  if (Number.isNaN(meanMsssim)) throw new Error('meanMsssim is not a number');
  return {
    encodeId: e.id,
    frames,
    psnr: numbers(j.psnr, frames, Infinity, 'psnr'),
    msssim: numbers(j.msssim, frames, NaN, 'msssim'),
    meanPsnr,
    meanMsssim,
    reconPath: layout.reconstructionName(e.id),
  };
}

/** Moves every old comparison file of a finished encode into the decodes table; running it again does nothing. */
export function moveComparisonsIn(store: Store, layout: ProjectLayout): MovedComparisons {
  const skipped: { file: string; reason: string }[] = [];
  const found: { file: string; decode: NewDecode | null }[] = [];
  for (const e of store.listEncodes({ status: 'done' })) {
    const file = layout.legacyComparisonFile(e.projectId, e.id);
    if (!existsSync(file)) continue;
    // One already in the table (moved before a crash, or a newer decode): the file is a leftover.
    if (store.getDecode(e.id)) {
      found.push({ file, decode: null });
      continue;
    }
    try {
      found.push({ file, decode: parseComparison(readFileSync(file, 'utf8'), e, layout) });
    } catch (err) {
      skipped.push({ file, reason: (err as Error).message });
    }
  }
  let imported = 0;
  store.transaction(() => {
    for (const { decode } of found) {
      // Another process opening the folder at the same time may have moved it first.
      if (decode && !store.getDecode(decode.encodeId)) {
        store.saveDecode(decode);
        imported++;
      }
    }
  });
  for (const { file } of found) {
    try {
      rmSync(file, { force: true });
    } catch {
      // Its numbers are in the table; the next open tries again.
    }
  }
  return { imported, skipped };
}
