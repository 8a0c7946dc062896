/**
 * The "classical" keyframe codec: each keyframe is one AV1 intra frame (libaom, still-picture mode)
 * made and read by ffmpeg. At the paper's budgets (a few hundred bytes for 512x320) AV1 at full size
 * runs out of quantiser range, so the encoder also tries the frame at 1/2 and 1/4 size and keeps
 * whichever decodes (after upscaling) closest to the original by MS-SSIM.
 *
 * Payload: 1 header byte, high nibble the format version (1), low nibble the scale code (0: full
 * size, 1: half, 2: quarter), then the AV1 low-overhead OBUs of the frame (sequence header + frame)
 * without the leading temporal delimiter, which is always the same two bytes and is put back at
 * decode time. No IVF/MP4 framing is stored.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Geometry, RgbFrame } from '../../shared/engine/frame.ts';
import { makeFrame } from '../../shared/engine/frame.ts';
import type { KeyframeCodec, KeyframeDecodeOptions, KeyframeEncodeOptions } from '../../shared/engine/interfaces.ts';
import { M3cError, isAbortError, throwIfAborted } from '../../shared/engine/errors.ts';
import { msSsim } from '../../shared/metrics/index.ts';
import { locateFfmpeg, runFfmpeg } from '../media/index.ts';
import { av1StillPictureSize } from './av1-sequence-header.ts';

export const CLASSICAL_AV1_ID = 'classical-av1-v1';

/**
 * Default keyframe budget. The paper's regime at 512x320, 8 fps is ~2-5 kbit/s in total; with a
 * keyframe every ~3 s that leaves 750-1900 bytes per keyframe interval for everything, of which the
 * texts take ~100-200 bytes. 800 bytes (6.4 kbit per keyframe, 0.039 bpp) keeps a keyframe every 3 s
 * at ~2.5 kbit/s with room for the texts, and is where downscaled AV1 still keeps object outlines.
 */
export const CLASSICAL_DEFAULT_BUDGET = 800;

const FORMAT_VERSION = 1;
/** Downscale divisors by scale code. */
const SCALE_DIVISORS = [1, 2, 4] as const;
/** The temporal delimiter OBU (type 2, has_size_field, size 0) that opens every temporal unit. */
const TEMPORAL_DELIMITER = Uint8Array.of(0x12, 0x00);
const HEADER_BYTES = 1;
/** Best quality the search considers; lower crf buys nothing at these budgets. */
const CRF_MIN = 10;
const CRF_MAX = 63;
/** A crf whose payload fills at least this fraction of the budget ends the search early. */
const GOOD_ENOUGH_FILL = 0.95;
const PROBES_PER_ROUND = 3;
/** One grid round, then two refinements of 3 probes per scale (within ~1 crf or 5% of the budget). */
const MAX_ROUNDS = 3;
/**
 * Below this rate (about 920 bytes at 512x320) full size never won on the training images: libaom is
 * at or near its coarsest quantiser there and the halved frame is sharper after upscaling. Skipping
 * it saves the most expensive probes.
 */
const FULL_SIZE_MIN_BPP = 0.045;
/**
 * The grid probed first, by scale code. Full size at crf 63 is already ~600-900 bytes for 512x320
 * and each full-size probe is the expensive one, so it starts with crf 63 alone and is refined only
 * when that fits; the small scales are cheap and span the crf range.
 */
const FIRST_ROUND: readonly Trial[] = [
  { scaleCode: 0, crf: CRF_MAX },
  ...[CRF_MAX, 48, 33].map((crf) => ({ scaleCode: 1, crf })),
  ...[CRF_MAX, 50, 37, 24].map((crf) => ({ scaleCode: 2, crf })),
];
/** Smallest coded side, so that even tiny geometries give the encoder a few whole blocks. */
const MIN_CODED_SIDE = 16;

/** libaom in all-intra still-picture mode; cpu-used 4 encodes 512x320 in ~0.4 s on one core. */
const ENCODER_ARGS = ['-c:v', 'libaom-av1', '-usage', 'allintra', '-still-picture', '1', '-cpu-used', '4', '-threads', '1'];
/** Pinned decoder and scaler: with a given ffmpeg build the same payload always gives the same pixels. */
const DECODER = 'libdav1d';
const SCALER = 'lanczos+accurate_rnd+full_chroma_int';
const DOWNSCALER = 'area+accurate_rnd';

export function codedSize(width: number, height: number, divisor: number): { width: number; height: number } {
  const side = (v: number): number => Math.max(MIN_CODED_SIDE, 2 * Math.round(v / divisor / 2));
  return { width: side(width), height: side(height) };
}

export function payloadHeader(scaleCode: number): number {
  return (FORMAT_VERSION << 4) | scaleCode;
}

export function parsePayloadHeader(payload: Uint8Array): { scaleCode: number; divisor: number } {
  if (payload.length < HEADER_BYTES + 3) {
    throw new M3cError('corrupt-bitstream', `keyframe payload is ${payload.length} bytes, too short to hold an AV1 frame`);
  }
  const version = payload[0] >> 4;
  const scaleCode = payload[0] & 0x0f;
  if (version !== FORMAT_VERSION) {
    throw new M3cError('corrupt-bitstream', `keyframe payload has format version ${version}; ${CLASSICAL_AV1_ID} reads version ${FORMAT_VERSION}`);
  }
  const divisor = SCALE_DIVISORS[scaleCode];
  if (divisor === undefined) throw new M3cError('corrupt-bitstream', `keyframe payload has unknown scale code ${scaleCode}`);
  return { scaleCode, divisor };
}

interface Candidate {
  readonly scaleCode: number;
  readonly crf: number;
  readonly payload: Uint8Array;
}

interface Trial {
  readonly scaleCode: number;
  readonly crf: number;
}

function rawInputArgs(frame: RgbFrame): string[] {
  return ['-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${frame.width}x${frame.height}`, '-i', 'pipe:0'];
}

function toPayload(scaleCode: number, obus: Uint8Array): Uint8Array {
  if (obus.length <= TEMPORAL_DELIMITER.length || obus[0] !== TEMPORAL_DELIMITER[0] || obus[1] !== TEMPORAL_DELIMITER[1]) {
    throw new M3cError('ffmpeg', `libaom-av1 produced an unexpected bitstream (${obus.length} bytes)`);
  }
  const payload = new Uint8Array(HEADER_BYTES + obus.length - TEMPORAL_DELIMITER.length);
  payload[0] = payloadHeader(scaleCode);
  payload.set(obus.subarray(TEMPORAL_DELIMITER.length), HEADER_BYTES);
  return payload;
}

/**
 * Encodes several (scale, crf) trials in ONE ffmpeg process: starting ffmpeg costs ~0.4 s here, more
 * than a 512x320 libaom intra encode, so the search batches its probes.
 */
async function encodeTrials(frame: RgbFrame, trials: readonly Trial[], dir: string, signal?: AbortSignal): Promise<Candidate[]> {
  const scales = [...new Set(trials.map((t) => t.scaleCode))];
  const graph: string[] = [`[0:v]split=${scales.length}${scales.map((s) => `[in${s}]`).join('')}`];
  const outputs: string[] = [];
  const files: string[] = [];
  for (const s of scales) {
    const mine = trials.filter((t) => t.scaleCode === s);
    const size = codedSize(frame.width, frame.height, SCALE_DIVISORS[s]);
    graph.push(
      `[in${s}]scale=${size.width}:${size.height}:flags=${DOWNSCALER},format=yuv420p,split=${mine.length}${mine.map((t) => `[s${s}c${t.crf}]`).join('')}`,
    );
    for (const t of mine) {
      const file = path.join(dir, `s${s}c${t.crf}.obu`);
      files.push(file);
      outputs.push('-map', `[s${s}c${t.crf}]`, ...ENCODER_ARGS, '-crf', String(t.crf), '-frames:v', '1', '-f', 'obu', '-y', file);
    }
  }
  await runFfmpeg([...rawInputArgs(frame), '-filter_complex', graph.join(';'), ...outputs], { stdin: frame.data, signal });
  const out: Candidate[] = [];
  for (const s of scales) {
    for (const t of trials.filter((x) => x.scaleCode === s)) {
      out.push({ scaleCode: s, crf: t.crf, payload: toPayload(s, await readFile(path.join(dir, `s${s}c${t.crf}.obu`))) });
    }
  }
  return out;
}

/** Per scale, the tightest fitting and non-fitting crf seen so far. */
interface Bracket {
  fit?: Candidate;
  over?: Candidate;
}

/**
 * Next crf probes for one scale, at most `PROBES_PER_ROUND`: size falls roughly exponentially with
 * crf, so the target is interpolated in log(size) between the bracket ends (or extrapolated at
 * ~8 crf per doubling when only one end is known), and its neighbours are probed with it.
 */
function nextProbes(b: Bracket, budget: number): number[] {
  const { fit, over } = b;
  if (!fit) return [];
  if (fit.payload.length >= GOOD_ENOUGH_FILL * budget) return [];
  const lo = over ? over.crf : CRF_MIN - 1;
  if (fit.crf - lo <= 1) return [];
  if (fit.crf - lo <= PROBES_PER_ROUND + 1) return Array.from({ length: fit.crf - lo - 1 }, (_, i) => lo + 1 + i);
  const target = crfForSize(over && [over.crf, over.payload.length], [fit.crf, fit.payload.length], budget);
  const centre = Math.min(fit.crf - 2, Math.max(lo + 2, Math.round(target)));
  return [centre - 1, centre, centre + 1];
}

/**
 * The crf expected to give `target` bytes from a known (crf, size) over it and/or one under it: size
 * falls roughly exponentially with crf, so log(size) is interpolated between the two, or extrapolated
 * at ~8 crf per doubling from the one known end.
 */
function crfForSize(over: readonly [number, number] | undefined, under: readonly [number, number] | undefined, target: number): number {
  if (over && under) return over[0] + (Math.log(over[1] / target) / Math.log(over[1] / under[1])) * (under[0] - over[0]);
  if (over) return over[0] + 8 * Math.log2(over[1] / target);
  if (under) return under[0] - 8 * Math.log2(target / under[1]);
  throw new RangeError('crfForSize needs a known size');
}

/** The candidate whose decoding has the highest MS-SSIM against `frame` (decoded in one ffmpeg process). */
async function bestByMsSsim(cands: readonly Candidate[], frame: RgbFrame, dir: string, signal?: AbortSignal): Promise<Candidate> {
  if (cands.length === 1) return cands[0];
  const decoded = await decodeCandidates(cands, frame.width, frame.height, dir, signal);
  let best = 0;
  let bestScore = -Infinity;
  for (let i = 0; i < cands.length; i++) {
    const score = msSsim(decoded[i], frame);
    if (score > bestScore) {
      bestScore = score;
      best = i;
    }
  }
  return cands[best];
}

function record(b: Bracket, c: Candidate, budget: number): void {
  if (c.payload.length <= budget) {
    if (!b.fit || c.crf < b.fit.crf) b.fit = c;
  } else if (!b.over || c.crf > b.over.crf) {
    b.over = c;
  }
}

/** Decodes several payloads in ONE ffmpeg process, through exactly the filters `decode` uses. */
async function decodeCandidates(cands: readonly Candidate[], width: number, height: number, dir: string, signal?: AbortSignal): Promise<RgbFrame[]> {
  const inputs: string[] = [];
  const outputs: string[] = [];
  for (let i = 0; i < cands.length; i++) {
    const obu = path.join(dir, `dec${i}.obu`);
    await writeFile(obu, withTemporalDelimiter(cands[i].payload));
    inputs.push('-c:v', DECODER, '-f', 'obu', '-i', obu);
    outputs.push('-map', `${i}:v`, '-vf', decodeFilter(width, height), '-frames:v', '1', '-f', 'rawvideo', '-y', path.join(dir, `dec${i}.rgb`));
  }
  await runFfmpeg([...inputs, ...outputs], { signal });
  const frames: RgbFrame[] = [];
  for (let i = 0; i < cands.length; i++) {
    const data = await readFile(path.join(dir, `dec${i}.rgb`));
    frames.push(makeFrame(width, height, new Uint8Array(data.buffer, data.byteOffset, data.length)));
  }
  return frames;
}

function withTemporalDelimiter(payload: Uint8Array): Uint8Array {
  const stream = new Uint8Array(TEMPORAL_DELIMITER.length + payload.length - HEADER_BYTES);
  stream.set(TEMPORAL_DELIMITER, 0);
  stream.set(payload.subarray(HEADER_BYTES), TEMPORAL_DELIMITER.length);
  return stream;
}

function decodeFilter(width: number, height: number): string {
  return `scale=${width}:${height}:flags=${SCALER},format=rgb24`;
}

async function decodePayload(payload: Uint8Array, width: number, height: number, signal?: AbortSignal): Promise<RgbFrame> {
  const { divisor } = parsePayloadHeader(payload);
  const coded = codedSize(width, height, divisor);
  const stored = av1StillPictureSize(payload.subarray(HEADER_BYTES));
  // A payload made for another geometry is refused rather than stretched into this one.
  if (stored.width !== coded.width || stored.height !== coded.height) {
    throw new M3cError(
      'corrupt-bitstream',
      `keyframe payload is coded at ${stored.width}x${stored.height}, expected ${coded.width}x${coded.height} for ${width}x${height}: wrong geometry or damaged data`,
    );
  }
  // A missing ffmpeg must surface as code 'ffmpeg', not be mistaken below for a bad payload.
  locateFfmpeg();
  let stdout: Buffer;
  try {
    ({ stdout } = await runFfmpeg(
      ['-c:v', DECODER, '-f', 'obu', '-i', 'pipe:0', '-vf', decodeFilter(width, height), '-frames:v', '1', '-f', 'rawvideo', 'pipe:1'],
      { stdin: withTemporalDelimiter(payload), signal },
    ));
  } catch (e) {
    if (isAbortError(e)) throw e;
    const why = e instanceof Error ? e.message : String(e);
    throw new M3cError('corrupt-bitstream', `keyframe payload does not decode as ${CLASSICAL_AV1_ID}: ${why}`, { cause: e });
  }
  const expected = width * height * 3;
  if (stdout.length !== expected) {
    throw new M3cError('corrupt-bitstream', `keyframe payload decoded to ${stdout.length} bytes, expected ${width}x${height} RGB`);
  }
  return makeFrame(width, height, new Uint8Array(stdout.buffer, stdout.byteOffset, stdout.length));
}

export class ClassicalAv1KeyframeCodec implements KeyframeCodec {
  readonly id = CLASSICAL_AV1_ID;

  /**
   * Encodes at each scale the best crf that fits `budgetBytes`, decodes every fitting candidate and
   * returns the one with the highest MS-SSIM against `frame`. When nothing fits (budgets below ~100
   * bytes) it returns the smallest payload it can make, which is over budget.
   */
  async encode(frame: RgbFrame, options: KeyframeEncodeOptions): Promise<Uint8Array> {
    const { budgetBytes, signal } = options;
    throwIfAborted(signal);
    if (!Number.isInteger(budgetBytes) || budgetBytes <= HEADER_BYTES) {
      throw new M3cError('usage', `keyframe budget must be a whole number of bytes above ${HEADER_BYTES}, got ${budgetBytes}`);
    }
    if (frame.data.length !== frame.width * frame.height * 3 || frame.width < MIN_CODED_SIDE || frame.height < MIN_CODED_SIDE) {
      throw new M3cError('input', `keyframe must be packed RGB24 of at least ${MIN_CODED_SIDE}x${MIN_CODED_SIDE}, got ${frame.width}x${frame.height}`);
    }
    const dir = await mkdtemp(path.join(tmpdir(), 'm3c-av1-'));
    try {
      const brackets = SCALE_DIVISORS.map((): Bracket => ({}));
      let smallest: Candidate | undefined;
      const fullSizeWorthIt = (8 * budgetBytes) / (frame.width * frame.height) >= FULL_SIZE_MIN_BPP;
      let trials: readonly Trial[] = fullSizeWorthIt ? FIRST_ROUND : FIRST_ROUND.filter((t) => t.scaleCode !== 0);
      for (let round = 0; trials.length > 0 && round < MAX_ROUNDS; round++) {
        for (const c of await encodeTrials(frame, trials, dir, signal)) {
          record(brackets[c.scaleCode], c, budgetBytes);
          if (!smallest || c.payload.length < smallest.payload.length) smallest = c;
        }
        trials = brackets.flatMap((b, scaleCode) => nextProbes(b, budgetBytes).map((crf) => ({ scaleCode, crf })));
      }
      const fitting = brackets.flatMap((b) => (b.fit ? [b.fit] : []));
      if (fitting.length === 0) return smallest!.payload;
      return (await bestByMsSsim(fitting, frame, dir, signal)).payload;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** Decodes to `geometry`'s size; the same payload always gives the same bytes (pinned decoder and scaler). */
  async decode(payload: Uint8Array, geometry: Geometry, options: KeyframeDecodeOptions): Promise<RgbFrame> {
    throwIfAborted(options.signal);
    return decodePayload(payload, geometry.width, geometry.height, options.signal);
  }
}

/**
 * The encoder's probe primitives, for equal-rate comparisons outside the bitstream: the keyframe
 * benchmark's equal-bytes search (bench/keyframes/equal-bytes.ts) builds on them.
 */
export const AV1_PROBES = { CRF_MIN, CRF_MAX, HEADER_BYTES, SCALES: SCALE_DIVISORS.length, FIRST_ROUND, encodeTrials, bestByMsSsim, crfForSize } as const;
export type { Candidate as Av1Candidate, Trial as Av1Trial };
