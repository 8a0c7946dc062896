/** bench/rd/pool.ts: BD figures pooled over clips, with the clips left out and why. */
import { describe, expect, it } from 'vitest';
import type { BdResult } from '../../../bench/rd/bd.ts';
import { METRICS } from '../../../bench/rd/metrics.ts';
import { poolBd, renderPooledMarkdown, type PoolInputClip } from '../../../bench/rd/pool.ts';

const ok = (value: number): BdResult => ({ kind: 'ok', value, range: [0, 1], interpolation: 'pchip' });
const none: BdResult = { kind: 'no-overlap', reason: 'the quality ranges do not overlap', anchorRange: [20, 25], testRange: [17, 19] };

function clip(name: string, rate: BdResult, quality: BdResult, series = ['ours-default']): PoolInputClip {
  return { name, bd: series.flatMap((s) => METRICS.map((metric) => ({ series: s, metric, bdRate: rate, bdQuality: quality }))) };
}

describe('pooled BD', () => {
  it('means the defined per-clip values and counts the clips used', () => {
    const pooled = poolBd([clip('a', ok(-10), ok(1)), clip('b', ok(30), ok(-3)), clip('c', none, ok(-4))]);
    expect(pooled.map((p) => p.metric)).toEqual([...METRICS]);
    const y = pooled[0];
    expect(y.series).toBe('ours-default');
    expect(y.bdRate.mean).toBeCloseTo(10, 12);
    expect(y.bdRate).toMatchObject({ clips: 2, used: ['a', 'b'], skipped: [{ clip: 'c', kind: 'no-overlap' }] });
    expect(y.bdQuality.mean).toBeCloseTo(-2, 12);
    expect(y.bdQuality).toMatchObject({ clips: 3, skipped: [] });
  });

  it('has no mean when no clip has a value, and says which series a clip lacks', () => {
    const pooled = poolBd([clip('a', none, none), clip('b', none, ok(2), ['ours-default', 'ours-classical'])]);
    expect(pooled.map((p) => p.series)).toEqual([...METRICS.map(() => 'ours-default'), ...METRICS.map(() => 'ours-classical')]);
    expect(pooled[0].bdRate.mean).toBeUndefined();
    expect('mean' in pooled[0].bdRate).toBe(false);
    expect(pooled[0].bdRate.clips).toBe(0);
    const classical = pooled[METRICS.length];
    expect(classical.bdQuality).toMatchObject({ mean: 2, clips: 1, used: ['b'], skipped: [{ clip: 'a', kind: 'missing' }] });
    expect(JSON.stringify(pooled)).not.toMatch(/null/);
  });

  it('renders a table with counts and the clips left out', () => {
    const md = renderPooledMarkdown(poolBd([clip('a', ok(-10), ok(1)), clip('c', none, ok(-4))]), 2).join('\n');
    expect(md).toMatch(/## Pooled over clips/);
    expect(md).toMatch(/\| ours-default \| PSNR-Y \(dB\) \| -10\.0% \(1\/2 clips\) \| -1\.50 dB \(2\/2 clips\) \|/);
    expect(md).toMatch(/\| ours-default \| MS-SSIM \| -10\.0% \(1\/2 clips\) \| -1\.5000 \(2\/2 clips\) \|/);
    expect(md).toMatch(/BD-rate: left out c \(no overlap\)/);
    expect(renderPooledMarkdown([], 0).join('\n')).toMatch(/No configuration/);
  });
});
