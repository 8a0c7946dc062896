/**
 * A guided encode reads its guide's proxies beside the analysis (pipeline/encode.ts): the two decodes of the
 * source overlap, and a cancel during the analysis stops both (real ffmpeg, carphone.mp4).
 */
import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../../src/main/pipeline/engine.ts';
import { encodeVideo } from '../../../src/main/pipeline/encode.ts';
import { DEFAULT_SELECTION } from '../../../src/shared/keyframes/index.ts';
import { mediaPath } from '../../helpers/media.ts';

const G = { width: 256, height: 160, fpsNum: 8, fpsDen: 1 };
const CARPHONE = mediaPath('video', 'carphone.mp4');
const engine = createEngine({ keyframeCodec: 'classical' });
afterAll(() => engine.dispose());

/** ffmpeg processes that are children of this process right now. */
function ffmpegChildren(): number {
  try {
    return execFileSync('ps', ['-o', 'comm=', '--ppid', String(process.pid)], { encoding: 'utf8' }).split('\n').filter((l) => l.trim() === 'ffmpeg').length;
  } catch {
    return 0;
  }
}

describe('the guide\'s proxies beside the analysis', () => {
  it('are read while the analysis runs, and the encode keeps to its budget', async () => {
    const stages: string[] = [];
    const enc = await encodeVideo(engine, CARPHONE, { geometry: G, selection: DEFAULT_SELECTION, mode: 'guided', targetKbps: 3, onProgress: (e) => stages.push(e.stage) });
    const lastAnalysis = stages.lastIndexOf('analysis');
    const firstProxies = stages.indexOf('guide frames');
    expect(firstProxies).toBeGreaterThanOrEqual(0);
    expect(firstProxies).toBeLessThan(lastAnalysis);
    expect(enc.bytes).toBeLessThanOrEqual((3000 * enc.durationSec) / 8);
    // The proxies' wait is what was left of them once the analysis ended.
    expect(enc.timings['guide-frames']).toBeLessThan(enc.timings.analysis + 1000);
  }, 120_000);

  it('a cancel during the analysis stops the proxies\' reading and its ffmpeg too', async () => {
    const ac = new AbortController();
    let proxyEvents = 0;
    const onProgress = (e: { stage: string; done: number }): void => {
      if (e.stage === 'guide frames') proxyEvents++;
      if (e.stage === 'analysis' && e.done > 0) ac.abort();
    };
    // bikes: 80 frames, so the proxies (a progress event every 16 frames) are far from done when the cancel comes.
    const run = encodeVideo(engine, mediaPath('video', 'bikes.mp4'), { geometry: G, selection: DEFAULT_SELECTION, mode: 'guided', targetKbps: 3, signal: ac.signal, onProgress });
    await expect(run).rejects.toMatchObject({ code: 'cancelled' });
    const atCancel = proxyEvents;
    expect(atCancel).toBeLessThan(5);
    const t0 = Date.now();
    while (ffmpegChildren() > 0 && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 100));
    expect(ffmpegChildren()).toBe(0);
    await new Promise((r) => setTimeout(r, 1500));
    expect(proxyEvents).toBe(atCancel);
  }, 60_000);
});
