/**
 * Runs the probes that training/parity.py recorded (inputs and PyTorch outputs of every exported
 * graph) through onnxruntime-node and returns the largest absolute difference per graph.
 */
import { readFileSync } from 'node:fs';
import { Tensor, type SessionCache } from '../../src/main/inference/index.ts';

interface Encoded {
  dtype: 'float32' | 'int64' | 'int32';
  dims: number[];
  b64: string;
}
interface Parity {
  slots: Record<string, { inputs: Record<string, Encoded>; outputs: Record<string, Encoded> }>;
}

function decodeArray(e: Encoded): Float32Array | BigInt64Array | Int32Array {
  const buf = Buffer.from(e.b64, 'base64');
  const bytes = new Uint8Array(buf.byteLength);
  bytes.set(buf);
  if (e.dtype === 'float32') return new Float32Array(bytes.buffer);
  if (e.dtype === 'int64') return new BigInt64Array(bytes.buffer);
  return new Int32Array(bytes.buffer);
}

function toTensor(e: Encoded): Tensor {
  const data = decodeArray(e);
  if (data instanceof Float32Array) return new Tensor('float32', data, e.dims);
  if (data instanceof BigInt64Array) return new Tensor('int64', data, e.dims);
  return new Tensor('int32', data, e.dims);
}

/** The slots parity.json holds, sorted. */
export function paritySlots(parityFile: string): string[] {
  return Object.keys((JSON.parse(readFileSync(parityFile, 'utf8')) as Parity).slots).sort();
}

/** Max abs error per slot; throws when an output's shape differs from PyTorch's. */
export async function parityErrors(cache: SessionCache, parityFile: string, slots: readonly string[]): Promise<Record<string, number>> {
  const parity = JSON.parse(readFileSync(parityFile, 'utf8')) as Parity;
  const errors: Record<string, number> = {};
  for (const slot of slots) {
    const { inputs, outputs } = parity.slots[slot];
    const feeds = Object.fromEntries(Object.entries(inputs).map(([n, e]) => [n, toTensor(e)]));
    const got = await cache.run(slot, feeds);
    let worst = 0;
    for (const [name, e] of Object.entries(outputs)) {
      const want = decodeArray(e);
      const have = got[name].data as Float32Array | BigInt64Array | Int32Array;
      if (got[name].dims.join('x') !== e.dims.join('x')) throw new Error(`${slot}.${name}: dims ${got[name].dims.join('x')}, PyTorch ${e.dims.join('x')}`);
      for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(Number(have[i]) - Number(want[i])));
    }
    errors[slot] = worst;
  }
  return errors;
}
