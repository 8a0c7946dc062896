import { makeFrame, type RgbFrame } from '../../../src/shared/engine/frame.ts';

/** Deterministic PRNG (mulberry32) so that every run sees the same images. */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A textured test card: smooth colour gradients, sharp-edged discs and fine texture, kept in [20, 235]. */
export function testCard(width: number, height: number, seed = 1): RgbFrame {
  const rnd = prng(seed);
  const discs = Array.from({ length: 12 }, () => ({
    x: rnd() * width,
    y: rnd() * height,
    r: 5 + rnd() * Math.min(width, height) * 0.2,
    c: [rnd() * 120 - 60, rnd() * 120 - 60, rnd() * 120 - 60],
  }));
  const f = makeFrame(width, height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const base = [
        128 + 50 * Math.sin(x / 23) * Math.cos(y / 31),
        128 + 50 * Math.cos((x + y) / 41),
        128 + 40 * Math.sin((x - 2 * y) / 17),
      ];
      for (const d of discs) {
        if ((x - d.x) ** 2 + (y - d.y) ** 2 < d.r * d.r) for (let c = 0; c < 3; c++) base[c] += d.c[c];
      }
      const tex = 12 * Math.sin(x * 1.3) * Math.sin(y * 1.7) + (rnd() - 0.5) * 10;
      for (let c = 0; c < 3; c++) f.data[(y * width + x) * 3 + c] = Math.max(20, Math.min(235, Math.round(base[c] + tex)));
    }
  }
  return f;
}

export function addNoise(frame: RgbFrame, amplitude: number, seed: number): RgbFrame {
  const rnd = prng(seed);
  const out = makeFrame(frame.width, frame.height);
  for (let i = 0; i < frame.data.length; i++) {
    out.data[i] = Math.max(0, Math.min(255, Math.round(frame.data[i] + (rnd() - 0.5) * 2 * amplitude)));
  }
  return out;
}

/** Box blur of radius r (clamped at the borders), applied per channel. */
export function boxBlur(frame: RgbFrame, r: number): RgbFrame {
  const { width, height } = frame;
  const out = makeFrame(width, height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) {
        let s = 0;
        let n = 0;
        for (let dy = -r; dy <= r; dy++) {
          const yy = Math.min(height - 1, Math.max(0, y + dy));
          for (let dx = -r; dx <= r; dx++) {
            const xx = Math.min(width - 1, Math.max(0, x + dx));
            s += frame.data[(yy * width + xx) * 3 + c];
            n++;
          }
        }
        out.data[(y * width + x) * 3 + c] = Math.round(s / n);
      }
    }
  }
  return out;
}
