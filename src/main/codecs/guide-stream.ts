/**
 * The guide stream of a guided .m3c (issue 10, bitstream v2): the whole video at a reduced size and
 * frame rate, coded as one AV1 low-overhead OBU stream through ffmpeg (SVT-AV1, libaom where SVT-AV1
 * refuses the size) by the same encoder call as the classical anchor (anchor-search.ts), and decoded by
 * dav1d to yuv420p, which is bit-exact by the AV1 specification; the RGB conversion is ours, in integers
 * (shared/vision/yuv.ts). So a guide decodes to the same RGB bytes on every machine with any conforming
 * AV1 decoder.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RgbFrame } from '../../shared/engine/frame.ts';
import { M3cError, throwIfAborted } from '../../shared/engine/errors.ts';
import type { M3cGuide } from '../../shared/bitstream/index.ts';
import { yuv420pBytes, yuv420pToRgb } from '../../shared/vision/index.ts';
import { runFfmpeg } from '../media/index.ts';
import { AV1_DECODER, codeObuStream, encoderSettings, keptFrames, type AnchorTrial, type Rate } from './anchor-search.ts';
import { leanObuStream, restoreTemporalDelimiters } from './av1-temporal-units.ts';

/** A guide stream as the encoder coded it (the form of version-2 files; kept where the lean form would not round-trip). */
export const GUIDE_CODEC_ID = 'av1-obu';
/** The same without its temporal delimiters, which the decoder puts back (av1-temporal-units.ts): what new encodes write. */
export const GUIDE_LEAN_CODEC_ID = 'av1-obu-lean';
/**
 * SVT-AV1 preset of the guide. At guide sizes (at most 192x120) a slower preset costs little time; see
 * docs/guided.md for the bytes it saves against the anchor's preset 8.
 */
export const GUIDE_PRESET = 6;

/**
 * The encoder of the guide: 'svt' (SVT-AV1 at GUIDE_PRESET, libaom where SVT-AV1 refuses the size; the
 * search's) or 'aom-slow' (libaom at cpu-used GUIDE_AOM_CPU_USED: about a fifth fewer bytes than SVT-AV1
 * preset 6 at equal PSNR-Y on our guide sizes, measured on the training clip 01_dog, at 3-4x the time).
 */
export type GuideEncoder = 'svt' | 'aom-slow';
export const GUIDE_AOM_CPU_USED = 3;

export interface EncodedGuide {
  readonly guide: M3cGuide;
  readonly codedFrames: number;
  readonly encodeMs: number;
  readonly fallback?: string;
}

/**
 * Codes the guide of a video from its frames at `source` size (any size at least the trial's, all the
 * working frames in order, at the working rate): frames are dropped to the trial's rate, shrunk with
 * ffmpeg's area filter and coded at the trial's CRF. The stream is kept lean (without temporal delimiters) where
 * that round-trips, so its length is what the file stores.
 */
export async function encodeGuide(frames: readonly RgbFrame[], working: Rate, trial: AnchorTrial, options: { signal?: AbortSignal; preset?: number; encoder?: GuideEncoder } = {}): Promise<EncodedGuide> {
  const { signal } = options;
  const preset = options.preset ?? GUIDE_PRESET;
  const slow = options.encoder === 'aom-slow';
  throwIfAborted(signal);
  if (frames.length === 0) throw new M3cError('input', 'nothing to code: no frames');
  const { width, height } = frames[0];
  const kept = keptFrames(frames.length, working, trial.fps);
  const size = width * height * 3;
  const input = new Uint8Array(kept.length * size);
  kept.forEach((i, k) => input.set(frames[i].data, k * size));
  const dir = await mkdtemp(path.join(tmpdir(), 'm3c-guide-'));
  try {
    const coded = await codeObuStream(input, { width, height }, trial, path.join(dir, 'guide.obu'), slow ? { signal, preset, encoder: 'libaom-av1', cpuUsed: GUIDE_AOM_CPU_USED } : { signal, preset });
    const lean = leanObuStream(coded.stream);
    return {
      guide: {
        codecId: lean ? GUIDE_LEAN_CODEC_ID : GUIDE_CODEC_ID,
        width: trial.width,
        height: trial.height,
        fpsNum: trial.fps.num,
        fpsDen: trial.fps.den,
        quantizer: trial.crf,
        encoder: encoderSettings(coded.encoder, preset, slow ? GUIDE_AOM_CPU_USED : undefined),
        stream: lean ?? coded.stream,
      },
      codedFrames: kept.length,
      encodeMs: coded.encodeMs,
      ...(coded.fallback ? { fallback: coded.fallback } : {}),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The guide's coded frames of a video of `frameCount` frames at `working` rate: their working frame indices. */
export function guideFrameIndices(guide: Pick<M3cGuide, 'fpsNum' | 'fpsDen'>, frameCount: number, working: Rate): number[] {
  return keptFrames(frameCount, working, { num: guide.fpsNum, den: guide.fpsDen });
}

/**
 * Decodes every coded frame of a guide to RGB at the guide's size. A stream that does not decode to
 * exactly `expected` frames of the guide's size is a corrupt bitstream.
 */
export async function decodeGuide(guide: M3cGuide, expected: number, options: { signal?: AbortSignal } = {}): Promise<RgbFrame[]> {
  const { signal } = options;
  if (guide.codecId !== GUIDE_CODEC_ID && guide.codecId !== GUIDE_LEAN_CODEC_ID) throw new M3cError('corrupt-bitstream', `guide codec "${guide.codecId}" is not one this build decodes`);
  const stream = guide.codecId === GUIDE_LEAN_CODEC_ID ? restoreTemporalDelimiters(guide.stream) : guide.stream;
  let stdout: Buffer;
  try {
    ({ stdout } = await runFfmpeg(['-c:v', AV1_DECODER, '-f', 'obu', '-i', 'pipe:0', '-fps_mode', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', 'pipe:1'], { stdin: stream, signal }));
  } catch (e) {
    if (e instanceof M3cError && e.code === 'ffmpeg' && !signal?.aborted) throw new M3cError('corrupt-bitstream', `the guide stream does not decode: ${e.message}`);
    throw e;
  }
  const picture = yuv420pBytes(guide.width, guide.height);
  if (stdout.length !== expected * picture) {
    throw new M3cError('corrupt-bitstream', `the guide stream decodes to ${(stdout.length / picture).toFixed(2)} pictures of ${guide.width}x${guide.height}, the file needs ${expected}`);
  }
  const frames: RgbFrame[] = [];
  for (let k = 0; k < expected; k++) {
    throwIfAborted(signal);
    frames.push(yuv420pToRgb(new Uint8Array(stdout.buffer, stdout.byteOffset + k * picture, picture), guide.width, guide.height));
  }
  return frames;
}
