import { describe, expect, it } from 'vitest';
import { APPEARANCE_DIM, AppearanceEmbedder, appearanceDescriptor } from '../../../src/main/analysis/index.ts';
import type { RgbFrame } from '../../../src/shared/engine/frame.ts';

/** A deterministic textured picture: colour gradients plus stripes at a given angle. */
function picture(w: number, h: number, hue: number, angle: number, brightness = 0): RgbFrame {
  const data = new Uint8Array(w * h * 3);
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const stripe = Math.sin((x * c + y * s) / 3) > 0 ? 60 : 0;
      const p = (y * w + x) * 3;
      data[p] = Math.min(255, Math.max(0, 40 + hue * (x / w) * 150 + stripe + brightness));
      data[p + 1] = Math.min(255, Math.max(0, 60 + (y / h) * 120 + stripe + brightness));
      data[p + 2] = Math.min(255, Math.max(0, 200 - hue * 150 + stripe / 2 + brightness));
    }
  }
  return { width: w, height: h, data };
}

const dot = (a: Float32Array, b: Float32Array): number => a.reduce((s, v, i) => s + v * b[i], 0);

describe('appearance-hist-v1', () => {
  it('is a non-negative unit vector of fixed length', async () => {
    const e = await new AppearanceEmbedder().embed(picture(160, 100, 0.3, 0.2));
    expect(e.length).toBe(APPEARANCE_DIM);
    expect(Math.min(...e)).toBeGreaterThanOrEqual(0);
    expect(dot(e, e)).toBeCloseTo(1, 5);
  });

  it('is resolution independent and barely moved by a small brightness change', () => {
    const a = appearanceDescriptor(picture(512, 320, 0.3, 0.2));
    const small = appearanceDescriptor(picture(256, 160, 0.3, 0.2));
    const brighter = appearanceDescriptor(picture(512, 320, 0.3, 0.2, 8));
    const other = appearanceDescriptor(picture(512, 320, 0.9, 1.4));
    expect(1 - dot(a, small)).toBeLessThan(0.02);
    expect(1 - dot(a, brighter)).toBeLessThan(0.02);
    expect(1 - dot(a, other)).toBeGreaterThan(5 * (1 - dot(a, brighter)));
  });

  it('sees spatial layout: a mirrored picture differs although its global histograms are equal', () => {
    const f = picture(256, 160, 0.8, 0.5);
    const mirrored = new Uint8Array(f.data.length);
    for (let y = 0; y < f.height; y++) {
      for (let x = 0; x < f.width; x++) {
        const from = (y * f.width + x) * 3;
        const to = (y * f.width + (f.width - 1 - x)) * 3;
        mirrored.set(f.data.subarray(from, from + 3), to);
      }
    }
    const a = appearanceDescriptor(f);
    const b = appearanceDescriptor({ ...f, data: mirrored });
    expect(1 - dot(a, b)).toBeGreaterThan(0.02);
  });

  it('handles a flat black frame and frames smaller than the pyramid', () => {
    const black = appearanceDescriptor({ width: 64, height: 40, data: new Uint8Array(64 * 40 * 3) });
    expect(dot(black, black)).toBeCloseTo(1, 5);
    const tiny = appearanceDescriptor({ width: 2, height: 2, data: new Uint8Array(12).fill(100) });
    expect(Number.isFinite(dot(tiny, tiny))).toBe(true);
    expect(() => appearanceDescriptor({ width: 4, height: 4, data: new Uint8Array(5) })).toThrow(/RGB24/);
  });
});
