import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  assertSamePack,
  defaultModelsDir,
  loadManifest,
  modelPackHash,
  packHashHex,
  parseManifest,
  sha256File,
  type ModelManifest,
} from '../../../src/main/inference/index.ts';
import { M3cError } from '../../../src/shared/engine/errors.ts';
import { copyFixturePack, FIXTURE_DIR } from './fixture.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function scratchPack(): string {
  const dir = copyFixturePack();
  dirs.push(dir);
  return dir;
}

/** The fields the damage cases touch, loosely typed on purpose: they write values a valid manifest cannot hold. */
interface RawManifest {
  schema: unknown;
  packId?: unknown;
  models: { slot: unknown; file: unknown; sha256: unknown; inputs: { dtype: unknown }[]; outputs: unknown[] }[];
}

function editManifest(dir: string, edit: (json: RawManifest) => void): void {
  const file = path.join(dir, 'manifest.json');
  const json = JSON.parse(readFileSync(file, 'utf8')) as RawManifest;
  edit(json);
  writeFileSync(file, JSON.stringify(json));
}

function modelError(fn: () => unknown): M3cError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(M3cError);
    expect((e as M3cError).message).not.toContain('\n');
    return e as M3cError;
  }
  throw new Error('expected an error');
}

describe('loadManifest', () => {
  it('loads the fixture pack with every file matching its sha256', () => {
    const m = loadManifest(FIXTURE_DIR);
    expect(m.packId).toBe('m3c-test-pack-1');
    expect(m.models.map((x) => x.slot)).toEqual(['test-embedder', 'test-dense']);
    expect(m.models[0].inputs[0]).toEqual({ name: 'image', dtype: 'float32', shape: [1, 3, 'H', 'W'] });
    for (const model of m.models) expect(sha256File(path.join(FIXTURE_DIR, model.file))).toBe(model.sha256);
  });

  it('loads the shipped pack: the learned keyframe codec on both token grids and the guide restoration', () => {
    const m = loadManifest();
    expect(m.dir).toBe(path.resolve(defaultModelsDir()));
    expect(m.packId).toBe('m3c-learned-2');
    const kinds = ['encoder', 'tokens', 'denoiser', 'decoder', 'token-prior'];
    const keyframeSlots = ['coarse', 'fine'].flatMap((g) => kinds.map((k) => `kf-${k}-${g}`)).sort();
    expect(m.models.map((x) => x.slot).sort()).toEqual([...keyframeSlots, 'guide-restore', 'guide-restore-realism'].sort());
    // Files made with the pack before (the keyframe codec alone) keep decoding: its hash is derived from the same entries.
    expect(m.earlierPacks.map((p) => [p.packId, [...p.slots].sort()])).toEqual([['m3c-learned-1', keyframeSlots]]);
    expect(modelPackHash(m)).toHaveLength(8);
  });

  it('refuses a model file whose bytes changed, naming the sha256 mismatch', () => {
    const dir = scratchPack();
    const file = path.join(dir, 'dense-tanh.onnx');
    const bytes = readFileSync(file);
    bytes[bytes.length >> 1] ^= 0x01;
    writeFileSync(file, bytes);
    const e = modelError(() => loadManifest(dir));
    expect(e.code).toBe('model');
    expect(e.message).toMatch(/^model file .*dense-tanh\.onnx \(slot "test-dense"\) has sha256 [0-9a-f]{12}…, the manifest expects 636578ca64b5…: the file is damaged or replaced; reinstall model pack m3c-test-pack-1$/);
  });

  it('reports a missing model file and a missing manifest', () => {
    const dir = scratchPack();
    rmSync(path.join(dir, 'conv-features.onnx'));
    expect(modelError(() => loadManifest(dir)).message).toMatch(/conv-features\.onnx \(slot "test-embedder"\) is missing: reinstall model pack m3c-test-pack-1$/);
    rmSync(path.join(dir, 'manifest.json'));
    expect(modelError(() => loadManifest(dir)).message).toBe(`model manifest ${path.join(dir, 'manifest.json')} is missing: install a model pack there`);
  });

  it.each([
    ['not JSON', (d: string) => writeFileSync(path.join(d, 'manifest.json'), '{"schema": 1,'), /not valid JSON/],
    ['another schema', (d: string) => editManifest(d, (j) => (j.schema = 2)), /has schema 2 but this M3C reads schema 1/],
    ['no packId', (d: string) => editManifest(d, (j) => delete j.packId), /packId must be a non-empty one-line string/],
    ['a duplicate slot', (d: string) => editManifest(d, (j) => (j.models[1].slot = 'test-embedder')), /slot "test-embedder" appears twice/],
    ['a short sha256', (d: string) => editManifest(d, (j) => (j.models[0].sha256 = 'abc')), /models\[0\]\.sha256 must be 64 lower-case hex digits/],
    ['a file outside the pack', (d: string) => editManifest(d, (j) => (j.models[0].file = '../x.onnx')), /must be a path inside the manifest's folder/],
    ['an unknown dtype', (d: string) => editManifest(d, (j) => (j.models[1].inputs[0].dtype = 'float8')), /models\[1\]\.inputs\[0\]\.dtype must be one of/],
    ['a negative dimension', (d: string) => editManifest(d, (j) => (j.models[1].outputs[0] = { name: 'y', dtype: 'float32', shape: [-1, 2] })), /outputs\[0\]\.shape holds -1/],
    ['no outputs', (d: string) => editManifest(d, (j) => (j.models[0].outputs = [])), /models\[0\]\.outputs must be a non-empty array/],
  ])('refuses a manifest with %s', (_label, damage, message) => {
    const dir = scratchPack();
    damage(dir);
    const e = modelError(() => loadManifest(dir));
    expect(e.code).toBe('model');
    expect(e.message).toMatch(message);
  });
});

describe('modelPackHash', () => {
  const base = loadManifest(FIXTURE_DIR);
  const hex = (m: ModelManifest): string => packHashHex(modelPackHash(m));
  const withModel = (i: number, change: Record<string, unknown>): ModelManifest => ({
    ...base,
    models: base.models.map((m, j) => (j === i ? { ...m, ...change } : m)),
  });

  it('is 8 bytes and stable across loads and copies', () => {
    expect(modelPackHash(base)).toHaveLength(8);
    expect(hex(loadManifest(scratchPack()))).toBe(hex(base));
    // The same content serialised differently (key order, whitespace) is the same pack.
    const reordered = JSON.parse(readFileSync(path.join(FIXTURE_DIR, 'manifest.json'), 'utf8'));
    const flipped = Object.fromEntries(Object.entries(reordered).reverse());
    expect(hex(parseManifest(flipped, FIXTURE_DIR, 'memory'))).toBe(hex(base));
  });

  it('keeps its serialisation, so .m3c files written so far stay decodable', () => {
    // Checked independently, in Python: sha256 of json.dumps({schema, packId, models reduced to slot,
    // sha256, inputs, outputs and sorted by slot}, sort_keys=True, separators=(',', ':')) of
    // resources/models/manifest.json (pack m3c-learned-1, the keyframe codec's 10 models). The earlier
    // m3c-classical-1 was 9d8008daba229109. m3c-learned-2 adds the guide restoration and derives learned-1's hash.
    const shipped = loadManifest();
    expect(packHashHex(shipped.earlierPacks[0].hash)).toBe('031a32a9dff0269b');
    expect(packHashHex(modelPackHash(shipped))).not.toBe('031a32a9dff0269b');
    expect(hex(base)).toBe('3c2d27584f2343cd');
  });

  it('changes with any model bytes, interface or the pack id', () => {
    const h = hex(base);
    expect(hex(withModel(1, { sha256: 'f'.repeat(64) }))).not.toBe(h);
    expect(hex(withModel(0, { inputs: [{ name: 'image', dtype: 'float32', shape: [1, 3, 64, 64] }] }))).not.toBe(h);
    expect(hex(withModel(1, { outputs: [{ name: 'z', dtype: 'float32', shape: [2, 2] }] }))).not.toBe(h);
    expect(hex({ ...base, packId: 'm3c-test-pack-2' })).not.toBe(h);
    expect(hex({ ...base, models: base.models.slice(1) })).not.toBe(h);
  });

  it('ignores what cannot change decoding: provenance, file names, model order', () => {
    const h = hex(base);
    expect(hex(withModel(0, { provenance: { note: 'typo fixed' } }))).toBe(h);
    expect(hex(withModel(0, { file: 'renamed.onnx' }))).toBe(h);
    expect(hex({ ...base, models: [...base.models].reverse() })).toBe(h);
  });

  it('derives an earlier pack\'s hash from the entries it names, and refuses one naming a slot the pack lacks', () => {
    const json = JSON.parse(readFileSync(path.join(FIXTURE_DIR, 'manifest.json'), 'utf8'));
    const grown = parseManifest({ ...json, packId: 'm3c-test-pack-2', earlierPacks: [{ packId: json.packId, slots: base.models.map((m) => m.slot) }] }, FIXTURE_DIR, 'memory');
    // The earlier pack is exactly the fixture pack: same id, same entries, same hash.
    expect(packHashHex(grown.earlierPacks[0].hash)).toBe(hex(base));
    expect(() => parseManifest({ ...json, packId: 'm3c-test-pack-2', earlierPacks: [{ packId: json.packId, slots: ['test-embedder', 'gone'] }] }, FIXTURE_DIR, 'memory')).toThrow(/names slot "gone", which this pack does not have/);
    expect(() => parseManifest({ ...json, earlierPacks: [{ packId: json.packId, slots: ['test-embedder'] }] }, FIXTURE_DIR, 'memory')).toThrow(/this pack's own id/);
  });
});

describe('assertSamePack', () => {
  const installed = loadManifest(FIXTURE_DIR);
  const installedHex = packHashHex(modelPackHash(installed));

  it('accepts the installed pack', () => {
    expect(() => assertSamePack(installed.packId, modelPackHash(installed), installed)).not.toThrow();
  });

  it('names both packs and what to install, on one line', () => {
    const other = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
    const e = modelError(() => assertSamePack('m3c-learned-3', other, installed));
    expect(e.code).toBe('model');
    expect(e.message).toBe(
      `this .m3c was made with model pack m3c-learned-3 (hash 0102030405060708), installed is m3c-test-pack-1 (hash ${installedHex}): install pack m3c-learned-3 to decode it`,
    );
  });

  it('tells same-named packs apart by hash', () => {
    const e = modelError(() => assertSamePack(installed.packId, new Uint8Array(8), installed));
    expect(e.message).toMatch(/install pack m3c-test-pack-1 \(hash 0000000000000000\) to decode it$/);
  });

  it('treats a hash of the wrong length as a damaged bitstream', () => {
    expect(modelError(() => assertSamePack(installed.packId, new Uint8Array(4), installed)).code).toBe('corrupt-bitstream');
  });
});
