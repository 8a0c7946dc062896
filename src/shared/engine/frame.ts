/** A decoded video frame: packed RGB24, row-major, no padding (length = width * height * 3). */
export interface RgbFrame {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** Working geometry of the codec: every frame the engine sees has this size and rate. */
export interface Geometry {
  readonly width: number;
  readonly height: number;
  /** Frames per second as a rational, e.g. 8/1 or 30000/1001. */
  readonly fpsNum: number;
  readonly fpsDen: number;
}

export function fpsOf(g: Geometry): number {
  return g.fpsNum / g.fpsDen;
}

export function makeFrame(width: number, height: number, data?: Uint8Array): RgbFrame {
  const size = width * height * 3;
  if (data && data.length !== size) {
    throw new RangeError(`frame data has ${data.length} bytes, expected ${size} for ${width}x${height}`);
  }
  return { width, height, data: data ?? new Uint8Array(size) };
}
