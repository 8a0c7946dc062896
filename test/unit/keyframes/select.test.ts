import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SELECTION,
  FlowComposer,
  deserialiseFrameSignals,
  estimateBitrate,
  flowFieldToGrid,
  makeFrameSignals,
  selectKeyframes,
  serialiseFrameSignals,
} from '../../../src/shared/keyframes/index.ts';
import type { FrameSignals, SelectionParams } from '../../../src/shared/keyframes/index.ts';
import { M3cError } from '../../../src/shared/engine/errors.ts';

const GW = 8;
const GH = 5;

/** Unit vector along axis `axis` of a small embedding space: frames with different axes are orthogonal. */
function onehot(dim: number, axis: number): Float32Array {
  const v = new Float32Array(dim);
  v[axis] = 1;
  return v;
}

/** Signals from explicit per-frame embeddings and a constant per-frame translation (fractions of the diagonal). */
function signalsOf(embeddings: Float32Array[], steps: [number, number][] = []): FrameSignals {
  const dim = embeddings[0]?.length ?? 4;
  const emb = new Float32Array(embeddings.length * dim);
  embeddings.forEach((e, i) => emb.set(e, i * dim));
  const per = GW * GH * 2;
  const flow = new Float32Array(embeddings.length * per);
  for (let n = 1; n < embeddings.length; n++) {
    const [a, b] = steps[n] ?? [0, 0];
    for (let k = 0; k < per; k += 2) {
      flow[n * per + k] = a;
      flow[n * per + k + 1] = b;
    }
  }
  return makeFrameSignals({
    frameWidth: 512,
    frameHeight: 320,
    embedderId: 'test',
    flowId: 'test',
    embeddingDim: dim,
    embeddings: emb,
    gridWidth: GW,
    gridHeight: GH,
    flow,
  });
}

/** `count` identical frames, with scene changes (new orthogonal embedding) starting at `cuts`. */
function scenes(count: number, cuts: number[]): FrameSignals {
  const frames: Float32Array[] = [];
  let scene = 0;
  for (let n = 0; n < count; n++) {
    if (cuts.includes(n)) scene++;
    frames.push(onehot(8, scene));
  }
  return signalsOf(frames);
}

const PLAIN: SelectionParams = {
  strategy: 'motion-semantic',
  lambda1: 1,
  lambda2: 1,
  threshold: 0.5,
  fixedInterval: 10,
};

describe('selectKeyframes: the decision function', () => {
  it('computes D = λ1(1 − cos) + λ2·motion − D_th against the last keyframe', () => {
    // Frame 1 is at 60° from frame 0 (cos 0.5) and moved 0.1 of the diagonal.
    const e0 = new Float32Array([1, 0, 0, 0]);
    const e1 = new Float32Array([0.5, Math.sqrt(3) / 2, 0, 0]);
    const s = signalsOf([e0, e1], [[0, 0], [0.06, 0.08]]);
    const r = selectKeyframes(s, { ...PLAIN, lambda1: 2, lambda2: 3, threshold: 0.7 });
    expect(r.trace.semantic[1]).toBeCloseTo(0.5, 6);
    expect(r.trace.motion[1]).toBeCloseTo(0.1, 6);
    expect(r.trace.d[1]).toBeCloseTo(2 * 0.5 + 3 * 0.1 - 0.7, 5);
    expect(r.keyframes).toEqual([0, 1]);
    // Raising the threshold just above D keeps frame 1 out.
    expect(selectKeyframes(s, { ...PLAIN, lambda1: 2, lambda2: 3, threshold: 1.31 }).keyframes).toEqual([0]);
    expect(r.trace.d[0]).toBeCloseTo(-0.7, 6);
  });

  it('measures D from the last keyframe, not the previous frame', () => {
    // Slow drift: each frame rotates 10° further; consecutive distance is tiny, accumulated distance is not.
    const frames = Array.from({ length: 10 }, (_, n) => {
      const a = (n * 10 * Math.PI) / 180;
      return new Float32Array([Math.cos(a), Math.sin(a)]);
    });
    const r = selectKeyframes(signalsOf(frames), { ...PLAIN, lambda2: 0, threshold: 1 - Math.cos((35 * Math.PI) / 180) });
    // 40° from the keyframe exceeds the 35° threshold: keyframes every 4 frames.
    expect(r.keyframes).toEqual([0, 4, 8]);
    expect(r.trace.semantic[5]).toBeCloseTo(1 - Math.cos((10 * Math.PI) / 180), 5);
  });

  it('always makes the first frame a keyframe, and handles empty and single-frame inputs', () => {
    expect(selectKeyframes(scenes(1, []), DEFAULT_SELECTION).keyframes).toEqual([0]);
    expect(selectKeyframes(scenes(5, []), { ...PLAIN, threshold: 100 }).keyframes).toEqual([0]);
    const empty = makeFrameSignals({
      frameWidth: 4, frameHeight: 4, embedderId: 'e', flowId: 'f', embeddingDim: 3,
      embeddings: new Float32Array(0), gridWidth: 2, gridHeight: 2, flow: new Float32Array(0),
    });
    const r = selectKeyframes(empty, DEFAULT_SELECTION);
    expect(r.keyframes).toEqual([]);
    expect(r.trace.d.length).toBe(0);
  });

  it('puts keyframes at scene changes', () => {
    expect(selectKeyframes(scenes(30, [7, 19]), PLAIN).keyframes).toEqual([0, 7, 19]);
  });

  it("'semantic' ignores motion while 'motion-semantic' uses it", () => {
    const same = Array.from({ length: 6 }, () => onehot(4, 0));
    const s = signalsOf(same, [[0, 0], [0.2, 0], [0.2, 0], [0.2, 0], [0.2, 0], [0.2, 0]]);
    const params = { ...PLAIN, lambda2: 1, threshold: 0.5 };
    // Motion from the keyframe reaches 0.6 at frame 3.
    expect(selectKeyframes(s, params).keyframes).toEqual([0, 3]);
    const sem = selectKeyframes(s, { ...params, strategy: 'semantic' });
    expect(sem.keyframes).toEqual([0]);
    expect(sem.trace.motion[3]).toBeCloseTo(0.6, 5);
    expect(sem.trace.d[3]).toBeCloseTo(-0.5, 6);
  });

  it("'fixed' places keyframes exactly every fixedInterval frames, ignoring content and clip limits", () => {
    const s = scenes(50, [3, 4, 5, 30]);
    const r = selectKeyframes(s, { ...PLAIN, strategy: 'fixed', fixedInterval: 12, minClip: 20, maxClip: 30 });
    expect(r.keyframes).toEqual([0, 12, 24, 36, 48]);
  });
});

describe('selectKeyframes: clip lengths', () => {
  it('forces a keyframe after maxClip frames of unchanging content', () => {
    const r = selectKeyframes(scenes(25, []), { ...PLAIN, maxClip: 8 });
    expect(r.keyframes).toEqual([0, 8, 16, 24]);
  });

  it('never opens a clip shorter than minClip for a weaker change', () => {
    // Changes at 10, 11, 12: each is as strong as the last, so the keyframe stays at 10.
    const r = selectKeyframes(scenes(30, [10, 11, 12]), { ...PLAIN, minClip: 4 });
    expect(r.keyframes).toEqual([0, 10, 14]);
    // Without a minimum, each change gets its own keyframe.
    expect(selectKeyframes(scenes(30, [10, 11, 12]), PLAIN).keyframes).toEqual([0, 10, 11, 12]);
  });

  it('moves an automatic keyframe to a stronger change within minClip (a hard cut right after motion)', () => {
    // Frames 0-9 slowly moving (motion keyframe at 5), then a scene change at 7.
    const frames = Array.from({ length: 12 }, (_, n) => onehot(4, n < 7 ? 0 : 1));
    const steps = Array.from({ length: 12 }, () => [0.11, 0] as [number, number]);
    const s = signalsOf(frames, steps);
    const r = selectKeyframes(s, { ...PLAIN, minClip: 4 });
    expect(r.trace.d[5]).toBeGreaterThan(0);
    expect(r.keyframes).toEqual([0, 7]);
  });

  it('keeps a cut that comes just after a keyframe forced by maxClip (a short clip rather than a missed cut)', () => {
    // Unchanging content forces a keyframe at 8; the scene changes at 10, within minClip of it.
    const r = selectKeyframes(scenes(20, [10]), { ...PLAIN, minClip: 4, maxClip: 8 });
    expect(r.keyframes).toEqual([0, 8, 10, 18]);
  });
});

describe('selectKeyframes: overrides', () => {
  it('adds keyframes and continues from them as the new F_l', () => {
    const drift = Array.from({ length: 20 }, (_, n) => {
      const a = (n * 10 * Math.PI) / 180;
      return new Float32Array([Math.cos(a), Math.sin(a)]);
    });
    const params = { ...PLAIN, lambda2: 0, threshold: 1 - Math.cos((35 * Math.PI) / 180) };
    expect(selectKeyframes(signalsOf(drift), params).keyframes).toEqual([0, 4, 8, 12, 16]);
    const r = selectKeyframes(signalsOf(drift), { ...params, overrides: { add: [6], remove: [] } });
    expect(r.keyframes).toEqual([0, 4, 6, 10, 14, 18]);
    // Trace of frame 7 is against the added keyframe 6.
    expect(r.trace.semantic[7]).toBeCloseTo(1 - Math.cos((10 * Math.PI) / 180), 5);
  });

  it('added keyframes ignore minClip', () => {
    const r = selectKeyframes(scenes(30, [12]), { ...PLAIN, minClip: 8, overrides: { add: [14], remove: [] } });
    expect(r.keyframes).toEqual([0, 12, 14]);
    // Frame 0 is never moved by a stronger change within minClip, unlike automatic keyframes.
    expect(selectKeyframes(scenes(30, [5]), { ...PLAIN, minClip: 8 }).keyframes).toEqual([0, 8]);
  });

  it('removes keyframes; frame 0 stays', () => {
    const s = scenes(30, [7, 19]);
    const r = selectKeyframes(s, { ...PLAIN, overrides: { add: [], remove: [0, 7] } });
    // Without 7, frame 8 still differs from keyframe 0, so the change is picked up one frame later.
    expect(r.keyframes).toEqual([0, 8, 19]);
    const both = selectKeyframes(s, { ...PLAIN, overrides: { add: [], remove: [7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18] } });
    expect(both.keyframes).toEqual([0, 19]);
  });

  it('a removed maxClip keyframe moves the forced one a frame later', () => {
    const r = selectKeyframes(scenes(20, []), { ...PLAIN, maxClip: 8, overrides: { add: [], remove: [8] } });
    expect(r.keyframes).toEqual([0, 9, 17]);
  });

  it('rejects impossible overrides and parameters with usage errors', () => {
    const s = scenes(10, []);
    const code = (f: () => unknown): string | undefined => {
      try {
        f();
      } catch (e) {
        return e instanceof M3cError ? e.code : 'other';
      }
      return undefined;
    };
    expect(code(() => selectKeyframes(s, { ...PLAIN, overrides: { add: [10], remove: [] } }))).toBe('usage');
    expect(code(() => selectKeyframes(s, { ...PLAIN, overrides: { add: [3], remove: [3] } }))).toBe('usage');
    expect(code(() => selectKeyframes(s, { ...PLAIN, minClip: 10, maxClip: 5 }))).toBe('usage');
    expect(code(() => selectKeyframes(s, { ...PLAIN, fixedInterval: 0 }))).toBe('usage');
    expect(code(() => selectKeyframes(s, { ...PLAIN, threshold: Number.NaN }))).toBe('usage');
  });
});

describe('flow grids', () => {
  it('composes n steps of a constant translation (a, b) into (n·a, n·b)', () => {
    const c = new FlowComposer(GW, GH, 512, 320);
    const step = new Float32Array(GW * GH * 2);
    for (let k = 0; k < step.length; k += 2) {
      step[k] = 0.013;
      step[k + 1] = -0.007;
    }
    for (let n = 1; n <= 9; n++) c.step(step);
    for (let k = 0; k < step.length; k += 2) {
      expect(c.field[k]).toBeCloseTo(9 * 0.013, 6);
      expect(c.field[k + 1]).toBeCloseTo(9 * -0.007, 6);
    }
    expect(c.meanMagnitude()).toBeCloseTo(9 * Math.hypot(0.013, 0.007), 6);
    c.reset();
    expect(c.meanMagnitude()).toBe(0);
  });

  it('follows points into regions that move differently', () => {
    // Left half of the grid moves right by exactly one cell per step; the right half moves down.
    const gw = 4;
    const gh = 4;
    const w = 400;
    const h = 400;
    const diag = Math.hypot(w, h);
    const cell = w / gw / diag;
    const step = new Float32Array(gw * gh * 2);
    for (let j = 0; j < gh; j++) {
      for (let i = 0; i < gw; i++) {
        const k = (j * gw + i) * 2;
        if (i < 2) step[k] = cell;
        else step[k + 1] = cell;
      }
    }
    const c = new FlowComposer(gw, gh, w, h);
    c.step(step);
    c.step(step);
    // The point starting at column 1 moved right into column 2 after one step, then moved down.
    const k = (0 * gw + 1) * 2;
    expect(c.field[k]).toBeCloseTo(cell, 6);
    expect(c.field[k + 1]).toBeCloseTo(cell, 6);
    // A point in column 0 stays in the left half for both steps.
    expect(c.field[0]).toBeCloseTo(2 * cell, 6);
    expect(c.field[1]).toBeCloseTo(0, 6);
  });

  it('reduces a dense field to grid cells in fractions of the diagonal', () => {
    const w = 40;
    const h = 30;
    const u = new Float32Array(w * h).fill(5);
    const v = new Float32Array(w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) v[y * w + x] = x < 20 ? 10 : -10;
    const g = flowFieldToGrid({ width: w, height: h, u, v }, 2, 3);
    expect(g[0]).toBeCloseTo(5 / 50, 6);
    expect(g[1]).toBeCloseTo(10 / 50, 6);
    expect(g[3]).toBeCloseTo(-10 / 50, 6);
  });
});

describe('FrameSignals storage', () => {
  it('round-trips through serialise/deserialise bit for bit', () => {
    const s = signalsOf(
      Array.from({ length: 7 }, (_, n) => new Float32Array([Math.cos(n), Math.sin(n), 0.25, -1e-7])),
      Array.from({ length: 7 }, (_, n) => [n * 0.001, -n * 0.3] as [number, number]),
    );
    const bytes = serialiseFrameSignals({ ...s, embedderId: 'appearance-hist-v1', flowId: 'dense-lk é' });
    const back = deserialiseFrameSignals(bytes);
    expect(back.frameCount).toBe(7);
    expect(back.embedderId).toBe('appearance-hist-v1');
    expect(back.flowId).toBe('dense-lk é');
    expect([back.frameWidth, back.frameHeight, back.gridWidth, back.gridHeight, back.embeddingDim]).toEqual([512, 320, GW, GH, 4]);
    expect(back.embeddings).toEqual(s.embeddings);
    expect(back.flow).toEqual(s.flow);
    expect(selectKeyframes(back, PLAIN)).toEqual(selectKeyframes(s, PLAIN));
  });

  it('rejects truncated or foreign bytes with a store error', () => {
    const bytes = serialiseFrameSignals(scenes(3, []));
    for (const bad of [bytes.subarray(0, bytes.length - 4), new Uint8Array(40), bytes.subarray(0, 10)]) {
      expect(() => deserialiseFrameSignals(bad)).toThrow(M3cError);
    }
    const wrongVersion = bytes.slice();
    wrongVersion[4] = 99;
    expect(() => deserialiseFrameSignals(wrongVersion)).toThrow(/version 99/);
  });
});

describe('estimateBitrate', () => {
  it('counts keyframe payloads and texts over the duration', () => {
    const e = estimateBitrate(5, 80, 8, 1000, 200);
    expect(e.bytes).toBe(6000);
    expect(e.seconds).toBe(10);
    expect(e.bitsPerSecond).toBe(4800);
    expect(estimateBitrate(0, 0, 8, 1000, 200).bitsPerSecond).toBe(0);
    expect(() => estimateBitrate(1, 10, 0, 1, 1)).toThrow(M3cError);
  });
});

describe('selectKeyframes: re-selection reuses runs', () => {
  it('gives the same keyframes and trace from cached runs as from fresh signals', () => {
    let seed = 7;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const frames = Array.from({ length: 300 }, (_, n) => {
      const v = new Float32Array(16).map(() => rand() * 0.1);
      v[Math.floor(n / 40) % 16] += 1;
      return v.map((x, _i, a) => x / Math.hypot(...a));
    });
    const steps = Array.from({ length: 300 }, () => [(rand() - 0.5) * 0.02, (rand() - 0.5) * 0.02] as [number, number]);
    const shared = signalsOf(frames, steps);
    const paramSets: SelectionParams[] = [0.2, 0.5, 0.3, 0.8, 0.2].flatMap((threshold) => [
      { ...DEFAULT_SELECTION, threshold },
      { ...DEFAULT_SELECTION, threshold, strategy: 'semantic' },
      { ...DEFAULT_SELECTION, threshold, maxClip: undefined, minClip: 2 },
    ]);
    for (const p of paramSets) {
      const cached = selectKeyframes(shared, p);
      const fresh = selectKeyframes(deserialiseFrameSignals(serialiseFrameSignals(shared)), p);
      expect(cached.keyframes).toEqual(fresh.keyframes);
      expect(Array.from(cached.trace.d)).toEqual(Array.from(fresh.trace.d));
      expect(Array.from(cached.trace.motion)).toEqual(Array.from(fresh.trace.motion));
    }
  });
});
