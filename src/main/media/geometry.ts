import { M3cError } from '../../shared/engine/errors.ts';
import type { Fit, WorkingGeometry } from '../../shared/api/contract.ts';

// How a source whose aspect ratio differs from the working geometry is fitted into it: one definition, in the
// contract, since the studio's renderer offers the choice.
export { FITS, type Fit, type WorkingGeometry } from '../../shared/api/contract.ts';

/** The fit of a working geometry: 'crop' where none is named (what every source got before the choice existed). */
export function fitOf(g: WorkingGeometry): Fit {
  return g.fit ?? 'crop';
}

/**
 * One scaler setting for every resize and colour conversion, so the same input always gives the
 * same pixels: bicubic, with accurate rounding and full-resolution chroma interpolation in the
 * YUV -> RGB step (the default skips chroma interpolation and leaves colour fringes on edges).
 */
export const SCALER_FLAGS = 'bicubic+accurate_rnd+full_chroma_int';

export interface Size {
  width: number;
  height: number;
}

export function assertEvenSize(size: Size, what: string): void {
  const ok = (v: number): boolean => Number.isInteger(v) && v >= 2 && v % 2 === 0;
  if (!ok(size.width) || !ok(size.height)) {
    throw new M3cError('usage', `${what} ${size.width}x${size.height} must be positive even integers`);
  }
}

/**
 * ffmpeg filters that turn a picture of `source` display size into exactly `target`:
 * crop scales to cover the target and cuts the centre out, pad scales to fit inside and adds
 * black bars centred, stretch scales each axis on its own. The intermediate size is computed here
 * from the display size (sample aspect ratio and rotation applied), not left to ffmpeg, so
 * non-square pixels are handled and the plan is testable without running ffmpeg.
 */
export function fitFilters(source: Size, target: Size, fit: Fit): string[] {
  const { width: W, height: H } = target;
  const scale = (w: number, h: number): string => `scale=${w}:${h}:flags=${SCALER_FLAGS}`;
  if (fit === 'stretch') return [scale(W, H), 'setsar=1'];
  const sx = W / source.width;
  const sy = H / source.height;
  if (fit === 'crop') {
    const s = Math.max(sx, sy);
    const w = Math.max(W, Math.round(source.width * s));
    const h = Math.max(H, Math.round(source.height * s));
    return w === W && h === H ? [scale(W, H), 'setsar=1'] : [scale(w, h), `crop=${W}:${H}`, 'setsar=1'];
  }
  const s = Math.min(sx, sy);
  const w = Math.min(W, Math.max(1, Math.round(source.width * s)));
  const h = Math.min(H, Math.max(1, Math.round(source.height * s)));
  return w === W && h === H
    ? [scale(W, H), 'setsar=1']
    : [scale(w, h), `pad=${W}:${H}:(ow-iw)/2:(oh-ih)/2:color=black`, 'setsar=1'];
}
