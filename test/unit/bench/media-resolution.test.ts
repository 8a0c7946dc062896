/**
 * One module resolves the shared media folder (bench/media.ts), in benchmarks and tests only: the
 * product never does, and reaches bench/ only lazily, so that it starts where bench/ is absent.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { clipPath, EVALUATION_CLIPS, kodakDir, mediaDir, mediaPath, REPO_ROOT, TRAINING_CLIPS } from '../../../bench/media.ts';
import { BENCH_DIR, importBench } from '../../../src/main/cli/bench-import.ts';
import { M3cError } from '../../../src/shared/engine/errors.ts';
import { MEDIA_DIR, mediaPath as helperMediaPath } from '../../helpers/media.ts';

const saved = process.env.M3C_MEDIA_DIR;
afterEach(() => {
  if (saved === undefined) delete process.env.M3C_MEDIA_DIR;
  else process.env.M3C_MEDIA_DIR = saved;
});

function sources(dir: string): string[] {
  return readdirSync(path.join(REPO_ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(ts|tsx|js|mjs|cjs)$/.test(e.name))
    .map((e) => path.relative(REPO_ROOT, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
}

describe('bench/media.ts', () => {
  it('reads $M3C_MEDIA_DIR at each call, else ../shared/media beside the repository root', () => {
    delete process.env.M3C_MEDIA_DIR;
    expect(mediaDir()).toBe(path.resolve(REPO_ROOT, '..', 'shared', 'media'));
    const other = path.join(os.tmpdir(), 'some-media');
    process.env.M3C_MEDIA_DIR = other;
    expect(mediaDir()).toBe(other);
    expect(mediaPath('video', 'x.mp4')).toBe(path.join(other, 'video', 'x.mp4'));
    expect(clipPath('bikes')).toBe(path.join(other, 'video', 'bikes.mp4'));
    expect(kodakDir()).toBe(path.join(other, 'images', 'kodak'));
    expect(clipPath('bikes', '/m')).toBe(path.join('/m', 'video', 'bikes.mp4'));
  });

  it('is what the tests use', () => {
    expect(MEDIA_DIR).toBe(mediaDir());
    expect(helperMediaPath('a')).toBe(mediaPath('a'));
  });

  it('names the sets of the media README', () => {
    const readme = readFileSync(path.join(REPO_ROOT, '..', 'shared', 'media', 'README.md'), 'utf8');
    const split = readme.slice(readme.indexOf('Suggested split'));
    const training = split.slice(0, split.indexOf('may be used for training'));
    const evaluation = split.slice(split.indexOf('may be used for training'), split.indexOf('evaluation only'));
    for (const c of TRAINING_CLIPS) expect(training).toContain(c);
    for (const c of EVALUATION_CLIPS) expect(evaluation).toContain(c);
    expect(readme).toContain('## images/kodak/');
  });
});

describe('media resolution and bench/ in the product', () => {
  const env = ['process.env', 'M3C_MEDIA_DIR'].join('.');
  const literal = new RegExp(`['"\`][./]*${['shared', 'media'].join('/')}['"\`/]`);

  it('happens in bench/media.ts only', () => {
    const offenders = ['src', 'bench', 'test', 'scripts']
      .flatMap(sources)
      .filter((f) => f !== 'bench/media.ts' && f !== 'test/unit/bench/media-resolution.test.ts')
      .filter((f) => {
        const text = readFileSync(path.join(REPO_ROOT, f), 'utf8');
        return text.includes(env) || literal.test(text);
      });
    expect(offenders).toEqual([]);
  });

  it('src/ loads bench/ only through importBench (lazily), and imports only its types statically', () => {
    const offenders: string[] = [];
    for (const f of sources('src')) {
      const text = readFileSync(path.join(REPO_ROOT, f), 'utf8');
      for (const m of text.matchAll(/^\s*(import|export)\b[^;]*?from\s+['"]([^'"]*\/bench\/[^'"]*)['"]/gm)) {
        if (!/^\s*import\s+type\b/.test(m[0])) offenders.push(`${f}: ${m[0].trim()}`);
      }
      for (const m of text.matchAll(/(.{0,40})\bimport\(\s*['"]([^'"]*\/bench\/[^'"]*)['"]/g)) {
        if (!m[1].includes('importBench(() =>')) offenders.push(`${f}: ${m[0].trim()}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('importBench refuses with one usage line when bench/ is absent, and loads when present', async () => {
    expect(BENCH_DIR).toBe(path.join(REPO_ROOT, 'bench') + path.sep);
    const missing = path.join(os.tmpdir(), 'm3c-no-bench-here');
    const err = await importBench(() => Promise.resolve(1), 'm3c bench keyframes', missing).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(M3cError);
    expect((err as M3cError).code).toBe('usage');
    expect((err as M3cError).message).toContain('m3c bench keyframes needs the benchmark harness');
    expect((err as M3cError).message).not.toContain('\n');
    await expect(importBench(() => import('../../../bench/media.ts'), 'x')).resolves.toHaveProperty('mediaDir');
  });
});
