/** The fit of a source's picture into the working geometry (part of the studio contract, ./contract.ts). */
import type { Geometry } from '../engine/frame.ts';

/**
 * How a source whose shape differs from the working geometry is fitted into it: crop scales it to cover the
 * working size and cuts the centre out, pad scales it to fit inside and adds black bars, stretch scales each
 * axis on its own. Every reader of a source's frames at the working geometry (analysis, thumbnails, previews,
 * the proxy mp4, describe, encode, the comparison) uses the source's fit.
 */
export const FITS = ['crop', 'pad', 'stretch'] as const;
export type Fit = (typeof FITS)[number];

/** A working geometry for one source: size and rate, and the fit of the source's picture into that size ('crop' when absent). */
export interface WorkingGeometry extends Geometry {
  readonly fit?: Fit;
}
