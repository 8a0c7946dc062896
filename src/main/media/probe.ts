import path from 'node:path';
import { M3cError, cancelled, throwIfAborted } from '../../shared/engine/errors.ts';
import { MediaJob } from './job.ts';
import { locateFfmpeg } from './locate.ts';
import { assertRegularFile } from '../util/input-file.ts';

export interface ProbeInfo {
  /** Picture size in pixels with the rotation metadata applied (portrait video is taller than wide). */
  width: number;
  height: number;
  /**
   * Sample (pixel) aspect ratio of the stored pictures, 1/1 for square pixels. carphone.mp4 has
   * 128/117: a player shows its 176x144 pixels as 193x144. See displaySize().
   */
  sarNum: number;
  sarDen: number;
  /** Size of the pictures as stored in the stream. */
  codedWidth: number;
  codedHeight: number;
  /** Counter-clockwise display rotation in degrees (0, 90, 180, 270), ffmpeg's display-matrix convention. */
  rotation: number;
  fpsNum: number;
  fpsDen: number;
  durationSec: number;
  /** From the stream header when it has one (frameCountExact), otherwise duration x fps. */
  frameCount: number;
  frameCountExact: boolean;
  codec: string;
  pixFmt: string;
}

interface FfprobeStream {
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  pix_fmt?: string;
  r_frame_rate?: string;
  avg_frame_rate?: string;
  sample_aspect_ratio?: string;
  nb_frames?: string;
  nb_read_packets?: string;
  duration?: string;
  disposition?: { attached_pic?: number };
  side_data_list?: { side_data_type?: string; rotation?: number }[];
}

interface FfprobeOutput {
  streams?: FfprobeStream[];
  format?: { duration?: string; format_name?: string };
}

/**
 * The demuxers (ffmpeg names) a source may be read with: the containers the product supports, none
 * that reads other files or URLs. mov covers mp4/m4v/mov/3gp, matroska covers mkv/webm; yuv4mpegpipe is
 * y4m; mpegts, h264 and hevc are camera streams. Playlists and lists (hls, concat, image2 patterns,
 * dash, ...) are refused: ffmpeg would read whatever files they name, outside every allowed folder.
 */
export const SOURCE_DEMUXERS: readonly string[] = ['mov', 'matroska', 'avi', 'yuv4mpegpipe', 'mpegts', 'h264', 'hevc'];
/** Single still images (benchmarks and tests read Kodak PNGs): the one-file pipe demuxers, never image2's patterns. */
export const IMAGE_DEMUXERS: readonly string[] = ['png_pipe', 'jpeg_pipe', 'webp_pipe', 'bmp_pipe', 'tiff_pipe', 'ppm_pipe'];
/** Said in refusals: the names a user knows. */
export const SUPPORTED_CONTAINERS = 'mp4, mov, m4v, mkv, webm, avi, y4m, ts, raw H.264/H.265';

/**
 * Input options for ffmpeg and ffprobe in front of every user source: local files only (no http, no
 * other protocol even from inside a container) and only the SOURCE_DEMUXERS, whatever the file's name.
 */
export function sourceInputOptions(demuxers: readonly string[] = SOURCE_DEMUXERS): string[] {
  return ['-protocol_whitelist', 'file', '-format_whitelist', demuxers.join(',')];
}

/** `-i <file>` for ffmpeg, guarded by sourceInputOptions(). */
export function sourceInputArgs(file: string, demuxers: readonly string[] = SOURCE_DEMUXERS): string[] {
  return [...sourceInputOptions(demuxers), '-i', path.resolve(file)];
}

function unsupportedContainer(file: string, format: string | undefined): M3cError {
  const what = format ? `a ${format} file` : 'not in a supported container';
  return new M3cError('input', `${file} is ${what}: sources must be ${SUPPORTED_CONTAINERS} (playlists and concat lists are refused)`);
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** "30000/1001" or "16:15" as a reduced positive rational; null for 0/0, N/A and the like. */
export function parseRational(text: string | undefined): [number, number] | null {
  const m = /^(\d+)[/:](\d+)$/.exec(text?.trim() ?? '');
  if (!m) return null;
  const num = Number(m[1]);
  const den = Number(m[2]);
  if (num <= 0 || den <= 0) return null;
  const g = gcd(num, den);
  return [num / g, den / g];
}

function positive(text: string | undefined): number | undefined {
  const v = Number(text);
  return text !== undefined && Number.isFinite(v) && v > 0 ? v : undefined;
}

/** ffprobe refused the container (not in SOURCE_DEMUXERS); `format` is the demuxer it detected. */
class NotWhitelisted extends M3cError {
  constructor(readonly format: string | undefined) {
    super('input', 'container not on the whitelist');
  }
}

async function ffprobeJson(args: string[], signal: AbortSignal | undefined, demuxers: readonly string[]): Promise<FfprobeOutput | M3cError> {
  const { ffprobe } = locateFfmpeg();
  const job = new MediaJob(ffprobe, ['-v', 'error', '-hide_banner', '-of', 'json', ...sourceInputOptions(demuxers), ...args], {
    tool: 'ffprobe',
    signal,
    collectStdout: true,
  });
  try {
    await job.done;
  } catch (e) {
    // ffprobe ran and refused the file: a verdict on the input. Not starting at all is not.
    if (e instanceof M3cError && e.code === 'ffmpeg' && job.started) {
      const refused = /\[([\w-]+) @ 0x[0-9a-f]+\] Format not on whitelist/i.exec(job.stderr) ?? /Format not on whitelist/i.exec(job.stderr);
      return refused ? new NotWhitelisted(refused[1]) : e;
    }
    throw e;
  }
  return JSON.parse(job.collectedStdout.toString('utf8')) as FfprobeOutput;
}

/**
 * Reads the geometry, rate and length of the first video stream of `file`, read only by one of
 * `demuxers` (default: the source containers; IMAGE_DEMUXERS for still images).
 */
export async function probe(file: string, signal?: AbortSignal, demuxers: readonly string[] = SOURCE_DEMUXERS): Promise<ProbeInfo> {
  throwIfAborted(signal);
  const abs = path.resolve(file);
  await assertRegularFile(file);
  const out = await ffprobeJson(['-show_streams', '-show_format', abs], signal, demuxers);
  if (out instanceof NotWhitelisted) throw unsupportedContainer(file, out.format);
  if (out instanceof M3cError) {
    throw new M3cError('input', `${file} is not a video ffmpeg can read`, { cause: out });
  }
  // The whitelist already chose the demuxer; the reported format_name must agree (never trust one check).
  const reported = (out.format?.format_name ?? '').split(',');
  if (!reported.some((d) => demuxers.includes(d))) throw unsupportedContainer(file, out.format?.format_name);
  const stream = out.streams?.find((s) => s.codec_type === 'video' && s.disposition?.attached_pic !== 1);
  if (!stream) throw new M3cError('input', `${file} has no video stream`);
  const codedWidth = stream.width ?? 0;
  const codedHeight = stream.height ?? 0;
  if (codedWidth <= 0 || codedHeight <= 0) throw new M3cError('input', `${file}: its video stream has no picture size`);

  const fps = parseRational(stream.avg_frame_rate) ?? parseRational(stream.r_frame_rate);
  if (!fps) throw new M3cError('input', `${file}: its video stream has no frame rate`);
  const [fpsNum, fpsDen] = fps;

  const matrix = stream.side_data_list?.find((d) => typeof d.rotation === 'number');
  const rotation = ((Math.round((matrix?.rotation ?? 0) / 90) * 90) % 360 + 360) % 360;
  const sar = parseRational(stream.sample_aspect_ratio) ?? [1, 1];
  const quarterTurn = rotation === 90 || rotation === 270;

  const headerFrames = stream.nb_frames === undefined ? undefined : Number(stream.nb_frames);
  if (headerFrames === 0) throw new M3cError('input', `${file} has no video frames`);
  let durationSec = positive(stream.duration) ?? positive(out.format?.duration);
  let frameCount: number;
  let frameCountExact: boolean;
  if (headerFrames !== undefined && Number.isInteger(headerFrames) && headerFrames > 0) {
    frameCount = headerFrames;
    frameCountExact = true;
    durationSec ??= (frameCount * fpsDen) / fpsNum;
  } else if (durationSec !== undefined) {
    frameCount = Math.max(1, Math.round((durationSec * fpsNum) / fpsDen));
    frameCountExact = false;
  } else {
    // Neither a frame count nor a duration in the headers (e.g. a raw .h264 stream): count packets.
    frameCount = await countPackets(abs, file, signal, demuxers);
    frameCountExact = true;
    durationSec = (frameCount * fpsDen) / fpsNum;
  }

  return {
    width: quarterTurn ? codedHeight : codedWidth,
    height: quarterTurn ? codedWidth : codedHeight,
    sarNum: sar[0],
    sarDen: sar[1],
    codedWidth,
    codedHeight,
    rotation,
    fpsNum,
    fpsDen,
    durationSec,
    frameCount,
    frameCountExact,
    codec: stream.codec_name ?? 'unknown',
    pixFmt: stream.pix_fmt ?? 'unknown',
  };
}

/** The size a player shows: rotation and the sample aspect ratio both applied. */
export function displaySize(info: ProbeInfo): { width: number; height: number } {
  const stretched = Math.max(1, Math.round((info.codedWidth * info.sarNum) / info.sarDen));
  const quarterTurn = info.rotation === 90 || info.rotation === 270;
  return quarterTurn
    ? { width: info.codedHeight, height: stretched }
    : { width: stretched, height: info.codedHeight };
}

async function countPackets(abs: string, file: string, signal: AbortSignal | undefined, demuxers: readonly string[]): Promise<number> {
  const out = await ffprobeJson(
    ['-select_streams', 'v:0', '-count_packets', '-show_entries', 'stream=nb_read_packets', abs],
    signal,
    demuxers,
  );
  if (signal?.aborted) throw cancelled();
  const n = out instanceof M3cError ? 0 : Number(out.streams?.[0]?.nb_read_packets ?? 0);
  if (!(n > 0)) throw new M3cError('input', `${file} has no video frames`);
  return n;
}
