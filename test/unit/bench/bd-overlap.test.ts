/** The guard of bench/rd/bd.ts: an overlap under MIN_OVERLAP_FRACTION of the curves' joint span gives no number (issue 9). */
import { describe, expect, it } from 'vitest';
import { bdQuality, bdRate, MIN_OVERLAP_FRACTION, type RdPoint } from '../../../bench/rd/bd.ts';

/** Rates 1, 2, 4, 8 kbit/s (log10 span 0.903), quality 20..29 dB. */
const ANCHOR: RdPoint[] = [
  { rate: 1, quality: 20 },
  { rate: 2, quality: 23 },
  { rate: 4, quality: 26 },
  { rate: 8, quality: 29 },
];
/** The anchor's curve moved to higher rates by a factor: the log-rate overlap is span - log10(factor), the joint span span + log10(factor). */
const moved = (factor: number): RdPoint[] => ANCHOR.map((p) => ({ rate: p.rate * factor, quality: p.quality }));

describe('BD over a tiny overlapping range', () => {
  it('is "overlap too small" below the minimum share of the log-rate span, a number above it', () => {
    expect(MIN_OVERLAP_FRACTION).toBe(0.1);
    const span = Math.log10(8);
    // Overlap 0.15 span of a joint 1.85 span (8.1%): refused, with the share in the reason.
    const tiny = bdQuality(ANCHOR, moved(Math.pow(10, span * 0.85)));
    expect(tiny.kind).toBe('overlap-too-small');
    if (tiny.kind === 'overlap-too-small') {
      expect(tiny.fraction).toBeCloseTo(0.15 / 1.85, 9);
      expect(tiny.reason).toMatch(/^overlap too small: .*8\.1%.*10% minimum/);
    }
    // Overlap 0.25 of 1.75 (14%): a number (the same curve moved in rate is worse in quality at equal rate).
    const fair = bdQuality(ANCHOR, moved(Math.pow(10, span * 0.75)));
    expect(fair.kind).toBe('ok');
    if (fair.kind === 'ok') expect(fair.value).toBeLessThan(0);
  });

  it('refuses a test curve whose points barely differ in rate, applies to BD-rate too, and never to a curve against itself', () => {
    // Inside the anchor's range but spanning 1% of it: a sliver, not a curve.
    const sliver = [{ rate: 3, quality: 24 }, { rate: 3.06, quality: 24.1 }];
    expect(bdQuality(ANCHOR, sliver).kind).toBe('overlap-too-small');
    const shifted = ANCHOR.map((p) => ({ rate: p.rate, quality: p.quality + 8.5 })); // quality overlap 0.5 dB of a joint 17.5 dB
    expect(bdRate(ANCHOR, shifted).kind).toBe('overlap-too-small');
    expect(bdRate(ANCHOR, ANCHOR)).toMatchObject({ kind: 'ok', value: 0 });
    expect(bdQuality(ANCHOR, ANCHOR)).toMatchObject({ kind: 'ok', value: 0 });
  });
});
