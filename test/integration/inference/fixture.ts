/** Shared by the inference tests: the fixture pack written by scripts/make-test-model.py and its reference numbers. */
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../helpers/media.ts';

export const FIXTURE_DIR = path.join(REPO_ROOT, 'test', 'fixtures', 'models');

interface Array1d {
  readonly shape: number[];
  readonly data: number[];
}

export interface Reference {
  readonly probe: { readonly imageShape: [number, number, number, number]; readonly vector: number[][] };
  readonly models: Record<string, { readonly weights: Record<string, Array1d>; readonly expected: Array1d }>;
}

export const REFERENCE = JSON.parse(readFileSync(path.join(FIXTURE_DIR, 'reference.json'), 'utf8')) as Reference;

/** A private copy of the fixture pack that a test may damage. */
export function copyFixturePack(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'm3c-models-'));
  cpSync(FIXTURE_DIR, dir, { recursive: true });
  return dir;
}

/** The conv model's probe input; same formula as probe_image() in the script. */
export function probeImage(): Float32Array {
  const [, c, h, w] = REFERENCE.probe.imageShape;
  const x = new Float32Array(c * h * w);
  for (let ch = 0; ch < c; ch++)
    for (let y = 0; y < h; y++) for (let xx = 0; xx < w; xx++) x[(ch * h + y) * w + xx] = ((ch * 7 + y * 3 + xx * 5) % 11) / 10 - 0.5;
  return x;
}

/** 3x3 convolution (padding 1) -> ReLU -> mean over the image, from the reference weights, in float64. */
export function convFeatures(image: Float32Array): number[] {
  const { conv_w: w, conv_b: b } = REFERENCE.models['test-embedder'].weights;
  const [, c, h, wd] = REFERENCE.probe.imageShape;
  const outChannels = b.data.length;
  const features: number[] = [];
  for (let o = 0; o < outChannels; o++) {
    let sum = 0;
    for (let y = 0; y < h; y++)
      for (let x = 0; x < wd; x++) {
        let acc = b.data[o];
        for (let ch = 0; ch < c; ch++)
          for (let ky = 0; ky < 3; ky++)
            for (let kx = 0; kx < 3; kx++) {
              const yy = y + ky - 1;
              const xx = x + kx - 1;
              if (yy < 0 || yy >= h || xx < 0 || xx >= wd) continue;
              acc += image[(ch * h + yy) * wd + xx] * w.data[((o * c + ch) * 3 + ky) * 3 + kx];
            }
        sum += Math.max(acc, 0);
      }
    features.push(sum / (h * wd));
  }
  return features;
}

/** tanh(x W + b) from the reference weights. */
export function denseTanh(x: number[][]): number[] {
  const { dense_w: w, dense_b: b } = REFERENCE.models['test-dense'].weights;
  const outDim = w.shape[1];
  return x.flatMap((row) =>
    Array.from({ length: outDim }, (_, j) => Math.tanh(row.reduce((acc, v, i) => acc + v * w.data[i * outDim + j], b.data[j]))),
  );
}
