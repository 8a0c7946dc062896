import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cudaAvailability, loadManifest, SessionCache, Tensor } from '../../../src/main/inference/index.ts';
import { M3cError } from '../../../src/shared/engine/errors.ts';
import { convFeatures, copyFixturePack, denseTanh, FIXTURE_DIR, probeImage, REFERENCE } from './fixture.ts';

const caches: SessionCache[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(caches.splice(0).map((c) => c.dispose()));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function cache(dir = FIXTURE_DIR, options: ConstructorParameters<typeof SessionCache>[1] = { env: {} }): SessionCache {
  const c = new SessionCache(loadManifest(dir), options);
  caches.push(c);
  return c;
}

function scratchPack(): string {
  const dir = copyFixturePack();
  dirs.push(dir);
  return dir;
}

const imageTensor = (): Tensor => new Tensor('float32', probeImage(), REFERENCE.probe.imageShape);
const vectorTensor = (): Tensor => new Tensor('float32', Float32Array.from(REFERENCE.probe.vector.flat()), [2, 3]);

async function rejection(p: Promise<unknown>): Promise<M3cError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(M3cError);
  expect((e as M3cError).message).not.toContain('\n');
  return e as M3cError;
}

describe('running models', () => {
  it('computes the conv model as TypeScript does from the same weights', async () => {
    const c = cache();
    const out = await c.run('test-embedder', { image: imageTensor() });
    expect(Object.keys(out)).toEqual(['features']);
    expect(out.features.dims).toEqual([1, 4]);
    const got = Array.from(out.features.data as Float32Array);
    const ours = convFeatures(probeImage());
    expect(ours.some((v) => v > 0)).toBe(true);
    got.forEach((v, i) => expect(v).toBeCloseTo(ours[i], 5));
    got.forEach((v, i) => expect(v).toBeCloseTo(REFERENCE.models['test-embedder'].expected.data[i], 5));
  });

  it('accepts any size on the symbolic dimensions', async () => {
    const c = cache();
    const out = await c.run('test-embedder', { image: new Tensor('float32', new Float32Array(3 * 9 * 2).fill(1), [1, 3, 9, 2]) });
    expect(out.features.dims).toEqual([1, 4]);
  });

  it('computes the dense model', async () => {
    const out = await cache().run('test-dense', { x: vectorTensor() });
    const got = Array.from(out.y.data as Float32Array);
    denseTanh(REFERENCE.probe.vector).forEach((v, i) => expect(got[i]).toBeCloseTo(v, 5));
  });

  it('creates a session only on first use and then reuses it', async () => {
    const c = cache();
    expect(c.isLoaded('test-embedder')).toBe(false);
    expect(c.isLoaded('test-dense')).toBe(false);
    const [a, b] = await Promise.all([c.session('test-dense'), c.session('test-dense')]);
    expect(a).toBe(b);
    expect(c.isLoaded('test-dense')).toBe(true);
    expect(c.isLoaded('test-embedder')).toBe(false);
    await c.run('test-dense', { x: vectorTensor() });
    expect(await c.session('test-dense')).toBe(a);
    expect(c.providerOf('test-dense')).toBe('cpu');
  });

  it('checks feeds against the manifest with one-line messages', async () => {
    const c = cache();
    const wrongShape = await rejection(c.run('test-dense', { x: new Tensor('float32', new Float32Array(6), [3, 2]) }));
    expect(wrongShape.message).toBe('model slot "test-dense" input "x" must be float32 [2,3], got float32 [3,2]');
    expect((await rejection(c.run('test-dense', {}))).message).toBe('model slot "test-dense" needs input "x" (float32 [2,3])');
    const extra = await rejection(c.run('test-dense', { x: vectorTensor(), z: vectorTensor() }));
    expect(extra.message).toBe('model slot "test-dense" has no input named "z"');
    const slot = await rejection(c.run('embedder', {}));
    expect(slot.message).toBe('model pack m3c-test-pack-1 has no model for slot "embedder": install a pack that provides it');
    // Refused before any session was made.
    expect(c.isLoaded('test-dense')).toBe(false);
  });

  it('refuses a model file changed after the manifest was loaded', async () => {
    const dir = scratchPack();
    const c = cache(dir);
    const file = path.join(dir, 'conv-features.onnx');
    const bytes = readFileSync(file);
    bytes[bytes.length - 5] ^= 0x80;
    writeFileSync(file, bytes);
    const e = await rejection(c.run('test-embedder', { image: imageTensor() }));
    expect(e.code).toBe('model');
    expect(e.message).toMatch(/conv-features\.onnx \(slot "test-embedder"\) has sha256 .* the manifest expects 490009c5fcff…/);
    expect(c.isLoaded('test-embedder')).toBe(false);
  });

  it('refuses a model whose interface differs from its manifest entry', async () => {
    const dir = scratchPack();
    const file = path.join(dir, 'manifest.json');
    writeFileSync(file, readFileSync(file, 'utf8').replace('"name": "x"', '"name": "input"'));
    const c = cache(dir);
    const e = await rejection(c.run('test-dense', { input: vectorTensor() }));
    expect(e.message).toMatch(/has inputs x: float32 \[2,3\] but the manifest declares input: float32 \[2,3\]: reinstall model pack/);
  });

  it('cannot be used after dispose', async () => {
    const c = cache();
    await c.run('test-dense', { x: vectorTensor() });
    await c.dispose();
    expect(c.isLoaded('test-dense')).toBe(false);
    expect((await rejection(c.run('test-dense', { x: vectorTensor() }))).code).toBe('internal');
  });
});

describe('execution providers', () => {
  it('falls back from CUDA to CPU with one notice when CUDA cannot start, and still computes', async () => {
    const notices: string[] = [];
    const c = cache(FIXTURE_DIR, { executionProvider: 'cuda', env: {}, onNotice: (m) => notices.push(m) });
    const out = await c.run('test-dense', { x: vectorTensor() });
    await c.run('test-embedder', { image: imageTensor() });
    const got = Array.from(out.y.data as Float32Array);
    denseTanh(REFERENCE.probe.vector).forEach((v, i) => expect(got[i]).toBeCloseTo(v, 5));
    if (c.providerOf('test-dense') === 'cuda') {
      expect(notices).toEqual([]);
    } else {
      expect(c.providerOf('test-dense')).toBe('cpu');
      expect(c.providerOf('test-embedder')).toBe('cpu');
      expect(notices).toHaveLength(1);
      expect(notices[0]).toMatch(/CUDA .*; running models on CPU$/);
      expect(notices[0]).not.toContain('\n');
    }
  });

  it('uses CUDA on "auto" only when this build bundles it, silently otherwise', async () => {
    const notices: string[] = [];
    const c = cache(FIXTURE_DIR, { executionProvider: 'auto', env: {}, onNotice: (m) => notices.push(m) });
    await c.session('test-dense');
    if (cudaAvailability() !== 'bundled') {
      expect(c.providerOf('test-dense')).toBe('cpu');
      expect(notices).toEqual([]);
    }
  });

  it('lets M3C_EP override the caller and refuses an unknown value', () => {
    expect(new SessionCache(loadManifest(FIXTURE_DIR), { executionProvider: 'cuda', env: { M3C_EP: 'CPU' } }).preference).toBe('cpu');
    expect(new SessionCache(loadManifest(FIXTURE_DIR), { env: { M3C_EP: 'cuda' } }).preference).toBe('cuda');
    expect(new SessionCache(loadManifest(FIXTURE_DIR), { env: {} }).preference).toBe('cpu');
    try {
      new SessionCache(loadManifest(FIXTURE_DIR), { env: { M3C_EP: 'tpu' } });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(M3cError);
      expect((e as M3cError).code).toBe('usage');
      expect((e as M3cError).message).toBe('M3C_EP=tpu is not an execution provider: use cpu, cuda or auto');
    }
  });
});
