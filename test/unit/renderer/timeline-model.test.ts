import { describe, expect, it } from 'vitest';
import { DEFAULT_SELECTION } from '../../../src/shared/keyframes/index.ts';
import {
  addKeyframe,
  clearOverride,
  clipSpans,
  computeTimeline,
  estimateRate,
  itemsAt,
  neighbourKeyframe,
  removeKeyframe,
  scrollToReveal,
  seriesPath,
  visibleRange,
} from '../../../src/renderer/timeline/model.ts';
import { withSlider } from '../../../src/renderer/components/SelectionControls.tsx';
import { syntheticSignals } from './studio-test-double.tsx';

describe('timeline model', () => {
  const { signals, cuts } = syntheticSignals(400);

  it('selects a keyframe at every cut of the synthetic video with the default parameters', () => {
    const t = computeTimeline(signals, DEFAULT_SELECTION);
    expect(t.keyframes[0]).toBe(0);
    for (const cut of cuts) expect(t.keyframeSet.has(cut)).toBe(true);
    expect(t.markers.every((m) => m.kind === 'auto')).toBe(true);
    expect(t.clips.length).toBe(t.keyframes.length);
    expect(t.clips.at(-1)?.end).toBe(400);
  });

  it('a higher threshold never gives more keyframes', () => {
    const low = computeTimeline(signals, { ...DEFAULT_SELECTION, threshold: 0.2 }).keyframes.length;
    const high = computeTimeline(signals, { ...DEFAULT_SELECTION, threshold: 3, maxClip: 400 }).keyframes.length;
    expect(high).toBeLessThan(low);
  });

  it('marks added and removed keyframes as overrides and keeps frame 0', () => {
    const base = computeTimeline(signals, DEFAULT_SELECTION);
    const cut = cuts[0];
    let params = addKeyframe(DEFAULT_SELECTION, 5);
    params = removeKeyframe(params, cut);
    params = removeKeyframe(params, 0);
    const t = computeTimeline(signals, params);
    expect(t.keyframeSet.has(5)).toBe(true);
    expect(t.keyframeSet.has(cut)).toBe(false);
    expect(t.keyframeSet.has(0)).toBe(true);
    expect(t.markers.find((m) => m.frame === 5)?.kind).toBe('added');
    expect(t.markers.find((m) => m.frame === cut)?.kind).toBe('removed');
    expect(params.overrides).toEqual({ add: [5], remove: [cut] });
    // Adding back a removed frame turns the removal into an addition, and clearing returns to automatic.
    const readded = addKeyframe(params, cut);
    expect(readded.overrides).toEqual({ add: [5, cut], remove: [] });
    const cleared = clearOverride(clearOverride(readded, cut), 5);
    expect(computeTimeline(signals, cleared).keyframes).toEqual(base.keyframes);
  });

  it('finds the clip and keyframe under a frame and the neighbouring keyframes', () => {
    const kf = [0, 10, 25];
    expect(itemsAt(kf, 0)).toEqual({ clipIndex: 0, keyframeIndex: 0 });
    expect(itemsAt(kf, 9)).toEqual({ clipIndex: 0, keyframeIndex: null });
    expect(itemsAt(kf, 10)).toEqual({ clipIndex: 1, keyframeIndex: 1 });
    expect(itemsAt(kf, 99)).toEqual({ clipIndex: 2, keyframeIndex: null });
    expect(neighbourKeyframe(kf, 10, 1)).toBe(25);
    expect(neighbourKeyframe(kf, 10, -1)).toBe(0);
    expect(neighbourKeyframe(kf, 25, 1)).toBeNull();
    expect(clipSpans(kf, 40)).toEqual([
      { index: 0, start: 0, end: 10 },
      { index: 1, start: 10, end: 25 },
      { index: 2, start: 25, end: 40 },
    ]);
  });

  it('windows the filmstrip to the viewport plus overscan', () => {
    expect(visibleRange(0, 960, 96, 2400, 3)).toEqual({ start: 0, end: 13 });
    expect(visibleRange(96 * 1000 + 10, 960, 96, 2400, 3)).toEqual({ start: 997, end: 1014 });
    expect(visibleRange(96 * 2395, 960, 96, 2400, 3)).toEqual({ start: 2392, end: 2400 });
    expect(visibleRange(0, 960, 96, 0)).toEqual({ start: 0, end: 0 });
    expect(scrollToReveal(20, 0, 960, 96)).toBe(21 * 96 - 960);
    expect(scrollToReveal(3, 960, 960, 96)).toBe(288);
    expect(scrollToReveal(12, 960, 960, 96)).toBe(960);
  });

  it('keeps min ≤ max clip when a slider crosses the other', () => {
    expect(withSlider(DEFAULT_SELECTION, 'minClip', 100)).toMatchObject({ minClip: 100, maxClip: 100 });
    expect(withSlider(DEFAULT_SELECTION, 'maxClip', 2)).toMatchObject({ minClip: 2, maxClip: 2 });
  });

  it('draws a bounded path that keeps isolated peaks', () => {
    const values = new Float32Array(2400);
    values[1234] = 1;
    const path = seriesPath(values, 1000, 100, 0, 1);
    expect(path.split(/[ML]/).length - 1).toBeLessThanOrEqual(2000);
    expect(path).toContain(',0');
  });

  it('estimates the bitrate of the selection', () => {
    const t = computeTimeline(signals, DEFAULT_SELECTION);
    const r = estimateRate(t, 8, { bytesPerKeyframe: 600, bytesPerText: 40 });
    expect(r.bytes).toBe(t.keyframes.length * 640);
    expect(r.bitsPerSecond).toBeCloseTo((t.keyframes.length * 640 * 8) / 50, 6);
  });

  it('re-selects a 5-minute clip (2,400 frames at 8 fps, 32x20 flow grid) quickly', () => {
    const long = syntheticSignals(2400, 1512, 32, 20).signals;
    const times: number[] = [];
    for (const threshold of [0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6]) {
      const t0 = performance.now();
      computeTimeline(long, { ...DEFAULT_SELECTION, threshold });
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    console.log(`computeTimeline, 2400 frames, dim 1512, grid 32x20: median ${times[3].toFixed(1)} ms, max ${times[6].toFixed(1)} ms`);
    // Generous bound: a regression to per-pixel work would cost seconds.
    expect(times[3]).toBeLessThan(1000);
  });
});

describe('slider ladders', () => {
  it('has rungs 0.01 apart up to 1 and 0.05 apart up to 5 for D_th, and finds the nearest rung', async () => {
    const { buildLadder, nearestRung, parseTypedValue } = await import('../../../src/renderer/timeline/ladder.ts');
    const rungs = buildLadder(0, [{ to: 1, step: 0.01 }, { to: 5, step: 0.05 }], 2);
    expect(rungs).toHaveLength(181);
    expect(rungs[40]).toBe(0.4);
    expect(rungs[100]).toBe(1);
    expect(rungs[101]).toBe(1.05);
    expect(rungs.at(-1)).toBe(5);
    expect(nearestRung(rungs, 0.4)).toBe(40);
    expect(nearestRung(rungs, 0.437)).toBe(44);
    expect(nearestRung(rungs, 1.07)).toBe(101);
    expect(nearestRung(rungs, -1)).toBe(0);
    expect(nearestRung(rungs, 9)).toBe(180);
    expect(parseTypedValue(' 0,5 ', 0, 5, 2)).toBe(0.5);
    expect(parseTypedValue('0.437', 0, 5, 2)).toBe(0.44);
    for (const bad of ['', 'abc', '5.01', '-0.1', '1e3', 'Infinity', '0.4.1']) expect(parseTypedValue(bad, 0, 5, 2)).toBeNull();
  });
});

describe('removing a keyframe at a cut', () => {
  it('names the frame the selection moved the cut to, and nothing for a keyframe that was not at a cut', async () => {
    const { computeTimeline, movedKeyframe, removeKeyframe } = await import('../../../src/renderer/timeline/model.ts');
    const { signals, cuts } = syntheticSignals(400);
    const before = computeTimeline(signals, DEFAULT_SELECTION);
    const cut = cuts[0];
    expect(before.keyframeSet.has(cut)).toBe(true);
    const after = computeTimeline(signals, removeKeyframe(DEFAULT_SELECTION, cut));
    const moved = movedKeyframe(before, after, cut);
    expect(moved).not.toBeNull();
    expect(moved!).toBeGreaterThan(cut);
    expect(after.keyframeSet.has(moved!)).toBe(true);
    // Removing a keyframe added by hand away from any cut brings nothing in its place.
    const added = before.keyframes[1] + 2;
    const withAdded = computeTimeline(signals, addKeyframe(DEFAULT_SELECTION, added));
    expect(movedKeyframe(withAdded, computeTimeline(signals, removeKeyframe(addKeyframe(DEFAULT_SELECTION, added), added)), added)).toBeNull();
  });
});
