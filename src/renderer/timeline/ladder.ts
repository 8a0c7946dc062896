/**
 * Slider positions for parameters whose useful values crowd one end of their range (D_th lives in 0.1-1 of
 * 0-5): the track is a ladder of values, fine where values live and coarser beyond, so each arrow key moves
 * to the next rung and the useful range gets most of the track's width. Values typed in the number field
 * need not be on the ladder: the thumb then sits on the nearest rung.
 */

/** From `min`, rungs every `step` up to `to`, for each segment in order; the last `to` is the maximum. */
export interface LadderSegment {
  readonly to: number;
  readonly step: number;
}

export function buildLadder(min: number, segments: readonly LadderSegment[], digits: number): number[] {
  const round = (v: number): number => Number(v.toFixed(digits));
  const rungs = [round(min)];
  let from = min;
  for (const seg of segments) {
    const n = Math.round((seg.to - from) / seg.step);
    for (let i = 1; i <= n; i++) rungs.push(round(from + i * seg.step));
    from = seg.to;
  }
  return rungs;
}

/** Index of the rung nearest to `value` (ties go down); values outside the ladder clamp to its ends. */
export function nearestRung(rungs: readonly number[], value: number): number {
  let lo = 0;
  let hi = rungs.length - 1;
  if (value <= rungs[lo]) return lo;
  if (value >= rungs[hi]) return hi;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (rungs[mid] <= value) lo = mid;
    else hi = mid;
  }
  return value - rungs[lo] <= rungs[hi] - value ? lo : hi;
}

/**
 * Parses what the user typed in a parameter's number field: a finite number within [min, max], rounded to
 * `digits` decimals, or null (the field then shows an error and the selection keeps its value).
 */
export function parseTypedValue(text: string, min: number, max: number, digits: number): number | null {
  const t = text.trim().replace(',', '.');
  if (!/^[-+]?(\d+\.?\d*|\.\d+)$/.test(t)) return null;
  const v = Number(t);
  if (!Number.isFinite(v) || v < min || v > max) return null;
  return Number(v.toFixed(digits));
}
