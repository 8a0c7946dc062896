/**
 * `m3c bench keyframes`: the learned keyframe codec against AV1 intra at equal bytes (issue 5).
 * Per image and per token grid of the pack it measures three rows: `ours` (LearnedKeyframeCodec with
 * the denoiser), `ours-no-diffusion` (the same payload, z^ decoded directly) and `av1` (libaom intra
 * matched to ours's payload size within +-5%, see equal-bytes.ts), on the images of images.ts.
 * It also writes side-by-side PNGs (original | AV1 | ours without diffusion | ours) of a few images.
 */
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Geometry, RgbFrame } from '../../src/shared/engine/frame.ts';
import { M3cError, throwIfAborted } from '../../src/shared/engine/errors.ts';
import type { ProgressListener } from '../../src/shared/engine/progress.ts';
import { gradientHistogramDistance, highFrequencyEnergyRatio, msSsim, psnrRgb } from '../../src/shared/metrics/index.ts';
import { ClassicalAv1KeyframeCodec } from '../../src/main/codecs/index.ts';
import { availableGrids, DEFAULT_DENOISER_STEPS, LearnedKeyframeCodec, type TokenGrid } from '../../src/main/codecs/learned/index.ts';
import { loadManifest, SessionCache } from '../../src/main/inference/index.ts';
import { encodePng } from '../../src/main/media/index.ts';
import { DEFAULT_GEOMETRY } from '../../src/main/pipeline/engine.ts';
import { writeFileAtomic } from '../../src/main/util/atomic-write.ts';
import { StageTimer } from '../../src/main/util/stage-timer.ts';
import { mediaDir as defaultMediaDir } from '../media.ts';
import {
  BENCH_ROWS,
  BENCH_SEED,
  DEFAULT_GRID_IMAGES,
  EQUAL_BYTES_TOLERANCE,
  GRID_BYTES_LIMIT,
  SEPARATOR_PX,
  type AverageRow,
  type BenchKeyframesOptions,
  type BenchKeyframesResult,
  type GridPng,
  type ImageResult,
  type RowResult,
} from './definitions.ts';
import { encodeNearBytes } from './equal-bytes.ts';
import { clipKeyframes, kodakImages } from './images.ts';
import { crop, sideBySide } from './panels.ts';
import { summaryLine } from './report.ts';

function metrics(rec: RgbFrame, ref: RgbFrame): Pick<RowResult, 'psnr' | 'msssim' | 'hfRatio' | 'gradDist'> {
  return { psnr: psnrRgb(rec, ref), msssim: msSsim(rec, ref), hfRatio: highFrequencyEnergyRatio(rec, ref), gradDist: gradientHistogramDistance(rec, ref) };
}

function averages(images: readonly ImageResult[], grids: readonly TokenGrid[]): AverageRow[] {
  const out: AverageRow[] = [];
  for (const grid of grids) {
    for (const row of BENCH_ROWS) {
      const rows = images.flatMap((im) => im.rows.filter((r) => r.row === row && r.grid === grid));
      if (rows.length === 0) continue;
      const mean = (f: (r: RowResult) => number): number => rows.reduce((s, r) => s + f(r), 0) / rows.length;
      out.push({
        row,
        grid,
        images: rows.length,
        bytes: mean((r) => r.bytes),
        bpp: mean((r) => r.bpp),
        psnr: mean((r) => r.psnr),
        msssim: mean((r) => r.msssim),
        hfRatio: mean((r) => r.hfRatio),
        gradDist: mean((r) => r.gradDist),
        encodeMs: mean((r) => r.encodeMs),
        decodeMs: mean((r) => r.decodeMs),
        ...(row === 'av1' ? { withinTolerance: rows.filter((r) => r.av1?.withinTolerance).length } : {}),
      });
    }
  }
  return out;
}

/**
 * Runs the benchmark. Progress: analysis events per frame while clips are analysed, then one event
 * per image (stage = the set, message = a one-line summary). Cancels with `signal` (M3cError
 * 'cancelled'); PNG grids already written stay, each complete (written atomically).
 */
export async function benchKeyframes(options: BenchKeyframesOptions, signal?: AbortSignal, onProgress?: ProgressListener): Promise<BenchKeyframesResult> {
  const t0 = performance.now();
  throwIfAborted(signal);
  const manifest = loadManifest(options.modelsDir);
  const grids = availableGrids(manifest);
  const steps = options.steps ?? DEFAULT_DENOISER_STEPS;
  if (grids.length === 0) {
    throw new M3cError('model', `model pack ${manifest.packId} in ${manifest.dir} has no learned keyframe codec models (kf-*-coarse or kf-*-fine): pass --models with a learned pack`);
  }
  const cache = new SessionCache(manifest);
  // Constructing the codecs first refuses bad --steps before any media work.
  const codecs = new Map(
    grids.map((grid) => [
      grid,
      { ours: new LearnedKeyframeCodec(cache, { grids: [grid], denoiserSteps: steps }), plain: new LearnedKeyframeCodec(cache, { grids: [grid], denoiserSteps: 0 }) },
    ]),
  );
  const av1 = new ClassicalAv1KeyframeCodec();
  const sets = options.sets ?? (['kodak', 'clips'] as const);
  const limit = options.limit ?? Infinity;
  const mediaDir = options.mediaDir ?? defaultMediaDir();
  const gridNames = new Set(options.gridImages ?? DEFAULT_GRID_IMAGES);
  if (options.gridsDir) await mkdir(options.gridsDir, { recursive: true });
  const gridPngs: GridPng[] = [];
  const skippedPngs: string[] = [];
  let pngBytes = 0;
  const warmed = new Set<TokenGrid>();
  const result: BenchKeyframesResult['sets'] = [];
  try {
    for (const set of sets) {
      const images =
        set === 'kodak'
          ? await kodakImages(mediaDir, limit, gridNames, signal)
          : await clipKeyframes(mediaDir, options.modelsDir, limit, options.maxPerClip ?? Infinity, signal, onProgress);
      const done: ImageResult[] = [];
      for (const image of images) {
        throwIfAborted(signal);
        const ref = image.pixels;
        const geometry: Geometry = { width: ref.width, height: ref.height, fpsNum: DEFAULT_GEOMETRY.fpsNum, fpsDen: DEFAULT_GEOMETRY.fpsDen };
        const pixels = ref.width * ref.height;
        const dec = { seed: BENCH_SEED, text: '', signal };
        const rows: RowResult[] = [];
        for (const [grid, { ours, plain }] of codecs) {
          // Session creation is not what the per-image times should measure.
          if (!warmed.has(grid)) {
            const p = await ours.encode(ref, { budgetBytes: Number.MAX_SAFE_INTEGER, signal });
            await ours.decode(p, geometry, dec);
            await plain.decode(p, geometry, dec);
            warmed.add(grid);
          }
          const timer = new StageTimer();
          const payload = await timer.time('ours encode', () => ours.encode(ref, { budgetBytes: Number.MAX_SAFE_INTEGER, signal }));
          const recOurs = await timer.time('ours decode', () => ours.decode(payload, geometry, dec));
          const recPlain = await timer.time('plain decode', () => plain.decode(payload, geometry, dec));
          const near = await timer.time('av1 encode', () => encodeNearBytes(ref, payload.length, { tolerance: EQUAL_BYTES_TOLERANCE, signal }));
          const recAv1 = await timer.time('av1 decode', () => av1.decode(near.payload, geometry, dec));
          const ms = timer.timings;
          const bpp = (n: number): number => (8 * n) / pixels;
          rows.push(
            { row: 'ours', grid, bytes: payload.length, bpp: bpp(payload.length), ...metrics(recOurs, ref), encodeMs: ms['ours encode'], decodeMs: ms['ours decode'] },
            { row: 'ours-no-diffusion', grid, bytes: payload.length, bpp: bpp(payload.length), ...metrics(recPlain, ref), encodeMs: ms['ours encode'], decodeMs: ms['plain decode'] },
            {
              row: 'av1',
              grid,
              bytes: near.payload.length,
              bpp: bpp(near.payload.length),
              ...metrics(recAv1, ref),
              encodeMs: ms['av1 encode'],
              decodeMs: ms['av1 decode'],
              av1: { targetBytes: payload.length, withinTolerance: near.withinTolerance, scaleCode: near.scaleCode, crf: near.crf },
            },
          );
          // Fine-grid pictures only for the Kodak crops: full 512x320 clip grids of both grids would
          // pass GRID_BYTES_LIMIT, and the coarse grid is the one encodes use by default.
          if (options.gridsDir && image.gridCrop && (grid === 'coarse' || set === 'kodak')) {
            const c = image.gridCrop;
            const png = await encodePng(sideBySide([ref, recAv1, recPlain, recOurs].map((f) => crop(f, c))), signal);
            const file = path.join(options.gridsDir, `${image.name}-${grid}.png`);
            if (pngBytes + png.length > GRID_BYTES_LIMIT) {
              skippedPngs.push(path.basename(file));
            } else {
              await writeFileAtomic(file, png);
              pngBytes += png.length;
              gridPngs.push({ image: image.name, grid, file, width: 4 * c.width + 3 * SEPARATOR_PX, height: c.height, bytes: png.length });
            }
          }
        }
        done.push({ set, name: image.name, source: image.source, frame: image.frame, width: ref.width, height: ref.height, rows });
        onProgress?.({ stage: set, done: done.length, total: images.length, message: summaryLine(image.name, rows) });
      }
      result.push({ set, images: done, averages: averages(done, [...codecs.keys()]) });
    }
  } finally {
    await cache.dispose();
  }
  const cpus = os.cpus();
  return {
    machine: { cpu: cpus[0]?.model.trim() ?? 'unknown', cores: cpus.length, node: process.version, platform: `${os.platform()} ${os.release()} ${os.arch()}`, date: new Date().toISOString() },
    packId: manifest.packId,
    grids: [...codecs.keys()],
    steps,
    seed: BENCH_SEED,
    tolerance: EQUAL_BYTES_TOLERANCE,
    sets: result,
    gridPngs,
    skippedPngs,
    wallMs: performance.now() - t0,
  };
}
