/** What `m3c bench keyframes` measures and reports: its rows, constants and result shapes. */
import type { TokenGrid } from '../../src/main/codecs/learned/index.ts';

export type BenchSet = 'kodak' | 'clips';
export type BenchRowName = 'ours' | 'ours-no-diffusion' | 'av1';
export const BENCH_ROWS: readonly BenchRowName[] = ['ours', 'ours-no-diffusion', 'av1'];

/** "Equal bytes": AV1's payload within this fraction of ours's payload. */
export const EQUAL_BYTES_TOLERANCE = 0.05;
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
  /** Media root holding images/kodak and video/ (default: bench/media.ts, $M3C_MEDIA_DIR or ../shared/media). */
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
