import type { RgbFrame } from '../engine/frame.ts';
import { assertSameSize, lumaBt601 } from './luma.ts';

/**
 * PSNR values are returned uncapped: identical images give `Infinity`. Averages over frames and JSON
 * output (where Infinity becomes null) should pass values through `capPsnr` first.
 */
export const PSNR_CAP_DB = 100;

export function capPsnr(db: number, cap: number = PSNR_CAP_DB): number {
  return db > cap ? cap : db;
}

export function psnrFromMse(mse: number, peak = 255): number {
  return mse === 0 ? Infinity : 10 * Math.log10((peak * peak) / mse);
}

/** Mean squared error over all R, G and B samples (equal weight per channel). */
export function mseRgb(a: RgbFrame, b: RgbFrame): number {
  assertSameSize(a, b);
  const x = a.data;
  const y = b.data;
  let sum = 0;
  for (let i = 0; i < x.length; i++) {
    const d = x[i] - y[i];
    sum += d * d;
  }
  return sum / x.length;
}

/** PSNR in dB over all RGB samples, peak 255. Matches ffmpeg's `psnr` filter "average" on RGB input. */
export function psnrRgb(a: RgbFrame, b: RgbFrame): number {
  return psnrFromMse(mseRgb(a, b));
}

/** Mean squared error of full-range BT.601 luma (see `lumaBt601`). */
export function mseLuma(a: RgbFrame, b: RgbFrame): number {
  assertSameSize(a, b);
  const x = lumaBt601(a).data;
  const y = lumaBt601(b).data;
  let sum = 0;
  for (let i = 0; i < x.length; i++) {
    const d = x[i] - y[i];
    sum += d * d;
  }
  return sum / x.length;
}

/** PSNR in dB of full-range BT.601 luma (see `lumaBt601`), peak 255. */
export function psnrLuma(a: RgbFrame, b: RgbFrame): number {
  return psnrFromMse(mseLuma(a, b));
}
