/**
 * `m3c bench keyframes`: the learned keyframe codec against AV1 intra at equal bytes (issue 5).
 * Per image and per token grid of the pack it measures three rows: `ours` (LearnedKeyframeCodec with
 * the denoiser), `ours-no-diffusion` (the same payload, z^ decoded directly) and `av1` (libaom intra
 * matched to ours's payload size within +-5%, see encodeNearBytes). Images: the Kodak set as stored
 * (portrait ones are coded as they are, 512x768, not transposed) and the keyframes that the default
 * keyframe selection picks in the evaluation clips at the default 512x320, 8 fps geometry.
 * It also writes side-by-side PNGs (original | AV1 | ours without diffusion | ours) of a few images.
 */
import { readdir, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Geometry, RgbFrame } from '../../shared/engine/frame.ts';
import { makeFrame } from '../../shared/engine/frame.ts';
import { M3cError, throwIfAborted } from '../../shared/engine/errors.ts';
import type { ProgressListener } from '../../shared/engine/progress.ts';
import { DEFAULT_SELECTION } from '../../shared/keyframes/index.ts';
import { GRADIENT_BINS, HF_SIGMA, gradientHistogramDistance, highFrequencyEnergyRatio, msSsim, psnrRgb } from '../../shared/metrics/index.ts';
import { ClassicalAv1KeyframeCodec } from '../codecs/index.ts';
import { encodeNearBytes } from '../codecs/classical-av1.ts';
import { availableGrids, DEFAULT_DENOISER_STEPS, LearnedKeyframeCodec, type TokenGrid } from '../codecs/learned/index.ts';
import { loadManifest, SessionCache } from '../inference/index.ts';
import { decodeFrames, encodePng, readImage } from '../media/index.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { analyzeVideo } from './analyze.ts';
import { createEngine, DEFAULT_GEOMETRY, type Engine } from './engine.ts';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export type BenchSet = 'kodak' | 'clips';
export type BenchRowName = 'ours' | 'ours-no-diffusion' | 'av1';
export const BENCH_ROWS: readonly BenchRowName[] = ['ours', 'ours-no-diffusion', 'av1'];

/** "Equal bytes": AV1's payload within this fraction of ours's payload. */
export const EQUAL_BYTES_TOLERANCE = 0.05;
/** The evaluation clips of ../shared/media/README.md, in this order. */
export const EVALUATION_CLIPS = ['04_coffee', '05_juggle', 'bedroom', 'bikes', 'carphone'] as const;
export const DEFAULT_GRID_IMAGES = ['kodim01', 'kodim05', 'kodim15', 'kodim23'] as const;
/** Centre crop of the Kodak grid panels, at full resolution. */
export const KODAK_CROP = { width: 384, height: 256 } as const;
export const SEPARATOR_PX = 2;
/** All PNG grids together stay under this; grids that would pass it are skipped and listed. */
export const GRID_BYTES_LIMIT = 8_000_000;
/** Fixed decode seed of the denoiser, so that reruns give the same pixels. */
export const BENCH_SEED = 20261201;

export interface BenchKeyframesOptions {
  /** Model pack folder (default resources/models). */
  readonly modelsDir?: string;
  /** Media root holding images/kodak and video/ (default $M3C_MEDIA_DIR or ../shared/media). */
  readonly mediaDir?: string;
  readonly sets?: readonly BenchSet[];
  /** First N images per set. */
  readonly limit?: number;
  /** At most N keyframes per clip (default all). */
  readonly maxPerClip?: number;
  /** Denoiser steps of `ours` (default 4). */
  readonly steps?: number;
  /** Where the PNG grids go; none are written without it. */
  readonly gridsDir?: string;
  /** Kodak names to show in the grids (default kodim01, 05, 15, 23); the first keyframe of each clip is always shown. */
  readonly gridImages?: readonly string[];
}

/** What a row measures: per image, or averaged over a set. */
export interface RowMeasures {
  readonly row: BenchRowName;
  readonly grid: TokenGrid;
  readonly bytes: number;
  readonly bpp: number;
  readonly psnr: number;
  readonly msssim: number;
  readonly hfRatio: number;
  readonly gradDist: number;
  readonly encodeMs: number;
  readonly decodeMs: number;
}

export interface RowResult extends RowMeasures {
  /** AV1 only: the byte target (ours's payload), whether +-5% was reached, and what was chosen. */
  readonly av1?: { readonly targetBytes: number; readonly withinTolerance: boolean; readonly scaleCode: number; readonly crf: number };
}

export interface ImageResult {
  readonly set: BenchSet;
  readonly name: string;
  readonly source: string;
  /** Clip keyframes: the frame index at the working rate. */
  readonly frame?: number;
  readonly width: number;
  readonly height: number;
  readonly rows: RowResult[];
}

export interface AverageRow extends RowMeasures {
  readonly images: number;
  /** AV1 only: images whose AV1 payload is within +-5% of ours. */
  readonly withinTolerance?: number;
}

export interface GridPng {
  readonly image: string;
  readonly grid: TokenGrid;
  readonly file: string;
  readonly width: number;
  readonly height: number;
  readonly bytes: number;
}

export interface BenchKeyframesResult {
  readonly machine: { readonly cpu: string; readonly cores: number; readonly node: string; readonly platform: string; readonly date: string };
  readonly packId: string;
  readonly grids: TokenGrid[];
  readonly steps: number;
  readonly seed: number;
  readonly tolerance: number;
  readonly sets: { readonly set: BenchSet; readonly images: ImageResult[]; readonly averages: AverageRow[] }[];
  readonly gridPngs: GridPng[];
  /** Grids not written because they would have passed GRID_BYTES_LIMIT. */
  readonly skippedPngs: string[];
  readonly wallMs: number;
}

interface BenchImage {
  readonly set: BenchSet;
  readonly name: string;
  readonly source: string;
  readonly frame?: number;
  readonly pixels: RgbFrame;
  /** Where the grid panel is cut from, when this image is in the grid selection. */
  readonly gridCrop?: { x: number; y: number; width: number; height: number };
}

export function defaultMediaDir(): string {
  return process.env.M3C_MEDIA_DIR ?? path.resolve(REPO_ROOT, '../shared/media');
}

function crop(frame: RgbFrame, r: { x: number; y: number; width: number; height: number }): RgbFrame {
  const out = makeFrame(r.width, r.height);
  for (let y = 0; y < r.height; y++) {
    const s = ((r.y + y) * frame.width + r.x) * 3;
    out.data.set(frame.data.subarray(s, s + r.width * 3), y * r.width * 3);
  }
  return out;
}

/** Panels side by side with white separators. */
function sideBySide(panels: readonly RgbFrame[]): RgbFrame {
  const { width: w, height: h } = panels[0];
  const width = panels.length * w + (panels.length - 1) * SEPARATOR_PX;
  const out = makeFrame(width, h);
  out.data.fill(255);
  panels.forEach((p, i) => {
    for (let y = 0; y < h; y++) out.data.set(p.data.subarray(y * w * 3, (y + 1) * w * 3), (y * width + i * (w + SEPARATOR_PX)) * 3);
  });
  return out;
}

async function kodakImages(mediaDir: string, limit: number, gridNames: ReadonlySet<string>, signal?: AbortSignal): Promise<BenchImage[]> {
  const dir = path.join(mediaDir, 'images', 'kodak');
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

/** The keyframes the default selection picks, clip by clip, until `limit` are gathered. */
async function clipKeyframes(
  mediaDir: string,
  modelsDir: string | undefined,
  limit: number,
  maxPerClip: number,
  signal?: AbortSignal,
  onProgress?: ProgressListener,
): Promise<BenchImage[]> {
  const engine = createEngine({ modelsDir });
  try {
    return await keyframesOfClips(engine, mediaDir, limit, maxPerClip, signal, onProgress);
  } finally {
    await engine.dispose();
  }
}

async function keyframesOfClips(engine: Engine, mediaDir: string, limit: number, maxPerClip: number, signal?: AbortSignal, onProgress?: ProgressListener): Promise<BenchImage[]> {
  const geometry: Geometry = DEFAULT_GEOMETRY;
  const out: BenchImage[] = [];
  for (const clip of EVALUATION_CLIPS) {
    if (out.length >= limit) break;
    const source = path.join(mediaDir, 'video', `${clip}.mp4`);
    const analysis = await analyzeVideo(engine, source, geometry, DEFAULT_SELECTION, {
      signal,
      onProgress: (e) => onProgress?.({ ...e, stage: `analysis ${clip}` }),
    }).catch((e: unknown) => {
      if (e instanceof M3cError && e.code === 'input') throw new M3cError('input', `evaluation clip ${source}: ${e.message}`);
      throw e;
    });
    const wanted = analysis.keyframes.slice(0, Math.min(maxPerClip, limit - out.length));
    const last = wanted[wanted.length - 1];
    let index = 0;
    for await (const frame of decodeFrames(source, { ...geometry, maxFrames: last + 1, signal })) {
      if (wanted.includes(index)) {
        out.push({
          set: 'clips',
          name: `${clip}-f${index}`,
          source,
          frame: index,
          pixels: frame,
          gridCrop: index === wanted[0] ? { x: 0, y: 0, width: frame.width, height: frame.height } : undefined,
        });
      }
      index++;
    }
  }
  return out;
}

function metrics(rec: RgbFrame, ref: RgbFrame): Pick<RowResult, 'psnr' | 'msssim' | 'hfRatio' | 'gradDist'> {
  return { psnr: psnrRgb(rec, ref), msssim: msSsim(rec, ref), hfRatio: highFrequencyEnergyRatio(rec, ref), gradDist: gradientHistogramDistance(rec, ref) };
}

async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const v = await f();
  return [v, performance.now() - t0];
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
          const [payload, encodeMs] = await timed(() => ours.encode(ref, { budgetBytes: Number.MAX_SAFE_INTEGER, signal }));
          const [recOurs, oursMs] = await timed(() => ours.decode(payload, geometry, dec));
          const [recPlain, plainMs] = await timed(() => plain.decode(payload, geometry, dec));
          const [near, av1EncMs] = await timed(() => encodeNearBytes(ref, payload.length, { tolerance: EQUAL_BYTES_TOLERANCE, signal }));
          const [recAv1, av1DecMs] = await timed(() => av1.decode(near.payload, geometry, dec));
          const bpp = (n: number): number => (8 * n) / pixels;
          rows.push(
            { row: 'ours', grid, bytes: payload.length, bpp: bpp(payload.length), ...metrics(recOurs, ref), encodeMs, decodeMs: oursMs },
            { row: 'ours-no-diffusion', grid, bytes: payload.length, bpp: bpp(payload.length), ...metrics(recPlain, ref), encodeMs, decodeMs: plainMs },
            {
              row: 'av1',
              grid,
              bytes: near.payload.length,
              bpp: bpp(near.payload.length),
              ...metrics(recAv1, ref),
              encodeMs: av1EncMs,
              decodeMs: av1DecMs,
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

function summaryLine(name: string, rows: readonly RowResult[]): string {
  return `${name}: ${rows
    .map((r) => `${r.row}${rows.length > 3 ? `/${r.grid}` : ''} ${r.bytes} B ${r.psnr.toFixed(2)} dB${r.av1 && !r.av1.withinTolerance ? ' (AV1 not within 5%)' : ''}`)
    .join(', ')}`;
}

const f2 = (x: number): string => x.toFixed(2);
const f3 = (x: number): string => x.toFixed(3);
const f4 = (x: number): string => x.toFixed(4);

/** The Markdown report; `gridsRel` turns a PNG path into the link written in it. */
export function renderBenchReport(r: BenchKeyframesResult, gridsRel: (file: string) => string): string {
  const L: string[] = [];
  L.push('# Keyframe codec benchmark (`m3c bench keyframes`)', '');
  L.push(`Machine: ${r.machine.cpu}, ${r.machine.cores} logical cores, Node ${r.machine.node}, ${r.machine.platform}. Date: ${r.machine.date}.`);
  L.push(`Model pack: \`${r.packId}\`, token grids: ${r.grids.join(', ')}. Denoiser steps of \`ours\`: ${r.steps}; decode seed ${r.seed}. Wall time ${(r.wallMs / 1000).toFixed(1)} s.`, '');
  L.push('## Definitions', '');
  L.push('- `ours`: LearnedKeyframeCodec, one grid forced, the denoiser run for the steps above.');
  L.push('- `ours-no-diffusion`: the same payload decoded with 0 denoiser steps (z^ through the autoencoder decoder).');
  L.push(
    `- \`av1\`: ClassicalAv1KeyframeCodec's format (libaom intra, full, 1/2 or 1/4 size, upscaled on decode) at **equal bytes**: a payload within +-${r.tolerance * 100}% of \`ours\`'s payload bytes (both counted whole, header byte included); per scale the crf landing in that band is searched, and among the scales that land the one with the highest MS-SSIM is kept (the codec's own rule). Where no crf lands in the band the closest payload is used and the image is marked "no" in the "+-5%" column.`,
  );
  L.push('- bytes: keyframe payload; bpp: 8 x bytes / pixels of the image.');
  L.push('- PSNR: RGB, over all three channels; MS-SSIM: on BT.601 luma. Averages are plain means over images (PSNR of dB values).');
  L.push(
    `- HF ratio: high-frequency energy of the reconstruction over that of the original; the energy is the mean squared luma high-pass L - G*L with a 9-tap Gaussian of sigma ${HF_SIGMA} px (the band from ~0.1 cycles/pixel to Nyquist). 1 = as much fine detail as the original, below 1 blur, above 1 added texture, noise or ringing.`,
  );
  L.push(
    `- Grad. dist.: Jensen-Shannon divergence (base 2, in [0, 1]) between the ${GRADIENT_BINS}-bin histograms (uniform in sqrt(magnitude)) of Sobel gradient magnitudes of luma: 0 = the same distribution of edge strengths; insensitive to where edges are.`,
  );
  L.push('- encode ms / decode ms: wall time per image on this machine, warm sessions. `ours-no-diffusion` shares `ours`\'s encode. `av1` encode is the whole equal-bytes search (several ffmpeg processes), decode one ffmpeg process (dav1d + upscale); both include ffmpeg start-up.');
  L.push('- Kodak portrait images are coded as they are (512x768), not transposed. Clip keyframes: frames the default keyframe selection (motion-semantic) picks at 512x320, 8 fps.', '');
  for (const s of r.sets) {
    L.push(`## ${s.set === 'kodak' ? 'Kodak' : 'Evaluation-clip keyframes'} (${s.images.length} images)`, '', '### Averages', '');
    L.push('| row | grid | images | bytes | bpp | PSNR dB | MS-SSIM | HF ratio | grad. dist. | encode ms | decode ms | AV1 +-5% |');
    L.push('|---|---|---|---|---|---|---|---|---|---|---|---|');
    for (const a of s.averages) {
      L.push(
        `| ${a.row} | ${a.grid} | ${a.images} | ${a.bytes.toFixed(1)} | ${f4(a.bpp)} | ${f2(a.psnr)} | ${f4(a.msssim)} | ${f3(a.hfRatio)} | ${f4(a.gradDist)} | ${a.encodeMs.toFixed(0)} | ${a.decodeMs.toFixed(0)} | ${a.withinTolerance === undefined ? '' : `${a.withinTolerance}/${a.images}`} |`,
      );
    }
    L.push('', '### Per image', '');
    L.push('| image | size | row | grid | bytes | bpp | PSNR dB | MS-SSIM | HF ratio | grad. dist. | encode ms | decode ms | AV1 +-5% |');
    L.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
    for (const im of s.images) {
      for (const x of im.rows) {
        const mark = x.av1 ? (x.av1.withinTolerance ? 'yes' : `**no** (target ${x.av1.targetBytes})`) : '';
        L.push(
          `| ${im.name} | ${im.width}x${im.height} | ${x.row} | ${x.grid} | ${x.bytes} | ${f4(x.bpp)} | ${f2(x.psnr)} | ${f4(x.msssim)} | ${f3(x.hfRatio)} | ${f4(x.gradDist)} | ${x.encodeMs.toFixed(0)} | ${x.decodeMs.toFixed(0)} | ${mark} |`,
        );
      }
    }
    L.push('');
  }
  if (r.gridPngs.length > 0 || r.skippedPngs.length > 0) {
    L.push('## Side by side', '', `original | AV1 | ours without diffusion | ours (Kodak: ${KODAK_CROP.width}x${KODAK_CROP.height} centre crop at full resolution; clips: the first keyframe, whole).`, '');
    for (const g of r.gridPngs) L.push(`**${g.image}** (${g.grid} grid)`, '', `![${g.image} ${g.grid}](${gridsRel(g.file)})`, '');
    if (r.skippedPngs.length > 0) L.push(`Not written, to keep the grids under ${GRID_BYTES_LIMIT / 1e6} MB: ${r.skippedPngs.join(', ')}.`, '');
  }
  return L.join('\n');
}
