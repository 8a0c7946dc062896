/**
 * The images the benchmark codes: the Kodak set as stored (portrait ones at 512x768, not transposed)
 * and the keyframes that the default selection picks in the evaluation clips at the default geometry.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Geometry, RgbFrame } from '../../src/shared/engine/frame.ts';
import { M3cError } from '../../src/shared/engine/errors.ts';
import type { ProgressListener } from '../../src/shared/engine/progress.ts';
import { DEFAULT_SELECTION } from '../../src/shared/keyframes/index.ts';
import { decodeFrames, pickFrames, readImage } from '../../src/main/media/index.ts';
import { analyzeVideo } from '../../src/main/pipeline/select.ts';
import { createEngine, DEFAULT_GEOMETRY } from '../../src/main/pipeline/engine.ts';
import { clipPath, EVALUATION_CLIPS, kodakDir } from '../media.ts';
import { KODAK_CROP, type BenchSet } from './definitions.ts';
import type { Rect } from './panels.ts';

export interface BenchImage {
  readonly set: BenchSet;
  readonly name: string;
  readonly source: string;
  readonly frame?: number;
  readonly pixels: RgbFrame;
  /** Where the grid panel is cut from, when this image is in the grid selection. */
  readonly gridCrop?: Rect;
}

/** The first `limit` Kodak PNGs by name; those in `gridNames` get a centre crop for the grids. */
export async function kodakImages(mediaDir: string, limit: number, gridNames: ReadonlySet<string>, signal?: AbortSignal): Promise<BenchImage[]> {
  const dir = kodakDir(mediaDir);
  let names: string[];
  try {
    names = (await readdir(dir)).filter((f) => f.toLowerCase().endsWith('.png')).sort();
  } catch {
    throw new M3cError('input', `Kodak images not found in ${dir}: set M3C_MEDIA_DIR to the media folder or use --clips-only`);
  }
  if (names.length === 0) throw new M3cError('input', `no PNG files in ${dir}: set M3C_MEDIA_DIR to the media folder or use --clips-only`);
  const out: BenchImage[] = [];
  for (const f of names.slice(0, limit)) {
    const source = path.join(dir, f);
    const pixels = await readImage(source, signal);
    const name = path.basename(f, path.extname(f));
    const w = Math.min(KODAK_CROP.width, pixels.width);
    const h = Math.min(KODAK_CROP.height, pixels.height);
    const gridCrop = gridNames.has(name) ? { x: (pixels.width - w) >> 1, y: (pixels.height - h) >> 1, width: w, height: h } : undefined;
    out.push({ set: 'kodak', name, source, pixels, gridCrop });
  }
  return out;
}

/** The keyframes the default selection picks, clip by clip, until `limit` are gathered; the first of each clip goes in the grids, whole. */
export async function clipKeyframes(
  mediaDir: string,
  modelsDir: string | undefined,
  limit: number,
  maxPerClip: number,
  signal?: AbortSignal,
  onProgress?: ProgressListener,
): Promise<BenchImage[]> {
  const geometry: Geometry = DEFAULT_GEOMETRY;
  const engine = createEngine({ modelsDir });
  const out: BenchImage[] = [];
  try {
    for (const clip of EVALUATION_CLIPS) {
      if (out.length >= limit) break;
      const source = clipPath(clip, mediaDir);
      const analysis = await analyzeVideo(engine, source, geometry, DEFAULT_SELECTION, {
        signal,
        onProgress: (e) => onProgress?.({ ...e, stage: `analysis ${clip}` }),
      }).catch((e: unknown) => {
        if (e instanceof M3cError && e.code === 'input') throw new M3cError('input', `evaluation clip ${source}: ${e.message}`);
        throw e;
      });
      const wanted = analysis.keyframes.slice(0, Math.min(maxPerClip, limit - out.length));
      const frames = decodeFrames(source, { ...geometry, maxFrames: Math.max(...wanted) + 1, signal });
      for await (const { index, frame } of pickFrames(frames, wanted, { signal, what: `evaluation clip ${source}` })) {
        out.push({
          set: 'clips',
          name: `${clip}-f${index}`,
          source,
          frame: index,
          pixels: frame,
          gridCrop: index === wanted[0] ? { x: 0, y: 0, width: frame.width, height: frame.height } : undefined,
        });
      }
    }
  } finally {
    await engine.dispose();
  }
  return out;
}
