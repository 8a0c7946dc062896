/**
 * The studio's own settings (LMM endpoint, default working geometry), kept as JSON in the projects folder.
 * Secrets (the LMM API key) are not in that file: they live in a SecretStore, Electron's safeStorage (the
 * OS keychain) where it exists, otherwise a file only its owner can read (mode 0600). A key found in an
 * older studio-settings.json is moved out of it the first time the settings are read.
 */
import { chmodSync, closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { Geometry } from '../../shared/engine/frame.ts';
import { M3cError } from '../../shared/engine/errors.ts';
import { DEFAULT_GEOMETRY } from '../pipeline/engine.ts';
import { ProjectLayout } from '../store/layout.ts';

export interface StoredSettings {
  /** apiKey is held in memory only; on disk it is in the SecretStore. */
  readonly lmm: { readonly baseUrl: string | null; readonly model: string | null; readonly apiKey: string | null };
  readonly geometry: Geometry;
}

export { SETTINGS_FILE, SECRETS_FILE, KEYCHAIN_SECRETS_FILE } from '../store/layout.ts';
export const LMM_API_KEY_SECRET = 'lmm.apiKey';

/** Where secrets are kept. `get` is synchronous because the settings are read while the service starts. */
export interface SecretStore {
  readonly kind: 'keychain' | 'file';
  get(name: string): string | null;
  /** Stores (or, with null, removes) one secret; durable once it returns. */
  set(name: string, value: string | null): void;
}

/** The part of Electron's `safeStorage` this uses (so it can be passed in, and faked in tests). */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  /** Linux: 'basic_text' means no keyring, only a hard-coded key; then the 0600 file is used instead. */
  getSelectedStorageBackend?(): string;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
}

const OWNER_ONLY = 0o600;

/**
 * Writes `data` so readers see the old or the new content, never a mix, and the file is never readable
 * by others, not even for a moment: the temporary file is created with mode 0600 (O_EXCL), flushed,
 * chmod-ed (a umask cannot widen it, but it might have been narrower), renamed, and the folder flushed.
 */
function writeOwnerOnlySync(target: string, data: Uint8Array): void {
  const dir = path.dirname(target);
  const tmp = path.join(dir, `.${path.basename(target)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx', OWNER_ONLY);
    writeSync(fd, data);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    chmodSync(tmp, OWNER_ONLY);
    renameSync(tmp, target);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  syncDirSync(dir);
}

function syncDirSync(dir: string): void {
  if (process.platform === 'win32') return;
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'ENOTSUP') throw e;
  } finally {
    closeSync(fd);
  }
}

/** Reads a secrets file, narrowing its permissions to 0600 first if they are wider; null when absent. */
function readOwnerOnly(file: string): Buffer | null {
  let mode: number;
  try {
    mode = statSync(file).mode;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new M3cError('store', `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) chmodSync(file, OWNER_ONLY);
  return readFileSync(file);
}

function parseSecrets(text: string, file: string): Record<string, string> {
  try {
    const j = JSON.parse(text) as unknown;
    if (typeof j !== 'object' || j === null || Array.isArray(j)) throw new Error('not an object');
    return Object.fromEntries(Object.entries(j).filter((e): e is [string, string] => typeof e[1] === 'string'));
  } catch {
    // Never quote the content: it is a secret.
    throw new M3cError('store', `${file} is not a valid secrets file: delete it and enter the API key again in Settings`);
  }
}

abstract class JsonSecretStore implements SecretStore {
  abstract readonly kind: 'keychain' | 'file';
  private cache: Record<string, string> | undefined;
  constructor(protected readonly file: string) {}
  protected abstract decode(raw: Buffer): string;
  protected abstract encode(json: string): Uint8Array;

  private all(): Record<string, string> {
    if (!this.cache) {
      const raw = readOwnerOnly(this.file);
      this.cache = raw === null ? {} : parseSecrets(this.decode(raw), this.file);
    }
    return this.cache;
  }

  get(name: string): string | null {
    return this.all()[name] ?? null;
  }

  set(name: string, value: string | null): void {
    const next = { ...this.all() };
    if (value === null) delete next[name];
    else next[name] = value;
    writeOwnerOnlySync(this.file, this.encode(JSON.stringify(next)));
    this.cache = next;
  }
}

/** Secrets in `<dir>/studio-secrets.json`, mode 0600. */
export class FileSecretStore extends JsonSecretStore {
  readonly kind = 'file' as const;
  constructor(dir: string) {
    super(new ProjectLayout(dir).secretsFile);
  }
  protected decode(raw: Buffer): string {
    return raw.toString('utf8');
  }
  protected encode(json: string): Uint8Array {
    return new TextEncoder().encode(json);
  }
}

/** Secrets encrypted with Electron's safeStorage (the OS keychain's key), in `<dir>/studio-secrets.enc`, mode 0600. */
export class SafeStorageSecretStore extends JsonSecretStore {
  readonly kind = 'keychain' as const;
  constructor(
    dir: string,
    private readonly safeStorage: SafeStorageLike,
  ) {
    super(new ProjectLayout(dir).keychainSecretsFile);
  }
  protected decode(raw: Buffer): string {
    try {
      return this.safeStorage.decryptString(raw);
    } catch {
      throw new M3cError('store', `${this.file} cannot be decrypted by this user's keychain: delete it and enter the API key again in Settings`);
    }
  }
  protected encode(json: string): Uint8Array {
    return this.safeStorage.encryptString(json);
  }
}

/** The keychain where safeStorage can encrypt, otherwise the 0600 file. */
export function defaultSecretStore(dir: string, safeStorage?: SafeStorageLike | null): SecretStore {
  const usable = !!safeStorage?.isEncryptionAvailable() && safeStorage.getSelectedStorageBackend?.() !== 'basic_text';
  return usable ? new SafeStorageSecretStore(dir, safeStorage!) : new FileSecretStore(dir);
}

export function defaultSettings(): StoredSettings {
  return { lmm: { baseUrl: null, model: null, apiKey: null }, geometry: DEFAULT_GEOMETRY };
}

type OnDisk = { lmm?: { baseUrl?: string | null; model?: string | null; apiKey?: unknown }; geometry?: Geometry };

function withoutKey(s: StoredSettings): OnDisk {
  return { lmm: { baseUrl: s.lmm.baseUrl, model: s.lmm.model }, geometry: s.geometry };
}

function writeSettingsFile(projectsDir: string, s: StoredSettings): void {
  writeOwnerOnlySync(new ProjectLayout(projectsDir).settingsFile, new TextEncoder().encode(JSON.stringify(withoutKey(s), null, 2)));
}

/**
 * Reads the settings and the API key. A plain-text key left in studio-settings.json by an older version
 * is moved into `secrets` (unless the store already has one) and removed from the file.
 */
export function readSettings(projectsDir: string, secrets: SecretStore = new FileSecretStore(projectsDir)): StoredSettings {
  const file = new ProjectLayout(projectsDir).settingsFile;
  const d = defaultSettings();
  let raw: string | undefined;
  try {
    raw = readFileSync(file, 'utf8');
  } catch {
    raw = undefined;
  }
  let j: OnDisk = {};
  if (raw !== undefined) {
    try {
      j = JSON.parse(raw) as OnDisk;
    } catch {
      throw new M3cError('store', `${file} is not valid JSON: fix or delete it`);
    }
  }
  const legacyKey = typeof j.lmm?.apiKey === 'string' && j.lmm.apiKey.length > 0 ? j.lmm.apiKey : null;
  let apiKey = secrets.get(LMM_API_KEY_SECRET);
  const settings: StoredSettings = {
    lmm: { baseUrl: j.lmm?.baseUrl ?? d.lmm.baseUrl, model: j.lmm?.model ?? d.lmm.model, apiKey: null },
    geometry: j.geometry ?? d.geometry,
  };
  if (j.lmm && 'apiKey' in j.lmm) {
    if (apiKey === null && legacyKey !== null) {
      secrets.set(LMM_API_KEY_SECRET, legacyKey);
      apiKey = legacyKey;
    }
    writeSettingsFile(projectsDir, settings);
  }
  return { ...settings, lmm: { ...settings.lmm, apiKey } };
}

/** Writes the settings file (never the key) and the key to `secrets`. */
export async function writeSettings(projectsDir: string, s: StoredSettings, secrets: SecretStore = new FileSecretStore(projectsDir)): Promise<void> {
  if (secrets.get(LMM_API_KEY_SECRET) !== s.lmm.apiKey) secrets.set(LMM_API_KEY_SECRET, s.lmm.apiKey);
  writeSettingsFile(projectsDir, s);
}
