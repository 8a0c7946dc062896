/**
 * `m3c demo` takes its default sample clips from bench/ (bench/demo.ts through the media resolver
 * bench/media.ts), in a child process: $M3C_MEDIA_DIR is honoured, a missing sample is one input
 * error line, and the help says where the samples come from.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EXIT_CODES } from '../../../src/shared/engine/errors.ts';
import { runCli } from '../../helpers/cli.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'm3c-demo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('m3c demo', () => {
  it('looks for its samples in $M3C_MEDIA_DIR and refuses a missing one with one input line, writing nothing', async () => {
    const media = path.join(dir, 'empty-media');
    const out = path.join(dir, 'out');
    const r = await runCli(['demo', '--out', out], { env: { M3C_MEDIA_DIR: media } });
    expect(r.code).toBe(EXIT_CODES.input);
    expect(r.stderr.trim().split('\n')).toEqual([`m3c: sample ${path.join(media, 'video', 'bikes.mp4')} not found: pass a video path or set M3C_MEDIA_DIR`]);
    expect(() => readdirSync(out)).toThrow();
  }, 60_000);

  it('says in its help where the samples come from', async () => {
    const r = await runCli(['demo', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('bikes.mp4 and 04_coffee.mp4 from ../shared/media');
    expect(r.stdout).toContain('$M3C_MEDIA_DIR');
  }, 60_000);
});
