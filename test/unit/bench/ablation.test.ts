/** bench/rd/ablation.ts: keyframe strategies matched to a keyframe count on real selection code (issue 9, Table I). */
import { describe, expect, it } from 'vitest';
import { matchKeyframeCount } from '../../../bench/rd/ablation.ts';
import { DEFAULT_SELECTION, makeFrameSignals, selectKeyframes } from '../../../src/shared/keyframes/index.ts';

/** 40 frames, 2-d embeddings turning by a growing angle (semantic change), a constant small pan (motion). */
function signals() {
  const n = 40;
  const embeddings = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    const a = (i * i) / 400;
    embeddings[2 * i] = Math.cos(a);
    embeddings[2 * i + 1] = Math.sin(a);
  }
  const flow = new Float32Array(n * 2 * 2 * 2);
  for (let i = 1; i < n; i++) for (let k = 0; k < 4; k++) flow[i * 8 + 2 * k] = 0.01;
  return makeFrameSignals({ frameWidth: 512, frameHeight: 320, embedderId: 'test', flowId: 'test', embeddingDim: 2, embeddings, gridWidth: 2, gridHeight: 2, flow });
}

describe('matchKeyframeCount', () => {
  const s = signals();
  const base = { ...DEFAULT_SELECTION, threshold: 0.4 };
  const target = selectKeyframes(s, base).keyframes.length;

  it('keeps motion-semantic as it is', () => {
    expect(target).toBeGreaterThan(1);
    expect(matchKeyframeCount(s, base, 'motion-semantic', target)).toMatchObject({ selection: { strategy: 'motion-semantic', threshold: 0.4 }, count: target, target });
  });

  it('finds a fixed interval and a semantic D_th that give the same count', () => {
    for (const strategy of ['fixed', 'semantic'] as const) {
      const m = matchKeyframeCount(s, base, strategy, target);
      expect(m.selection.strategy).toBe(strategy);
      expect(m.count).toBe(target);
      expect(selectKeyframes(s, m.selection).keyframes).toHaveLength(target);
    }
    // Fixed: the longest interval with that count.
    const fixed = matchKeyframeCount(s, base, 'fixed', 4);
    expect(fixed).toMatchObject({ count: 4, selection: { fixedInterval: 13 } });
  });

  it('gives the nearest count when the exact one is out of reach, and says which', () => {
    const m = matchKeyframeCount(s, base, 'fixed', 1000);
    expect(m).toMatchObject({ target: 1000, count: 40, selection: { fixedInterval: 1 } });
  });
});
