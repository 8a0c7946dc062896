/** The side-by-side pictures of the benchmark: panels cut from frames and tiled with white separators. */
import type { RgbFrame } from '../../src/shared/engine/frame.ts';
import { makeFrame } from '../../src/shared/engine/frame.ts';
import { SEPARATOR_PX } from './definitions.ts';

export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export function crop(frame: RgbFrame, r: Rect): RgbFrame {
  const out = makeFrame(r.width, r.height);
  for (let y = 0; y < r.height; y++) {
    const s = ((r.y + y) * frame.width + r.x) * 3;
    out.data.set(frame.data.subarray(s, s + r.width * 3), y * r.width * 3);
  }
  return out;
}

/** Panels of one size side by side with white separators. */
export function sideBySide(panels: readonly RgbFrame[]): RgbFrame {
  const { width: w, height: h } = panels[0];
  const width = panels.length * w + (panels.length - 1) * SEPARATOR_PX;
  const out = makeFrame(width, h);
  out.data.fill(255);
  panels.forEach((p, i) => {
    for (let y = 0; y < h; y++) out.data.set(p.data.subarray(y * w * 3, (y + 1) * w * 3), (y * width + i * (w + SEPARATOR_PX)) * 3);
  });
  return out;
}
