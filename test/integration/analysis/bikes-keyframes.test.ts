import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeFrames, AppearanceEmbedder } from '../../../src/main/analysis/index.ts';
import { DenseFlowEstimator } from '../../../src/shared/vision/dense-flow.ts';
import {
  DEFAULT_SELECTION,
  deserialiseFrameSignals,
  selectKeyframes,
  serialiseFrameSignals,
} from '../../../src/shared/keyframes/index.ts';
import type { FrameSignals } from '../../../src/shared/keyframes/index.ts';
import type { RgbFrame } from '../../../src/shared/engine/frame.ts';
import { M3cError } from '../../../src/shared/engine/errors.ts';
import { HAS_MEDIA, mediaPath } from '../../helpers/media.ts';
import { decodeFrames } from '../../../src/main/media/index.ts';

/**
 * Hard cuts of bikes.mp4 decoded at 8 fps (scaled to cover 512x320, centre crop), as frame indices of that
 * decode: the first frame of each new shot. Identified once by eye on a contact sheet of all 80 frames (ffmpeg
 * drawtext with the frame number + tile=10x8, viewed as a PNG): 9|10 brick on a white strip -> man in a suit
 * before parked cars; 23|24 taxi roof -> cyclist behind a taxi; 43|44 cyclist -> railing over a square;
 * 59|60 railing -> legs walking past parked bicycles; 76|77 bollards -> close-up of a bicycle wheel.
 * Frames 26-33 (a car crossing in front of the cyclist) are one shot, not a cut.
 */
const CUTS = [10, 24, 44, 60, 77];

async function* iterate(frames: readonly RgbFrame[]): AsyncIterable<RgbFrame> {
  yield* frames;
}

describe.skipIf(!HAS_MEDIA)('keyframe selection on bikes.mp4 (512x320, 8 fps)', () => {
  let frames: RgbFrame[];
  let signals: FrameSignals;
  const progress: number[] = [];

  beforeAll(async () => {
    frames = [];
    for await (const f of decodeFrames(mediaPath('video', 'bikes.mp4'), { width: 512, height: 320, fpsNum: 8, fpsDen: 1 })) {
      frames.push(f);
    }
    signals = await analyzeFrames(iterate(frames), {
      embedder: new AppearanceEmbedder(),
      flow: new DenseFlowEstimator(),
      onProgress: (n) => progress.push(n),
    });
  });

  it('analyses every frame once, with progress', () => {
    expect(frames.length).toBe(80);
    expect(signals.frameCount).toBe(80);
    expect(progress).toEqual(Array.from({ length: 80 }, (_, i) => i + 1));
    expect(signals.embedderId).toBe('appearance-hist-v1');
    expect(signals.flow.subarray(0, signals.gridWidth * signals.gridHeight * 2).every((v) => v === 0)).toBe(true);
  });

  it('catches every hard cut with the default parameters', () => {
    const { keyframes } = selectKeyframes(signals, DEFAULT_SELECTION);
    for (const cut of CUTS) {
      expect(keyframes.some((k) => k >= cut && k <= cut + 1), `cut at ${cut} in ${keyframes}`).toBe(true);
    }
    // Six shots, all shorter than maxClip: a few extra keyframes for strong motion inside shots are expected,
    // not one every few frames.
    expect(keyframes.length).toBeLessThanOrEqual(2 * (CUTS.length + 1));
    expect(keyframes[0]).toBe(0);
  });

  it('is re-selected from stored signals alone, with the same result', () => {
    const back = deserialiseFrameSignals(serialiseFrameSignals(signals));
    expect(selectKeyframes(back, DEFAULT_SELECTION).keyframes).toEqual(selectKeyframes(signals, DEFAULT_SELECTION).keyframes);
  });

  it('semantic distance at a cut exceeds the drift inside its shot', () => {
    const { trace } = selectKeyframes(signals, { ...DEFAULT_SELECTION, strategy: 'semantic', threshold: 1e9, maxClip: undefined });
    // With no keyframe after 0, the semantic trace is the distance to frame 0; inside the first shot it stays small.
    const firstShot = Math.max(...trace.semantic.subarray(1, CUTS[0]));
    expect(trace.semantic[CUTS[0]]).toBeGreaterThan(5 * firstShot);
  });

  it('stops with a cancelled error when aborted', async () => {
    const controller = new AbortController();
    const run = analyzeFrames(iterate(frames.slice(0, 6)), {
      embedder: new AppearanceEmbedder(),
      flow: new DenseFlowEstimator(),
      signal: controller.signal,
      onProgress: (n) => {
        if (n === 2) controller.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ code: 'cancelled' });
  });

  it('refuses an empty video and frames of mixed sizes', async () => {
    const opts = { embedder: new AppearanceEmbedder(), flow: new DenseFlowEstimator() };
    await expect(analyzeFrames(iterate([]), opts)).rejects.toBeInstanceOf(M3cError);
    const small: RgbFrame = { width: 64, height: 40, data: new Uint8Array(64 * 40 * 3) };
    await expect(analyzeFrames(iterate([frames[0], small]), opts)).rejects.toMatchObject({ code: 'input' });
  });
});
