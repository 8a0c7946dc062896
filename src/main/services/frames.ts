/**
 * Images and proxies the studio shows, made by ffmpeg from the source at the working geometry and cached
 * in the project's folder (paths from store/layout.ts): a filmstrip of thumbnails (one ffmpeg pass for all
 * frames), single-frame previews on demand, and a working-geometry mp4 proxy of the source for the compare
 * view. Each is fitted by the geometry's fit, as the pipeline's frames are (pipeline/working-frames.ts).
 */
import { statSync } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { M3cError } from '../../shared/engine/errors.ts';
import type { Geometry } from '../../shared/engine/frame.ts';
import type { WorkingGeometry } from '../../shared/api/contract.ts';
import { THUMBS_DIR } from '../store/layout.ts';
import { isInside } from './paths.ts';
import { displaySize, fitFilters, runFfmpeg, sourceInputArgs, type ProbeInfo } from '../media/index.ts';
import { fitOf } from '../media/geometry.ts';

export const THUMB_WIDTH = 160;

export function thumbSize(g: Geometry): { width: number; height: number } {
  const height = Math.max(2, 2 * Math.round((THUMB_WIDTH * g.height) / g.width / 2));
  return { width: THUMB_WIDTH, height };
}

const fps = (g: Geometry): string => `fps=${g.fpsNum}/${g.fpsDen}`;

/** The working rate, then the picture fitted into `size` by the geometry's fit. */
const workingFilters = (info: ProbeInfo, g: WorkingGeometry, size: { width: number; height: number }): string[] => [fps(g), ...fitFilters(displaySize(info), size, fitOf(g))];

/** Thrown when a bounded queue (previews) is full: transports answer it with 503 and Retry-After. */
export class BusyError extends M3cError {
  readonly retryAfterSec: number;
  constructor(message: string, retryAfterSec = 1) {
    super('internal', message);
    this.name = 'BusyError';
    this.retryAfterSec = retryAfterSec;
  }
}

/** A cached file counts only when it exists and is not empty (a zero-length leftover is made again). */
function usable(file: string): boolean {
  try {
    return statSync(file).size > 0;
  } catch {
    return false;
  }
}

/** Serialises concurrent requests for the same file so each is made once; files appear only complete (temp + rename). */
export class OnceMaker {
  private readonly inFlight = new Map<string, Promise<string>>();

  async make(file: string, build: (tmp: string) => Promise<void>): Promise<string> {
    if (usable(file)) return file;
    const pending = this.inFlight.get(file);
    if (pending) return pending;
    const p = (async () => {
      await mkdir(path.dirname(file), { recursive: true });
      const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp${path.extname(file)}`;
      try {
        await build(tmp);
        if (!usable(tmp)) throw new M3cError('input', 'the video has no frame there (past its end?)');
        await rename(tmp, file);
      } finally {
        await rm(tmp, { force: true });
      }
      return file;
    })().finally(() => this.inFlight.delete(file));
    this.inFlight.set(file, p);
    return p;
  }

  /** Waits until nothing is being made under `dir` (before the folder is removed). */
  async settleUnder(dir: string): Promise<void> {
    const pending = [...this.inFlight].filter(([file]) => isInside(file, dir)).map(([, p]) => p.catch(() => undefined));
    await Promise.all(pending);
  }
}

/**
 * All thumbnails in one pass into the cache folder `dir` (ProjectLayout.cacheDir): frame n of the working
 * rate becomes thumbs/n.jpg. ffmpeg writes into a fresh
 * temporary folder beside thumbs/; only when it has finished are the files renamed into thumbs/, so a
 * cancelled or failed pass never leaves a truncated thumbnail where it would be served.
 */
export async function makeAllThumbnails(source: string, info: ProbeInfo, g: WorkingGeometry, dir: string, signal?: AbortSignal): Promise<void> {
  const out = path.join(dir, THUMBS_DIR);
  await mkdir(out, { recursive: true });
  // Folders left by a process killed mid-pass (untouched for 10 minutes: a live pass keeps adding files).
  for (const name of await readdir(dir)) {
    const stale = path.join(dir, name);
    if (/^\.thumbs-[0-9a-f]+\.tmp$/.test(name) && Date.now() - statSync(stale).mtimeMs > 10 * 60_000) await rm(stale, { recursive: true, force: true });
  }
  const tmp = path.join(dir, `.thumbs-${randomBytes(6).toString('hex')}.tmp`);
  await mkdir(tmp);
  try {
    const filters = workingFilters(info, g, thumbSize(g)).join(',');
    await runFfmpeg([...sourceInputArgs(source), '-an', '-vf', filters, '-c:v', 'mjpeg', '-q:v', '5', '-start_number', '0', '-f', 'image2', path.join(tmp, '%d.jpg')], {
      signal,
    });
    for (const name of await readdir(tmp)) {
      if (signal?.aborted) break;
      if (/^\d+\.jpg$/.test(name) && usable(path.join(tmp, name))) await rename(path.join(tmp, name), path.join(out, name));
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** One frame of the working rate as a JPEG at `size`. */
export async function makeFrameJpeg(source: string, info: ProbeInfo, g: WorkingGeometry, frame: number, size: { width: number; height: number }, out: string): Promise<void> {
  // Seeking before the input keeps it fast on long videos; the fps filter then picks the frame at that instant.
  const t = (frame * g.fpsDen) / g.fpsNum;
  const filters = workingFilters(info, g, size).join(',');
  await runFfmpeg(['-ss', t.toFixed(4), ...sourceInputArgs(source), '-an', '-vf', filters, '-frames:v', '1', '-c:v', 'mjpeg', '-q:v', '3', '-f', 'image2', '-y', out], {
    outputPath: out,
  });
}

/** The source at the working geometry and rate as a small H.264 mp4, for synchronised playback beside the reconstruction. */
export async function makeProxyMp4(source: string, info: ProbeInfo, g: WorkingGeometry, out: string, signal?: AbortSignal): Promise<void> {
  const filters = [...workingFilters(info, g, g), 'format=yuv420p'].join(',');
  await runFfmpeg(
    [...sourceInputArgs(source), '-an', '-vf', filters, '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-movflags', '+faststart', '-f', 'mp4', '-y', out],
    { signal, outputPath: out },
  );
}
