/**
 * Images and proxies the studio shows, made by ffmpeg from the source at the working geometry and cached
 * on disk in the project's folder: a filmstrip of thumbnails (one ffmpeg pass for all frames), single-frame
 * previews on demand, and a working-geometry mp4 proxy of the source for the compare view.
 */
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Geometry } from '../../shared/engine/frame.ts';
import { displaySize, fitFilters, runFfmpeg, type ProbeInfo } from '../media/index.ts';

export const THUMB_WIDTH = 160;

export function thumbSize(g: Geometry): { width: number; height: number } {
  const height = Math.max(2, 2 * Math.round((THUMB_WIDTH * g.height) / g.width / 2));
  return { width: THUMB_WIDTH, height };
}

const fps = (g: Geometry): string => `fps=${g.fpsNum}/${g.fpsDen}`;

/** Serialises concurrent requests for the same file so each is made once. */
export class OnceMaker {
  private readonly inFlight = new Map<string, Promise<string>>();

  async make(file: string, build: (tmp: string) => Promise<void>): Promise<string> {
    if (existsSync(file)) return file;
    const pending = this.inFlight.get(file);
    if (pending) return pending;
    const p = (async () => {
      await mkdir(path.dirname(file), { recursive: true });
      const tmp = `${file}.${process.pid}.tmp${path.extname(file)}`;
      try {
        await build(tmp);
        await rename(tmp, file);
      } finally {
        await rm(tmp, { force: true });
      }
      return file;
    })().finally(() => this.inFlight.delete(file));
    this.inFlight.set(file, p);
    return p;
  }
}

export function cacheDir(projectDir: string, sourceId: number, g: Geometry): string {
  return path.join(projectDir, 'cache', `source-${sourceId}`, `${g.width}x${g.height}@${g.fpsNum}-${g.fpsDen}`);
}

export function thumbFile(dir: string, frame: number): string {
  return path.join(dir, 'thumbs', `${frame}.jpg`);
}

/** All thumbnails in one pass: frame n of the working rate becomes thumbs/n.jpg. */
export async function makeAllThumbnails(source: string, info: ProbeInfo, g: Geometry, dir: string, signal?: AbortSignal): Promise<void> {
  const out = path.join(dir, 'thumbs');
  await mkdir(out, { recursive: true });
  const filters = [fps(g), ...fitFilters(displaySize(info), thumbSize(g), 'crop')].join(',');
  await runFfmpeg(['-i', source, '-an', '-vf', filters, '-c:v', 'mjpeg', '-q:v', '5', '-start_number', '0', '-f', 'image2', path.join(out, '%d.jpg')], {
    signal,
  });
}

/** One frame of the working rate as a JPEG at `size`. */
export async function makeFrameJpeg(source: string, info: ProbeInfo, g: Geometry, frame: number, size: { width: number; height: number }, out: string): Promise<void> {
  // Seeking before the input keeps it fast on long videos; the fps filter then picks the frame at that instant.
  const t = (frame * g.fpsDen) / g.fpsNum;
  const filters = [fps(g), ...fitFilters(displaySize(info), size, 'crop')].join(',');
  await runFfmpeg(['-ss', t.toFixed(4), '-i', source, '-an', '-vf', filters, '-frames:v', '1', '-c:v', 'mjpeg', '-q:v', '3', '-f', 'image2', '-y', out], {
    outputPath: out,
  });
}

/** The source at the working geometry and rate as a small H.264 mp4, for synchronised playback beside the reconstruction. */
export async function makeProxyMp4(source: string, info: ProbeInfo, g: Geometry, out: string, signal?: AbortSignal): Promise<void> {
  const filters = [fps(g), ...fitFilters(displaySize(info), g, 'crop'), 'format=yuv420p'].join(',');
  await runFfmpeg(
    ['-i', source, '-an', '-vf', filters, '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-movflags', '+faststart', '-f', 'mp4', '-y', out],
    { signal, outputPath: out },
  );
}
