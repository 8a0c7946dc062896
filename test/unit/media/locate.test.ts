import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { M3cError } from '../../../src/shared/engine/errors.ts';
import { locateFfmpeg } from '../../../src/main/media/locate.ts';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'm3c-locate-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const emptyRoot = path.join(tmp, 'empty-root');
mkdirSync(emptyRoot);

function errorOf(fn: () => unknown): M3cError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(M3cError);
    return e as M3cError;
  }
  throw new Error('expected an error');
}

describe('locateFfmpeg', () => {
  it('takes M3C_FFMPEG first, with the ffprobe next to it', () => {
    const loc = locateFfmpeg({ env: { M3C_FFMPEG: '/usr/bin/ffmpeg', PATH: '' }, repoRoot: emptyRoot });
    expect(loc).toEqual({ ffmpeg: '/usr/bin/ffmpeg', ffprobe: '/usr/bin/ffprobe', source: 'env' });
  });

  it('takes M3C_FFPROBE when set', () => {
    const dir = path.join(tmp, 'probe-only');
    mkdirSync(dir);
    symlinkSync('/usr/bin/ffprobe', path.join(dir, 'my-ffprobe'));
    const loc = locateFfmpeg({
      env: { M3C_FFMPEG: '/usr/bin/ffmpeg', M3C_FFPROBE: path.join(dir, 'my-ffprobe') },
      repoRoot: emptyRoot,
    });
    expect(loc.ffprobe).toBe(path.join(dir, 'my-ffprobe'));
  });

  it('fails clearly, without falling back, when M3C_FFMPEG points at a missing file', () => {
    const missing = path.join(tmp, 'no-such-ffmpeg');
    const e = errorOf(() => locateFfmpeg({ env: { M3C_FFMPEG: missing, PATH: '/usr/bin' }, repoRoot: emptyRoot }));
    expect(e.code).toBe('ffmpeg');
    expect(e.message).toContain('M3C_FFMPEG');
    expect(e.message).toContain(missing);
    expect(e.message).not.toContain('\n');
  });

  it('rejects a file that is not executable', () => {
    const notExe = path.join(tmp, 'ffmpeg-text');
    writeFileSync(notExe, 'not a program', { mode: 0o644 });
    expect(errorOf(() => locateFfmpeg({ env: { M3C_FFMPEG: notExe }, repoRoot: emptyRoot })).code).toBe('ffmpeg');
  });

  it('says when M3C_FFMPEG has no ffprobe beside it', () => {
    const dir = path.join(tmp, 'lonely');
    mkdirSync(dir);
    symlinkSync('/usr/bin/ffmpeg', path.join(dir, 'ffmpeg'));
    const e = errorOf(() => locateFfmpeg({ env: { M3C_FFMPEG: path.join(dir, 'ffmpeg') }, repoRoot: emptyRoot }));
    expect(e.message).toMatch(/ffprobe not found next to M3C_FFMPEG.*M3C_FFPROBE/);
  });

  it('then a bundled copy under resources/ffmpeg/<platform>-<arch>, Electron resources first', () => {
    const make = (root: string): string => {
      const dir = path.join(root, 'resources', 'ffmpeg', 'linux-x64');
      mkdirSync(dir, { recursive: true });
      symlinkSync('/usr/bin/ffmpeg', path.join(dir, 'ffmpeg'));
      symlinkSync('/usr/bin/ffprobe', path.join(dir, 'ffprobe'));
      return dir;
    };
    const repoDir = make(path.join(tmp, 'repo'));
    const appDir = make(path.join(tmp, 'app'));
    const common = { env: { PATH: '/usr/bin' }, platform: 'linux' as const, arch: 'x64' };
    expect(locateFfmpeg({ ...common, repoRoot: path.join(tmp, 'repo') })).toEqual({
      ffmpeg: path.join(repoDir, 'ffmpeg'),
      ffprobe: path.join(repoDir, 'ffprobe'),
      source: 'bundled',
    });
    expect(locateFfmpeg({ ...common, repoRoot: path.join(tmp, 'repo'), resourcesPath: path.join(tmp, 'app') }).ffmpeg).toBe(
      path.join(appDir, 'ffmpeg'),
    );
    // Another platform's bundle is not used.
    expect(locateFfmpeg({ ...common, arch: 'arm64', repoRoot: path.join(tmp, 'repo') }).source).toBe('path');
  });

  it('then PATH', () => {
    expect(locateFfmpeg({ env: { PATH: `/nonexistent${path.delimiter}/usr/bin` }, repoRoot: emptyRoot })).toEqual({
      ffmpeg: '/usr/bin/ffmpeg',
      ffprobe: '/usr/bin/ffprobe',
      source: 'path',
    });
  });

  it('fails with one actionable line when there is none', () => {
    const e = errorOf(() => locateFfmpeg({ env: { PATH: '/nonexistent' }, repoRoot: emptyRoot }));
    expect(e.code).toBe('ffmpeg');
    expect(e.message).toBe('ffmpeg not found: install it (e.g. apt-get install ffmpeg) or set M3C_FFMPEG');
  });

  it('uses the real process environment by default', () => {
    const loc = locateFfmpeg();
    expect(loc.ffmpeg).toMatch(/ffmpeg$/);
    expect(loc.ffprobe).toMatch(/ffprobe$/);
  });
});
