/**
 * A classical codec forced down to our rates: the sequence is shrunk (down to 64x40) and thinned
 * (down to 2 fps, by dropping frames), coded with SVT-AV1 or libaom through ffmpeg, decoded with
 * dav1d, upscaled with lanczos and frame-repeated back to the working geometry and rate. A grid
 * search over size x frame rate x CRF gives every point, and the envelope keeps the best quality
 * reachable at each rate. The R-D harness (bench/rd) uses it as the anchor; an encoder that needs a
 * guide stream can run the same search.
 *
 * Rate: the bytes of the raw AV1 low-overhead OBU stream (AV1 spec section 5) that ffmpeg's `obu`
 * muxer writes: sequence header, temporal delimiters and frames, no IVF/MP4/Matroska container.
 * The temporal delimiters (2 bytes per coded frame) are included and also counted apart.
 *
 * SVT-AV1 (1.4 in Debian 12) refuses pictures under 64 pixels high or wide; there, and whenever
 * libsvtav1 is not in the installed ffmpeg or fails to open, libaom codes the point and the point
 * says so.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Geometry, RgbFrame } from '../../shared/engine/frame.ts';
import { makeFrame } from '../../shared/engine/frame.ts';
import { M3cError, isAbortError, throwIfAborted } from '../../shared/engine/errors.ts';
import { runFfmpeg } from '../media/index.ts';
import { splitObus } from './av1-temporal-units.ts';

export type AnchorEncoder = 'libsvtav1' | 'libaom-av1';

/** Frames per second as a ratio. */
export interface Rate {
  readonly num: number;
  readonly den: number;
}

export interface AnchorTrial {
  /** Coded size, even; at most the working size. */
  readonly width: number;
  readonly height: number;
  /** Coded frame rate, at most the working rate: frames are dropped to reach it. */
  readonly fps: Rate;
  /** CRF, 0..63 for both encoders. */
  readonly crf: number;
}

export interface AnchorGrid {
  readonly sizes: readonly { width: number; height: number }[];
  readonly fps: readonly Rate[];
  readonly crfs: readonly number[];
}

export interface ObuBytes {
  /** Every byte of the OBU stream (what the rate counts). */
  readonly total: number;
  readonly sequenceHeader: number;
  readonly temporalDelimiter: number;
  /** Frame, frame header and tile group OBUs. */
  readonly frame: number;
  readonly other: number;
}

export interface AnchorEncode {
  readonly trial: AnchorTrial;
  readonly encoder: AnchorEncoder;
  /** Why the preferred encoder was not used, when it was not. */
  readonly fallback?: string;
  /** Raw OBU stream bytes, no container. */
  readonly bytes: number;
  readonly obu: ObuBytes;
  readonly codedFrames: number;
  /** Over the working clip: its duration is frames / working rate. */
  readonly kbps: number;
  /** Bits per pixel of the working geometry over all working frames. */
  readonly bpp: number;
  readonly encodeMs: number;
  readonly decodeMs: number;
}

export interface AnchorResult extends AnchorEncode {
  /** The reconstruction at the working geometry and rate, as many frames as the input. */
  readonly frames: RgbFrame[];
}

/** The smallest size of the search, at 512x320's aspect (8:5). */
export const MIN_ANCHOR_SIZE = { width: 64, height: 40 } as const;
export const MIN_ANCHOR_FPS: Rate = { num: 2, den: 1 };
/** SVT-AV1 1.4 refuses a picture under this many pixels high or wide. */
export const SVT_MIN_SIDE = 64;

/** SVT-AV1 preset and libaom cpu-used: the middle of each encoder's speed range. */
const SVT_PRESET = 8;
const AOM_CPU_USED = 6;
/** One keyframe for the whole clip, as a low-rate encoder would use. */
const GOP = 9999;
const DOWNSCALER = 'area+accurate_rnd';
const UPSCALER = 'lanczos+accurate_rnd+full_chroma_int';
export const AV1_DECODER = 'libdav1d';

/**
 * Sizes of the working size's aspect from `min` up to the working size, each side even, in
 * `steps` steps (geometric, so the small end where our rates lie is sampled densely).
 */
export function aspectSizes(working: { width: number; height: number }, minWidth: number, steps: number): { width: number; height: number }[] {
  const out: { width: number; height: number }[] = [];
  for (let i = 0; i < steps; i++) {
    const w = steps === 1 ? working.width : minWidth * Math.pow(working.width / minWidth, i / (steps - 1));
    const width = Math.max(2, 2 * Math.round(w / 2));
    const height = Math.max(2, 2 * Math.round((width * working.height) / working.width / 2));
    if (!out.some((s) => s.width === width)) out.push({ width, height });
  }
  return out;
}

/** The working frame indices coded at `fps` (frame dropping): coded frame k is source frame floor(k * F / f). */
export function keptFrames(count: number, working: Rate, fps: Rate): number[] {
  const out: number[] = [];
  for (let k = 0; ; k++) {
    const i = Math.floor((k * working.num * fps.den) / (working.den * fps.num));
    if (i >= count) return out;
    if (out.length === 0 || out[out.length - 1] !== i) out.push(i);
  }
}

/** Which coded frame shows at each working frame (sample and hold). */
export function repeatMap(count: number, working: Rate, fps: Rate): number[] {
  const kept = keptFrames(count, working, fps);
  const out: number[] = [];
  let k = 0;
  for (let j = 0; j < count; j++) {
    while (k + 1 < kept.length && kept[k + 1] <= j) k++;
    out.push(k);
  }
  return out;
}

/** Sizes per OBU type of a low-overhead OBU stream (every OBU with obu_has_size_field). */
export function obuBytes(stream: Uint8Array): ObuBytes {
  const obus = splitObus(stream);
  if (typeof obus === 'string') throw new M3cError('ffmpeg', `${obus}: not a low-overhead OBU stream`);
  let sequenceHeader = 0;
  let temporalDelimiter = 0;
  let frame = 0;
  let other = 0;
  for (const { type, start, end } of obus) {
    const n = end - start;
    if (type === 1) sequenceHeader += n;
    else if (type === 2) temporalDelimiter += n;
    else if (type === 3 || type === 4 || type === 6) frame += n;
    else other += n;
  }
  return { total: stream.length, sequenceHeader, temporalDelimiter, frame, other };
}

let encodersCache: Promise<Set<string>> | undefined;

/** The video encoders of the installed ffmpeg (`ffmpeg -encoders`), read once per process. */
export function availableEncoders(signal?: AbortSignal): Promise<Set<string>> {
  encodersCache ??= runFfmpeg(['-encoders'], { signal }).then(({ stdout }) => {
    const names = new Set<string>();
    for (const line of stdout.toString('utf8').split('\n')) {
      const m = /^\s*V\S*\s+(\S+)/.exec(line);
      if (m) names.add(m[1]);
    }
    return names;
  });
  encodersCache.catch(() => (encodersCache = undefined));
  return encodersCache;
}

/** The encoder a trial asks for, and why not SVT-AV1 when it is not. */
export function preferredEncoder(trial: AnchorTrial, encoders: ReadonlySet<string>): { encoder: AnchorEncoder; fallback?: string } {
  if (!encoders.has('libaom-av1') && !encoders.has('libsvtav1')) throw new M3cError('ffmpeg', 'the installed ffmpeg has neither libsvtav1 nor libaom-av1');
  if (!encoders.has('libsvtav1')) return { encoder: 'libaom-av1', fallback: 'libsvtav1 is not in the installed ffmpeg' };
  if (trial.width < SVT_MIN_SIDE || trial.height < SVT_MIN_SIDE) {
    if (!encoders.has('libaom-av1')) throw new M3cError('ffmpeg', `SVT-AV1 cannot code ${trial.width}x${trial.height} and the installed ffmpeg has no libaom-av1`);
    return { encoder: 'libaom-av1', fallback: `SVT-AV1 refuses sides under ${SVT_MIN_SIDE} px` };
  }
  return { encoder: 'libsvtav1' };
}

function encoderArgs(encoder: AnchorEncoder, crf: number, preset: number, cpuUsed: number): string[] {
  if (encoder === 'libsvtav1') return ['-c:v', 'libsvtav1', '-preset', String(preset), '-crf', String(crf), '-g', String(GOP)];
  return ['-c:v', 'libaom-av1', '-cpu-used', String(cpuUsed), '-crf', String(crf), '-b:v', '0', '-g', String(GOP), '-threads', '1'];
}

/** How an encoder was run, as the guide section and the reports state it. */
export function encoderSettings(encoder: AnchorEncoder, preset: number, cpuUsed = AOM_CPU_USED): string {
  return encoder === 'libsvtav1' ? `libsvtav1 preset ${preset}` : `libaom-av1 cpu-used ${cpuUsed}`;
}

export interface CodedObu {
  readonly encoder: AnchorEncoder;
  readonly fallback?: string;
  readonly stream: Uint8Array;
  readonly encodeMs: number;
}

/**
 * Codes raw rgb24 frames of `source` size (already at the trial's frame rate, back to back in `input`)
 * with SVT-AV1 (`preset`) or libaom into a raw OBU stream at the trial's size and CRF, written to `file`.
 */
export async function codeObuStream(
  input: Uint8Array,
  source: { width: number; height: number },
  trial: AnchorTrial,
  file: string,
  options: { signal?: AbortSignal; preset: number; encoder?: AnchorEncoder; cpuUsed?: number },
): Promise<CodedObu> {
  const { signal, preset } = options;
  const cpuUsed = options.cpuUsed ?? AOM_CPU_USED;
  const encoders = await availableEncoders(signal);
  if (options.encoder && !encoders.has(options.encoder)) throw new M3cError('ffmpeg', `the installed ffmpeg has no ${options.encoder}`);
  const preferred = options.encoder ? { encoder: options.encoder } : preferredEncoder(trial, encoders);
  const encode = (encoder: AnchorEncoder): Promise<unknown> =>
    runFfmpeg(
      [
        '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${source.width}x${source.height}`, '-framerate', `${trial.fps.num}/${trial.fps.den}`, '-i', 'pipe:0',
        '-vf', `scale=${trial.width}:${trial.height}:flags=${DOWNSCALER},format=yuv420p`,
        ...encoderArgs(encoder, trial.crf, preset, cpuUsed),
        '-f', 'obu', '-y', file,
      ],
      { stdin: input, signal, outputPath: file },
    );
  let encoder = preferred.encoder;
  let fallback = 'fallback' in preferred ? preferred.fallback : undefined;
  const t0 = performance.now();
  try {
    await encode(encoder);
  } catch (e) {
    if (isAbortError(e) || encoder !== 'libsvtav1') throw e;
    if (!encoders.has('libaom-av1')) throw e;
    fallback = `libsvtav1 failed: ${e instanceof Error ? e.message : String(e)}`;
    encoder = 'libaom-av1';
    await encode(encoder);
  }
  const encodeMs = performance.now() - t0;
  const stream = new Uint8Array(await readFile(file));
  return { encoder, ...(fallback ? { fallback } : {}), stream, encodeMs };
}

function checkTrial(trial: AnchorTrial, geometry: Geometry): void {
  const even = (v: number): boolean => Number.isInteger(v) && v >= 2 && v % 2 === 0;
  if (!even(trial.width) || !even(trial.height) || trial.width > geometry.width || trial.height > geometry.height) {
    throw new M3cError('usage', `anchor size ${trial.width}x${trial.height} must be even and within ${geometry.width}x${geometry.height}`);
  }
  const { num, den } = trial.fps;
  if (!(Number.isInteger(num) && num > 0 && Number.isInteger(den) && den > 0) || num * geometry.fpsDen > geometry.fpsNum * den) {
    throw new M3cError('usage', `anchor frame rate ${num}/${den} must be a positive ratio no higher than the working ${geometry.fpsNum}/${geometry.fpsDen}`);
  }
  if (!(Number.isInteger(trial.crf) && trial.crf >= 0 && trial.crf <= 63)) throw new M3cError('usage', `anchor CRF must be an integer in 0..63, got ${trial.crf}`);
}

/**
 * Codes `frames` (the working geometry and rate) as one trial and returns the reconstruction at the
 * working geometry and rate with the figures. Deterministic for a given ffmpeg build.
 */
export async function encodeAnchor(frames: readonly RgbFrame[], geometry: Geometry, trial: AnchorTrial, options: { signal?: AbortSignal } = {}): Promise<AnchorResult> {
  const { signal } = options;
  throwIfAborted(signal);
  checkTrial(trial, geometry);
  if (frames.length === 0) throw new M3cError('input', 'nothing to code: no frames');
  for (const f of frames) {
    if (f.width !== geometry.width || f.height !== geometry.height) throw new M3cError('input', `frame of ${f.width}x${f.height} in a ${geometry.width}x${geometry.height} sequence`);
  }
  const working: Rate = { num: geometry.fpsNum, den: geometry.fpsDen };
  const kept = keptFrames(frames.length, working, trial.fps);
  const input = new Uint8Array(kept.length * geometry.width * geometry.height * 3);
  kept.forEach((i, k) => input.set(frames[i].data, k * geometry.width * geometry.height * 3));

  const dir = await mkdtemp(path.join(tmpdir(), 'm3c-anchor-'));
  try {
    const file = path.join(dir, 'anchor.obu');
    const coded = await codeObuStream(input, geometry, trial, file, { signal, preset: SVT_PRESET });
    const { encoder, fallback, stream, encodeMs } = coded;
    const obu = obuBytes(stream);

    const t1 = performance.now();
    const { stdout } = await runFfmpeg(
      ['-c:v', AV1_DECODER, '-f', 'obu', '-i', file, '-vf', `scale=${geometry.width}:${geometry.height}:flags=${UPSCALER},format=rgb24`, '-fps_mode', 'passthrough', '-f', 'rawvideo', 'pipe:1'],
      { signal },
    );
    const decodeMs = performance.now() - t1;
    const frameBytes = geometry.width * geometry.height * 3;
    if (stdout.length !== kept.length * frameBytes) {
      throw new M3cError('ffmpeg', `${encoder} at ${trial.width}x${trial.height} decoded to ${stdout.length / frameBytes} frames, expected ${kept.length}`);
    }
    const decoded = kept.map((_, k) => makeFrame(geometry.width, geometry.height, new Uint8Array(stdout.buffer, stdout.byteOffset + k * frameBytes, frameBytes)));
    const out = repeatMap(frames.length, working, trial.fps).map((k) => decoded[k]);
    const durationSec = (frames.length * geometry.fpsDen) / geometry.fpsNum;
    const bits = stream.length * 8;
    return {
      trial,
      encoder,
      ...(fallback ? { fallback } : {}),
      bytes: stream.length,
      obu,
      codedFrames: kept.length,
      kbps: bits / durationSec / 1000,
      bpp: bits / (geometry.width * geometry.height * frames.length),
      encodeMs,
      decodeMs,
      frames: out,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The points that no other point beats: sorted by rate, each kept only when its quality is above
 * every cheaper point's (at equal rate the best quality). Rate and quality both strictly increase
 * along the result: the best quality reachable at each rate.
 */
export function paretoEnvelope<T>(items: readonly T[], rate: (t: T) => number, quality: (t: T) => number): T[] {
  const sorted = items.filter((t) => Number.isFinite(rate(t)) && Number.isFinite(quality(t))).sort((a, b) => rate(a) - rate(b) || quality(b) - quality(a));
  const out: T[] = [];
  let best = -Infinity;
  for (const t of sorted) {
    if (quality(t) > best) {
      best = quality(t);
      out.push(t);
    }
  }
  return out;
}

export interface AnchorPoint<M> extends AnchorEncode {
  readonly metrics: M;
}

export interface AnchorSearchOptions<M> {
  /** Measures a reconstruction (working geometry and rate, as many frames as the input). */
  readonly measure: (reconstruction: readonly RgbFrame[], point: AnchorEncode) => M | Promise<M>;
  /** The quality the envelope maximises. */
  readonly quality: (metrics: M) => number;
  readonly signal?: AbortSignal;
  readonly onPoint?: (done: number, total: number, point: AnchorPoint<M>) => void;
}

export interface AnchorSearchResult<M> {
  /** Every trial of the grid, in grid order (size, then frame rate, then CRF). */
  readonly points: AnchorPoint<M>[];
  /** The best quality reachable at each rate (by `quality`), rate increasing. */
  readonly envelope: AnchorPoint<M>[];
}

export function gridTrials(grid: AnchorGrid): AnchorTrial[] {
  return grid.sizes.flatMap((s) => grid.fps.flatMap((fps) => grid.crfs.map((crf) => ({ width: s.width, height: s.height, fps, crf }))));
}

/** Codes every trial of `grid`, measures each reconstruction (then drops its frames) and keeps the envelope. */
export async function searchAnchors<M>(frames: readonly RgbFrame[], geometry: Geometry, grid: AnchorGrid, options: AnchorSearchOptions<M>): Promise<AnchorSearchResult<M>> {
  const trials = gridTrials(grid);
  const points: AnchorPoint<M>[] = [];
  for (const trial of trials) {
    throwIfAborted(options.signal);
    const { frames: rec, ...figures } = await encodeAnchor(frames, geometry, trial, { signal: options.signal });
    const point = { ...figures, metrics: await options.measure(rec, figures) };
    points.push(point);
    options.onPoint?.(points.length, trials.length, point);
  }
  return { points, envelope: paretoEnvelope(points, (p) => p.kbps, (p) => options.quality(p.metrics)) };
}
