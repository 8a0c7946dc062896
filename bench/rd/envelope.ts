/**
 * The R-D envelope of a cloud of points: the best quality reachable at each rate (the upper-left
 * Pareto front). The search that produces anchor clouds lives in src/main/codecs/anchor-search.ts
 * and keeps its envelope with the same function, so that the encoder can reuse both; this module
 * gives the harness its (kbps, quality) view and the checks the reports and tests rely on.
 */
import { paretoEnvelope } from '../../src/main/codecs/anchor-search.ts';

export { paretoEnvelope };

export interface RatePoint {
  readonly kbps: number;
  readonly quality: number;
}

/** The envelope of (kbps, quality) points: rate and quality both strictly increase along it. */
export function envelope<T extends RatePoint>(points: readonly T[]): T[] {
  return paretoEnvelope(points, (p) => p.kbps, (p) => p.quality);
}

/** Whether `points` are in rate order with quality never falling (what an envelope must be). */
export function isMonotoneEnvelope(points: readonly RatePoint[]): boolean {
  for (let i = 1; i < points.length; i++) {
    if (!(points[i].kbps > points[i - 1].kbps) || points[i].quality < points[i - 1].quality) return false;
  }
  return true;
}

/** Whether no point of `cloud` beats the envelope: none has a higher quality at the same or a lower rate. */
export function dominatesCloud(env: readonly RatePoint[], cloud: readonly RatePoint[]): boolean {
  return cloud.every((p) => {
    const best = env.filter((e) => e.kbps <= p.kbps).reduce((q, e) => Math.max(q, e.quality), -Infinity);
    return best >= p.quality;
  });
}
