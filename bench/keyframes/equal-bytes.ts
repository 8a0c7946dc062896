/**
 * AV1 at equal bytes: the classical codec's payload closest to a byte target, for comparisons at equal
 * rate (this benchmark), not for the bitstream. Built on the encoder's own probes (AV1_PROBES of
 * src/main/codecs/classical-av1.ts), so a payload found here decodes with ClassicalAv1KeyframeCodec.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RgbFrame } from '../../src/shared/engine/frame.ts';
import { M3cError, throwIfAborted } from '../../src/shared/engine/errors.ts';
import { AV1_PROBES, type Av1Candidate, type Av1Trial } from '../../src/main/codecs/classical-av1.ts';

const { CRF_MIN, CRF_MAX, HEADER_BYTES, SCALES, FIRST_ROUND, encodeTrials, bestByMsSsim, crfForSize } = AV1_PROBES;

export interface NearBytesResult {
  readonly payload: Uint8Array;
  readonly scaleCode: number;
  readonly crf: number;
  /** Whether the payload is within the tolerance of the target; when not, it is the closest one found. */
  readonly withinTolerance: boolean;
}

/** Rounds of probes of `encodeNearBytes` after the first grid; each halves the crf bracket or better. */
const NEAR_ROUNDS = 6;

/**
 * Next crf to probe so that one scale's payload lands in [lo, hi] bytes, or none when the known
 * sizes show it cannot: crf 63 already over `hi`, crf 10 already under `lo`, or two adjacent crfs
 * that jump across the band. Sizes fall roughly exponentially with crf, so the target is
 * interpolated in log(size) (or extrapolated at ~8 crf per doubling from one known end).
 */
function nearProbe(sizes: ReadonlyMap<number, number>, lo: number, hi: number): number | undefined {
  let over: [number, number] | undefined;
  let under: [number, number] | undefined;
  for (const [crf, size] of sizes) {
    if (size >= lo && size <= hi) return undefined;
    if (size > hi && (!over || crf > over[0])) over = [crf, size];
    if (size < lo && (!under || crf < under[0])) under = [crf, size];
  }
  const low = over ? over[0] + 1 : CRF_MIN;
  const high = under ? under[0] - 1 : CRF_MAX;
  if (low > high) return undefined;
  const crf = Math.min(high, Math.max(low, Math.round(crfForSize(over, under, Math.sqrt(lo * hi)))));
  return sizes.has(crf) ? undefined : crf;
}

/**
 * The AV1 payload closest to `targetBytes` within +-`tolerance` (a fraction), where the codec's
 * `encode` would return the best payload at or under a budget, possibly well under it. Per scale it
 * searches the crf whose payload lands in the band; among the scales that land it keeps the highest
 * MS-SSIM, as `encode` does. When no scale lands (crf steps can jump across a narrow band) it returns
 * the payload closest to the target with `withinTolerance` false.
 */
export async function encodeNearBytes(frame: RgbFrame, targetBytes: number, options: { tolerance?: number; signal?: AbortSignal } = {}): Promise<NearBytesResult> {
  const { tolerance = 0.05, signal } = options;
  throwIfAborted(signal);
  if (!(targetBytes > HEADER_BYTES) || !(tolerance >= 0 && tolerance < 1)) {
    throw new M3cError('usage', `target of ${targetBytes} bytes +-${tolerance} is not a usable AV1 size target`);
  }
  const lo = targetBytes * (1 - tolerance);
  const hi = targetBytes * (1 + tolerance);
  const dir = await mkdtemp(path.join(tmpdir(), 'm3c-av1-'));
  try {
    const sizes = Array.from({ length: SCALES }, () => new Map<number, number>());
    const all: Av1Candidate[] = [];
    let trials: readonly Av1Trial[] = FIRST_ROUND;
    for (let round = 0; trials.length > 0 && round <= NEAR_ROUNDS; round++) {
      for (const c of await encodeTrials(frame, trials, dir, signal)) {
        sizes[c.scaleCode].set(c.crf, c.payload.length);
        all.push(c);
      }
      trials = sizes.flatMap((s, scaleCode) => {
        const crf = nearProbe(s, lo, hi);
        return crf === undefined ? [] : [{ scaleCode, crf }];
      });
    }
    const distance = (c: Av1Candidate): number => Math.abs(c.payload.length - targetBytes);
    const closest = (cs: readonly Av1Candidate[]): Av1Candidate => cs.reduce((a, b) => (distance(b) < distance(a) ? b : a));
    const landed = sizes.flatMap((_, s) => {
      const mine = all.filter((c) => c.scaleCode === s && c.payload.length >= lo && c.payload.length <= hi);
      return mine.length > 0 ? [closest(mine)] : [];
    });
    if (landed.length === 0) return { ...pick(closest(all)), withinTolerance: false };
    return { ...pick(await bestByMsSsim(landed, frame, dir, signal)), withinTolerance: true };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function pick(c: Av1Candidate): Omit<NearBytesResult, 'withinTolerance'> {
  return { payload: c.payload, scaleCode: c.scaleCode, crf: c.crf };
}
