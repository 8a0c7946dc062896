/**
 * Issue 13, case 11: the LMM API key was stored in plain text in a 0644 studio-settings.json.
 * Now: a 0600 secrets file (created with that mode, narrowed if wider), or Electron's safeStorage;
 * an old plain-text key is moved out on load; the renderer only learns whether a key is set.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StudioService } from '../../../src/main/services/studio-service.ts';
import {
  FileSecretStore,
  KEYCHAIN_SECRETS_FILE,
  SECRETS_FILE,
  SETTINGS_FILE,
  defaultSecretStore,
  readSettings,
  type SafeStorageLike,
} from '../../../src/main/services/settings.ts';

const KEY = 'sk-test-0123456789-SECRET';
const posix = process.platform !== 'win32';

/** TEST DOUBLE of Electron's safeStorage: a reversible "encryption" that is visibly not plain text. */
function fakeSafeStorage(available = true): SafeStorageLike & { calls: number } {
  return {
    calls: 0,
    isEncryptionAvailable: () => available,
    getSelectedStorageBackend: () => 'gnome_libsecret',
    encryptString(text: string) {
      this.calls++;
      return Buffer.from(`enc:${Buffer.from(text).toString('base64').split('').reverse().join('')}`);
    },
    decryptString(data: Buffer) {
      const s = data.toString();
      if (!s.startsWith('enc:')) throw new Error('bad ciphertext');
      return Buffer.from(s.slice(4).split('').reverse().join(''), 'base64').toString();
    },
  };
}

function mode(file: string): number {
  return statSync(file).mode & 0o777;
}

/** Every file in the folder (the database included) as text, to prove the key is nowhere in clear. */
function everythingIn(dir: string): string {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => readFileSync(path.join(d.parentPath, d.name)).toString('latin1'))
    .join('\n');
}

describe('studio secrets', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'm3c-secrets-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the key out of studio-settings.json, in a 0600 file, and out of getSettings', async () => {
    const service = new StudioService({ projectsDir: dir, mode: 'web' });
    try {
      const s = await service.updateSettings({ lmm: { baseUrl: 'http://127.0.0.1:9/v1', model: 'm', apiKey: KEY } });
      expect(s.lmm).toEqual({ baseUrl: 'http://127.0.0.1:9/v1', model: 'm', apiKeySet: true });
      expect(JSON.stringify(await service.getSettings())).not.toContain(KEY);
    } finally {
      await service.close();
    }
    const settingsText = readFileSync(path.join(dir, SETTINGS_FILE), 'utf8');
    expect(settingsText).not.toContain(KEY);
    expect(settingsText).not.toContain('apiKey');
    const secrets = path.join(dir, SECRETS_FILE);
    expect(readFileSync(secrets, 'utf8')).toContain(KEY);
    if (posix) expect(mode(secrets)).toBe(0o600);
    // No temporary file is left behind, and the key survives a restart.
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    const again = new StudioService({ projectsDir: dir, mode: 'web' });
    try {
      expect((await again.getSettings()).lmm.apiKeySet).toBe(true);
      // Clearing the key removes it from the secrets file.
      expect((await again.updateSettings({ lmm: { baseUrl: 'http://127.0.0.1:9/v1', apiKey: null } })).lmm.apiKeySet).toBe(false);
    } finally {
      await again.close();
    }
    expect(readFileSync(secrets, 'utf8')).not.toContain(KEY);
  });

  it('moves a plain-text key of an older version out of studio-settings.json on load', async () => {
    const file = path.join(dir, SETTINGS_FILE);
    writeFileSync(file, JSON.stringify({ lmm: { baseUrl: 'http://127.0.0.1:9/v1', model: 'old', apiKey: KEY }, geometry: { width: 256, height: 160, fpsNum: 4, fpsDen: 1 } }));
    if (posix) chmodSync(file, 0o644);
    const service = new StudioService({ projectsDir: dir, mode: 'web' });
    try {
      const s = await service.getSettings();
      expect(s.lmm).toEqual({ baseUrl: 'http://127.0.0.1:9/v1', model: 'old', apiKeySet: true });
      expect(s.geometry).toEqual({ width: 256, height: 160, fpsNum: 4, fpsDen: 1 });
    } finally {
      await service.close();
    }
    expect(readFileSync(file, 'utf8')).not.toContain(KEY);
    expect(readSettings(dir).lmm.apiKey).toBe(KEY);
    if (posix) expect(mode(path.join(dir, SECRETS_FILE))).toBe(0o600);
  });

  it.skipIf(!posix)('narrows an existing secrets file that is readable by others to 0600', () => {
    const secrets = path.join(dir, SECRETS_FILE);
    writeFileSync(secrets, JSON.stringify({ 'lmm.apiKey': KEY }));
    chmodSync(secrets, 0o644);
    expect(new FileSecretStore(dir).get('lmm.apiKey')).toBe(KEY);
    expect(mode(secrets)).toBe(0o600);
  });

  it('refuses a damaged secrets file without quoting it', () => {
    writeFileSync(path.join(dir, SECRETS_FILE), `not json ${KEY}`);
    expect(() => readSettings(dir)).toThrow(/is not a valid secrets file: delete it/);
    try {
      readSettings(dir);
    } catch (e) {
      expect((e as Error).message).not.toContain(KEY);
    }
  });

  it("uses Electron's safeStorage (test double) when it can encrypt, and never writes the key in clear", async () => {
    const safe = fakeSafeStorage();
    const secrets = defaultSecretStore(dir, safe);
    expect(secrets.kind).toBe('keychain');
    const service = new StudioService({ projectsDir: dir, mode: 'electron', secrets });
    try {
      await service.updateSettings({ lmm: { baseUrl: 'http://127.0.0.1:9/v1', apiKey: KEY } });
    } finally {
      await service.close();
    }
    expect(safe.calls).toBeGreaterThan(0);
    expect(existsSync(path.join(dir, SECRETS_FILE))).toBe(false);
    if (posix) expect(mode(path.join(dir, KEYCHAIN_SECRETS_FILE))).toBe(0o600);
    expect(everythingIn(dir)).not.toContain(KEY);
    expect(readSettings(dir, defaultSecretStore(dir, fakeSafeStorage())).lmm.apiKey).toBe(KEY);
  });

  it('falls back to the 0600 file when safeStorage cannot encrypt or has only the basic_text backend', () => {
    expect(defaultSecretStore(dir, fakeSafeStorage(false)).kind).toBe('file');
    expect(defaultSecretStore(dir, { ...fakeSafeStorage(), getSelectedStorageBackend: () => 'basic_text' }).kind).toBe('file');
    expect(defaultSecretStore(dir, null).kind).toBe('file');
  });
});
