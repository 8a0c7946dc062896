/**
 * Full-size classical anchors of `m3c bench rd` (issue 9): x264 and x265 (preset veryslow, a QP
 * sweep up to 51) and SVT-AV1 (a CRF sweep up to 63) at the working geometry (512x320, 8 fps), as
 * their own curves beside the forced-down envelope (src/main/codecs/anchor-search.ts).
 *
 * Rate: the raw elementary stream, no container: Annex B byte stream for H.264 and HEVC (ffmpeg
 * `-f h264` / `-f hevc`: start codes, parameter sets, slices) and the low-overhead OBU stream for AV1
 * (`-f obu`). One keyframe for the whole clip, as for the forced-down anchor. A codec the installed
 * ffmpeg lacks is skipped, and the report says why.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Geometry, RgbFrame } from '../../src/shared/engine/frame.ts';
import { makeFrame } from '../../src/shared/engine/frame.ts';
import { M3cError, throwIfAborted } from '../../src/shared/engine/errors.ts';
import { runFfmpeg } from '../../src/main/media/index.ts';

export type ClassicalCodec = 'x264' | 'x265' | 'svt-av1';

export interface ClassicalCodecSpec {
  readonly codec: ClassicalCodec;
  /** The ffmpeg encoder it needs. */
  readonly encoder: 'libx264' | 'libx265' | 'libsvtav1';
  /** What the sweep varies. */
  readonly knob: 'qp' | 'crf';
  readonly maxKnob: number;
  /** The ffmpeg muxer of the raw stream, and what the rate counts. */
  readonly muxer: 'h264' | 'hevc' | 'obu';
  readonly stream: string;
  /** The settings, as the report states them. */
  readonly settings: string;
}

const GOP = 9999;
/** SVT-AV1's slowest presets take minutes per second of video on 2 cores; 4 is its "slow" end of the practical range. */
const SVT_FULL_PRESET = 4;

export const CLASSICAL_CODECS: readonly ClassicalCodecSpec[] = [
  { codec: 'x264', encoder: 'libx264', knob: 'qp', maxKnob: 51, muxer: 'h264', stream: 'H.264 Annex B byte stream', settings: `libx264 preset veryslow, constant QP, one keyframe (-g ${GOP})` },
  { codec: 'x265', encoder: 'libx265', knob: 'qp', maxKnob: 51, muxer: 'hevc', stream: 'HEVC Annex B byte stream', settings: `libx265 preset veryslow, constant QP, one keyframe (keyint ${GOP})` },
  { codec: 'svt-av1', encoder: 'libsvtav1', knob: 'crf', maxKnob: 63, muxer: 'obu', stream: 'AV1 low-overhead OBU stream', settings: `libsvtav1 preset ${SVT_FULL_PRESET}, CRF, one keyframe (-g ${GOP})` },
];

export const classicalSpec = (codec: ClassicalCodec): ClassicalCodecSpec => {
  const s = CLASSICAL_CODECS.find((c) => c.codec === codec);
  if (!s) throw new M3cError('usage', `unknown classical codec ${codec}`);
  return s;
};

/** The sweep per codec (QP for x264/x265, CRF for SVT-AV1), coarsest first. */
export type ClassicalSweep = Readonly<Record<ClassicalCodec, readonly number[]>>;

function encoderArgs(spec: ClassicalCodecSpec, q: number): string[] {
  if (spec.codec === 'x264') return ['-c:v', 'libx264', '-preset', 'veryslow', '-qp', String(q), '-g', String(GOP), '-threads', '2'];
  if (spec.codec === 'x265') return ['-c:v', 'libx265', '-preset', 'veryslow', '-x265-params', `qp=${q}:keyint=${GOP}:min-keyint=${GOP}:log-level=error:pools=2`];
  return ['-c:v', 'libsvtav1', '-preset', String(SVT_FULL_PRESET), '-crf', String(q), '-g', String(GOP)];
}

export interface ClassicalEncode {
  readonly codec: ClassicalCodec;
  /** QP (x264, x265) or CRF (SVT-AV1). */
  readonly q: number;
  /** Raw stream bytes (Annex B or OBU), no container. */
  readonly bytes: number;
  readonly kbps: number;
  readonly bpp: number;
  readonly encodeMs: number;
  readonly decodeMs: number;
}

/** Codes `frames` (working geometry and rate) at full size with one codec and setting; returns the figures and the reconstruction. */
export async function encodeClassical(frames: readonly RgbFrame[], geometry: Geometry, codec: ClassicalCodec, q: number, options: { signal?: AbortSignal } = {}): Promise<ClassicalEncode & { frames: RgbFrame[] }> {
  const { signal } = options;
  throwIfAborted(signal);
  const spec = classicalSpec(codec);
  if (!(Number.isInteger(q) && q >= 0 && q <= spec.maxKnob)) throw new M3cError('usage', `${codec} ${spec.knob.toUpperCase()} must be an integer in 0..${spec.maxKnob}, got ${q}`);
  if (frames.length === 0) throw new M3cError('input', 'nothing to code: no frames');
  const frameBytes = geometry.width * geometry.height * 3;
  const input = new Uint8Array(frames.length * frameBytes);
  frames.forEach((f, i) => {
    if (f.data.length !== frameBytes) throw new M3cError('input', `frame of ${f.width}x${f.height} in a ${geometry.width}x${geometry.height} sequence`);
    input.set(f.data, i * frameBytes);
  });
  const dir = await mkdtemp(path.join(tmpdir(), 'm3c-classical-'));
  try {
    const file = path.join(dir, `anchor.${spec.muxer}`);
    const t0 = performance.now();
    await runFfmpeg(
      ['-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${geometry.width}x${geometry.height}`, '-framerate', `${geometry.fpsNum}/${geometry.fpsDen}`, '-i', 'pipe:0', '-vf', 'format=yuv420p', ...encoderArgs(spec, q), '-f', spec.muxer, '-y', file],
      { stdin: input, signal, outputPath: file },
    );
    const encodeMs = performance.now() - t0;
    const bytes = (await readFile(file)).length;
    const t1 = performance.now();
    const { stdout } = await runFfmpeg(['-f', spec.muxer, '-i', file, '-vf', 'format=rgb24', '-fps_mode', 'passthrough', '-f', 'rawvideo', 'pipe:1'], { signal });
    const decodeMs = performance.now() - t1;
    if (stdout.length !== frames.length * frameBytes) throw new M3cError('ffmpeg', `${codec} ${spec.knob} ${q} decoded to ${stdout.length / frameBytes} frames, expected ${frames.length}`);
    const rec = frames.map((_, k) => makeFrame(geometry.width, geometry.height, new Uint8Array(stdout.buffer, stdout.byteOffset + k * frameBytes, frameBytes)));
    const bits = bytes * 8;
    const durationSec = (frames.length * geometry.fpsDen) / geometry.fpsNum;
    return { codec, q, bytes, kbps: bits / durationSec / 1000, bpp: bits / (frameBytes / 3) / frames.length, encodeMs, decodeMs, frames: rec };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Why a codec is skipped with the installed encoders, or undefined when it can run. */
export function classicalSkipReason(codec: ClassicalCodec, encoders: ReadonlySet<string>): string | undefined {
  const spec = classicalSpec(codec);
  return encoders.has(spec.encoder) ? undefined : `${spec.encoder} is not in the installed ffmpeg`;
}
