/**
 * `m3c bench rd` cache, resume and cancellation through the API, on the first 8 frames of
 * carphone.mp4 with the quick points: a run aborted after its first point rejects as cancelled and
 * leaves that point in the cache; the rerun resumes (computes only the rest); a third run computes
 * nothing and gives the same results, much faster.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runRd, type RdProgress, type RdReport } from '../../../bench/rd/run.ts';
import { mediaPath } from '../../helpers/media.ts';

const CLIP = mediaPath('video', 'carphone.mp4');
const FRAMES = 8;
const dir = mkdtempSync(path.join(os.tmpdir(), 'm3c-rd-cache-'));
const cacheDir = path.join(dir, 'cache');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const pointFiles = (): string[] => readdirSync(cacheDir).filter((f) => /^(anchor|classical|ours)-[0-9a-f]+\.json$/.test(f));
const results = (r: RdReport): unknown => r.clips.map((c) => ({ frames: c.frames, lossless: c.preprocessLossless, anchor: c.anchor, ours: c.ours, bd: c.bd }));

describe('bench rd cache', () => {
  it('cancels after the first point, resumes, then computes nothing and gives the same results', async () => {
    const controller = new AbortController();
    const seen: RdProgress[] = [];
    const first = runRd({
      clips: [CLIP],
      points: 'quick',
      maxFrames: FRAMES,
      cacheDir,
      signal: controller.signal,
      onProgress: (p) => {
        seen.push(p);
        if (p.done === 1) controller.abort();
      },
    });
    const err = await first.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'cancelled' });
    const points = seen.filter((p) => p.done > 0);
    expect(points).toHaveLength(1);
    expect(points[0].total).toBe(12); // 4 anchor trials, 3 full-size codecs x 2, 2 of ours
    expect(Number.isFinite(points[0].etaSec)).toBe(true);
    expect(pointFiles()).toHaveLength(1);

    const progress: RdProgress[] = [];
    const resumed = await runRd({ clips: [CLIP], points: 'quick', maxFrames: FRAMES, cacheDir, onProgress: (p) => progress.push(p) });
    expect(resumed.cache).toMatchObject({ hits: 2, computed: 11 }); // the first point and the clip's facts
    expect(progress.at(-1)).toMatchObject({ done: 12, total: 12 });
    expect(progress.filter((p) => /\(cached\)/.test(p.label))).toHaveLength(1);
    expect(pointFiles()).toHaveLength(12);

    const t0 = performance.now();
    const again = await runRd({ clips: [CLIP], points: 'quick', maxFrames: FRAMES, cacheDir });
    const againMs = performance.now() - t0;
    expect(again.cache).toMatchObject({ computed: 0, hits: 13 });
    expect(results(again)).toEqual(results(resumed));
    expect(againMs).toBeLessThan(resumed.wallMs / 3);
  }, 180_000);
});
