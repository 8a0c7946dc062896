/** Packed RGB24 frames to and from the planar float [1, 3, H, W] layout in [0, 1] of our ONNX graphs. */
import type { RgbFrame } from '../../shared/engine/frame.ts';

/** Planar float RGB in [0,1], edge pixels repeated out to the padded size. */
export function toPlanar(frame: RgbFrame, pad: { readonly width: number; readonly height: number }): Float32Array {
  const { width: pw, height: ph } = pad;
  const plane = pw * ph;
  const out = new Float32Array(3 * plane);
  for (let y = 0; y < ph; y++) {
    const sy = Math.min(y, frame.height - 1);
    for (let x = 0; x < pw; x++) {
      const s = (sy * frame.width + Math.min(x, frame.width - 1)) * 3;
      const d = y * pw + x;
      out[d] = frame.data[s] / 255;
      out[plane + d] = frame.data[s + 1] / 255;
      out[2 * plane + d] = frame.data[s + 2] / 255;
    }
  }
  return out;
}
