import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseM3c } from '../../../src/shared/bitstream/index.ts';
import { HAS_MEDIA, mediaPath, REPO_ROOT } from '../../helpers/media.ts';
import { runCli } from '../../helpers/cli.ts';

const LEARNED_PACK = path.join(REPO_ROOT, 'test', 'fixtures', 'learned');
const NO_LEARNED_PACK = path.join(REPO_ROOT, 'test', 'fixtures', 'models');
const COFFEE = mediaPath('video', '04_coffee.mp4');
const SMALL = ['--width', '256', '--height', '160', '--fps', '2', '--max-clip', '8'];

describe.skipIf(!HAS_MEDIA)('m3c --keyframe-codec, --denoiser-steps, --models', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'm3c-cli-kf-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("'learned' with a pack that lacks its models: exit 5, one line naming the way out, no output file", async () => {
    const out = path.join(dir, 'x.m3c');
    const r = await runCli(['encode', COFFEE, '-o', out, '--models', NO_LEARNED_PACK, '--keyframe-codec', 'learned']);
    expect(r.code).toBe(5);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/no learned keyframe codec models.*--keyframe-codec classical/);
    expect(readdirSync(dir)).toEqual([]);
    const bad = await runCli(['decode', out, '-o', path.join(dir, 'x.mp4'), '--denoiser-steps', '9']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--denoiser-steps/);
  });

  it('encodes with the learned codec (auto under the learned pack) and decodes with chosen denoiser steps', async () => {
    const m3c = path.join(dir, 'coffee.m3c');
    const e = await runCli(['encode', COFFEE, '-o', m3c, ...SMALL, '--mode', 'interpolation', '--models', LEARNED_PACK, '--json']);
    expect(e.stderr).toBe('');
    expect(e.code).toBe(0);
    expect(e.json<{ keyframeCodec: string }>().keyframeCodec).toBe('learned-vq-v1');
    const parsed = parseM3c(new Uint8Array(readFileSync(m3c)));
    if (!parsed.ok) throw new Error(parsed.error.kind);
    expect(parsed.file.header.keyframeCodecId).toBe('learned-vq-v1');

    const d = await runCli(['decode', m3c, '-o', path.join(dir, 'coffee.mp4'), '--models', LEARNED_PACK, '--denoiser-steps', '2', '--json']);
    expect(d.stderr).toBe('');
    expect(d.code).toBe(0);
    expect(d.json<{ frames: number }>().frames).toBe(parsed.file.header.frameCount);
    // The default pack (resources/models) is another pack: the file says so instead of mis-decoding.
    const other = await runCli(['decode', m3c, '-o', path.join(dir, 'other.mp4'), '--models', NO_LEARNED_PACK]);
    expect(other.code).toBe(5);
  });
});
