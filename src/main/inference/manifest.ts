import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { M3cError } from '../../shared/engine/errors.ts';
import { outsideAsar } from '../util/resources-dir.ts';

export const MANIFEST_FILE = 'manifest.json';
export const MANIFEST_SCHEMA = 1;

const DTYPES = [
  'float32',
  'float16',
  'float64',
  'int8',
  'uint8',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'uint64',
  'bool',
  'string',
] as const;

export type TensorDtype = (typeof DTYPES)[number];

/** One model input or output. A string dimension is symbolic (any size), a number is fixed. */
export interface TensorSpec {
  readonly name: string;
  readonly dtype: TensorDtype;
  readonly shape: readonly (number | string)[];
}

export interface ModelEntry {
  /** The role the model plays in the engine, e.g. "embedder"; unique within a pack. */
  readonly slot: string;
  /** Path of the .onnx file relative to the manifest's folder. */
  readonly file: string;
  /** Lower-case hex SHA-256 of the file's bytes. */
  readonly sha256: string;
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];
  /** Where the weights came from (script, data, seed...): documentation, not part of the pack hash. */
  readonly provenance: Readonly<Record<string, unknown>>;
}

export interface ModelManifest {
  readonly schema: typeof MANIFEST_SCHEMA;
  readonly packId: string;
  readonly models: readonly ModelEntry[];
  /**
   * Earlier packs whose files this one decodes: each named with the slots it had, all of them in this pack
   * unchanged, so its hash is computed here from those entries (nothing is taken on trust). A pack that
   * adds models keeps the files of the pack before it decodable.
   */
  readonly earlierPacks: readonly { readonly packId: string; readonly slots: readonly string[]; readonly hash: Uint8Array }[];
  /** Absolute folder the manifest was read from; model files resolve against it. */
  readonly dir: string;
}

/** The models folder shipped in the repository (resources/models), beside app.asar in the packaged app. */
export function defaultModelsDir(): string {
  return outsideAsar(fileURLToPath(new URL('../../../resources/models/', import.meta.url)));
}

/** Path of a model's file on disk. */
export function modelPath(manifest: ModelManifest, model: ModelEntry): string {
  return path.join(manifest.dir, model.file);
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fieldError(where: string, detail: string): M3cError {
  return new M3cError('model', `malformed model manifest ${where}: ${detail}; reinstall the model pack`);
}

function nonEmptyString(v: unknown, where: string, what: string): string {
  if (typeof v !== 'string' || v.trim() === '' || /[\r\n]/.test(v)) throw fieldError(where, `${what} must be a non-empty one-line string`);
  return v;
}

function parseTensors(v: unknown, where: string, what: string): TensorSpec[] {
  if (!Array.isArray(v) || v.length === 0) throw fieldError(where, `${what} must be a non-empty array`);
  const names = new Set<string>();
  return v.map((t, i) => {
    const at = `${what}[${i}]`;
    if (!isObject(t)) throw fieldError(where, `${at} must be an object`);
    const name = nonEmptyString(t.name, where, `${at}.name`);
    if (names.has(name)) throw fieldError(where, `${at}.name "${name}" appears twice`);
    names.add(name);
    if (!DTYPES.includes(t.dtype as TensorDtype)) throw fieldError(where, `${at}.dtype must be one of ${DTYPES.join(', ')}`);
    if (!Array.isArray(t.shape)) throw fieldError(where, `${at}.shape must be an array`);
    const shape = t.shape.map((d: unknown) => {
      if ((typeof d === 'number' && Number.isSafeInteger(d) && d >= 0) || (typeof d === 'string' && d !== '')) return d;
      throw fieldError(where, `${at}.shape holds ${JSON.stringify(d)}; dimensions are non-negative integers or names`);
    });
    return { name, dtype: t.dtype as TensorDtype, shape };
  });
}

function parseModel(v: unknown, i: number, where: string): ModelEntry {
  const at = `models[${i}]`;
  if (!isObject(v)) throw fieldError(where, `${at} must be an object`);
  const slot = nonEmptyString(v.slot, where, `${at}.slot`);
  const file = nonEmptyString(v.file, where, `${at}.file`);
  // A pack may only name files inside its own folder.
  if (path.isAbsolute(file) || path.normalize(file).split(/[\\/]/).includes('..')) {
    throw fieldError(where, `${at}.file "${file}" must be a path inside the manifest's folder`);
  }
  if (typeof v.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(v.sha256)) {
    throw fieldError(where, `${at}.sha256 must be 64 lower-case hex digits`);
  }
  if (!isObject(v.provenance)) throw fieldError(where, `${at}.provenance must be an object`);
  return {
    slot,
    file,
    sha256: v.sha256,
    inputs: parseTensors(v.inputs, where, `${at}.inputs`),
    outputs: parseTensors(v.outputs, where, `${at}.outputs`),
    provenance: v.provenance,
  };
}

/** Validates the JSON of a manifest read from `where` (a path, for messages) and anchors it at `dir`. */
export function parseManifest(json: unknown, dir: string, where: string): ModelManifest {
  if (!isObject(json)) throw fieldError(where, 'the top level must be an object');
  if (json.schema !== MANIFEST_SCHEMA) {
    throw new M3cError(
      'model',
      `model manifest ${where} has schema ${JSON.stringify(json.schema)} but this M3C reads schema ${MANIFEST_SCHEMA}: install a matching model pack`,
    );
  }
  const packId = nonEmptyString(json.packId, where, 'packId');
  if (!Array.isArray(json.models)) throw fieldError(where, 'models must be an array');
  const models = json.models.map((m, i) => parseModel(m, i, where));
  const slots = new Set<string>();
  for (const m of models) {
    if (slots.has(m.slot)) throw fieldError(where, `slot "${m.slot}" appears twice`);
    slots.add(m.slot);
  }
  const earlierPacks = parseEarlierPacks(json.earlierPacks, models, packId, where);
  return { schema: MANIFEST_SCHEMA, packId, models, earlierPacks, dir: path.resolve(dir) };
}

function parseEarlierPacks(v: unknown, models: readonly ModelEntry[], packId: string, where: string): ModelManifest['earlierPacks'] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw fieldError(where, 'earlierPacks must be an array');
  return v.map((e, i) => {
    const at = `earlierPacks[${i}]`;
    if (!isObject(e)) throw fieldError(where, `${at} must be an object`);
    const id = nonEmptyString(e.packId, where, `${at}.packId`);
    if (id === packId) throw fieldError(where, `${at}.packId is this pack's own id`);
    if (!Array.isArray(e.slots) || e.slots.length === 0) throw fieldError(where, `${at}.slots must be a non-empty array`);
    const slots = e.slots.map((slot: unknown) => nonEmptyString(slot, where, `${at}.slots`));
    const subset = slots.map((slot) => {
      const m = models.find((x) => x.slot === slot);
      if (!m) throw fieldError(where, `${at} names slot "${slot}", which this pack does not have`);
      return m;
    });
    return { packId: id, slots, hash: modelPackHash({ schema: MANIFEST_SCHEMA, packId: id, models: subset }) };
  });
}

/** SHA-256 of a file, read in chunks so that large models do not need one buffer of their size. */
export function sha256File(file: string): string {
  const hash = createHash('sha256');
  const chunk = Buffer.allocUnsafe(1 << 20);
  const fd = openSync(file, 'r');
  try {
    for (let n = readSync(fd, chunk); n > 0; n = readSync(fd, chunk)) hash.update(chunk.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

export function checkModelBytes(manifest: ModelManifest, model: ModelEntry, actualSha256: string): void {
  if (actualSha256 !== model.sha256) {
    throw new M3cError(
      'model',
      `model file ${modelPath(manifest, model)} (slot "${model.slot}") has sha256 ${actualSha256.slice(0, 12)}…, the manifest expects ${model.sha256.slice(0, 12)}…: the file is damaged or replaced; reinstall model pack ${manifest.packId}`,
    );
  }
}

/**
 * Reads and validates `<dir>/manifest.json` and checks every model file exists and matches its sha256.
 * Any problem is an M3cError('model') with a one-line message naming the file and what to do.
 */
export function loadManifest(dir: string = defaultModelsDir()): ModelManifest {
  const where = path.join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = readFileSync(where, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'is missing' : `cannot be read (${code ?? String(e)})`;
    throw new M3cError('model', `model manifest ${where} ${reason}: install a model pack there`, { cause: e });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw fieldError(where, `not valid JSON (${(e as Error).message.split('\n')[0]})`);
  }
  const manifest = parseManifest(json, dir, where);
  for (const model of manifest.models) {
    const file = modelPath(manifest, model);
    let actual: string;
    try {
      actual = sha256File(file);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const reason = code === 'ENOENT' ? 'is missing' : `cannot be read (${code ?? String(e)})`;
      throw new M3cError('model', `model file ${file} (slot "${model.slot}") ${reason}: reinstall model pack ${manifest.packId}`, {
        cause: e,
      });
    }
    checkModelBytes(manifest, model, actual);
  }
  return manifest;
}

/** JSON with object keys sorted at every level, so equal content always serialises to equal bytes. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * The 8-byte identity of a pack's decoding behaviour: the first 8 bytes of the SHA-256 of the canonical
 * JSON of its schema, packId and, per model sorted by slot, its slot, sha256, inputs and outputs. A change
 * to any model's bytes or interface changes it; file names, model order and provenance notes do not,
 * because they cannot change what a decoder computes.
 */
export function modelPackHash(manifest: Pick<ModelManifest, 'schema' | 'packId' | 'models'>): Uint8Array {
  const identity = {
    schema: manifest.schema,
    packId: manifest.packId,
    models: [...manifest.models]
      .sort((a, b) => (a.slot < b.slot ? -1 : a.slot > b.slot ? 1 : 0))
      .map((m) => ({ slot: m.slot, sha256: m.sha256, inputs: m.inputs, outputs: m.outputs })),
  };
  return new Uint8Array(createHash('sha256').update(canonicalJson(identity)).digest().subarray(0, 8));
}

export function packHashHex(hash: Uint8Array): string {
  return Buffer.from(hash.buffer, hash.byteOffset, hash.byteLength).toString('hex');
}
