/**
 * The shipped guide-restoration graphs (resources/models/guide-restore*.onnx) against the PyTorch
 * outputs recorded by training/restore.py export (test/fixtures/restore): same interface (input
 * `base`, output `restored`, float32, dynamic H/W) and max abs diff < 2e-3.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../helpers/media.ts';

const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures', 'restore');

interface Parity {
  input: { file: string; dims: number[] };
  outputs: Record<string, { file: string; dims: number[]; onnx: string }>;
}

const parity = JSON.parse(readFileSync(path.join(FIXTURES, 'parity.json'), 'utf8')) as Parity;

function u16(file: string): Uint16Array {
  const buf = readFileSync(path.join(FIXTURES, file));
  const bytes = new Uint8Array(buf.byteLength);
  bytes.set(buf);
  return new Uint16Array(bytes.buffer);
}

function input(): Float32Array {
  const q = u16(parity.input.file);
  const x = new Float32Array(q.length);
  for (let i = 0; i < q.length; i++) x[i] = q[i] / 4096;
  return x;
}

describe('guide-restore ONNX parity', () => {
  it('has both graphs and their fixtures', () => {
    expect(Object.keys(parity.outputs).sort()).toEqual(['guide-restore', 'guide-restore-realism']);
    for (const o of Object.values(parity.outputs)) expect(existsSync(path.join(REPO_ROOT, o.onnx))).toBe(true);
  });

  for (const [name, spec] of Object.entries(parity.outputs)) {
    it(`${name}.onnx matches PyTorch (max abs diff < 2e-3)`, async () => {
      const session = await InferenceSession.create(path.join(REPO_ROOT, spec.onnx));
      expect(session.inputNames).toEqual(['base']);
      expect(session.outputNames).toEqual(['restored']);
      const x = input();
      const out = await session.run({ base: new Tensor('float32', x, parity.input.dims) });
      const y = out.restored;
      expect(y.type).toBe('float32');
      expect(y.dims).toEqual(spec.dims);
      const want = u16(spec.file);
      const have = y.data as Float32Array;
      let worst = 0;
      for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(have[i] - want[i] / 65535));
      expect(worst).toBeLessThan(2e-3);
      // the model is a residual on the base: the output stays close to the input
      let diff = 0;
      for (let i = 0; i < x.length; i++) diff += Math.abs(have[i] - x[i]);
      expect(diff / x.length).toBeLessThan(0.1);
    });

    it(`${name}.onnx takes other sizes (dynamic H/W, multiples of 8)`, async () => {
      const session = await InferenceSession.create(path.join(REPO_ROOT, spec.onnx));
      const dims = [1, 3, 320, 512];
      const x = new Float32Array(dims.reduce((a, b) => a * b)).fill(0.5);
      const out = await session.run({ base: new Tensor('float32', x, dims) });
      expect(out.restored.dims).toEqual(dims);
    });
  }
});
