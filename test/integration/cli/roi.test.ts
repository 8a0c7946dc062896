/** `m3c encode --roi` (issue 14): bad files and misuse are one-line errors with distinct exit codes and no output file. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mediaPath } from '../../helpers/media.ts';
import { runCli } from '../../helpers/cli.ts';

const CARPHONE = mediaPath('video', 'carphone.mp4');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'm3c-roi-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function roiFile(name: string, text: string): string {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
}

function oneLine(stderr: string): void {
  expect(stderr.trim().split('\n')).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at /);
}

describe('m3c encode --roi', () => {
  it('a box outside the frame: exit 3, one line naming the file and the region, no output', async () => {
    const roi = roiFile('bad.json', JSON.stringify({ regions: [{ frames: [0, 3], box: [0.1, 0.1, 0.2, 0.2] }, { frames: [0, 3], box: [0.8, 0.1, 0.5, 0.2] }] }));
    const out = path.join(dir, 'bad.m3c');
    const r = await runCli(['encode', CARPHONE, '-o', out, '--roi', roi]);
    expect(r.code).toBe(3);
    oneLine(r.stderr);
    expect(r.stderr).toContain(`${roi} regions[1]: "box" [0.8, 0.1, 0.5, 0.2] is not inside the frame`);
    expect(existsSync(out)).toBe(false);
  });

  it('not JSON, or not there: exit 3', async () => {
    const r = await runCli(['encode', CARPHONE, '-o', path.join(dir, 'x.m3c'), '--roi', roiFile('text.json', 'regions: no')]);
    expect(r.code).toBe(3);
    oneLine(r.stderr);
    expect(r.stderr).toMatch(/text\.json: is not JSON/);
    const missing = await runCli(['encode', CARPHONE, '-o', path.join(dir, 'x.m3c'), '--roi', path.join(dir, 'none.json')]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/cannot read regions file .*none\.json: ENOENT/);
  });

  it('frames past the video (32 frames at 8 fps): exit 3, naming the file and the region', async () => {
    const roi = roiFile('long.json', JSON.stringify({ regions: [{ frames: [0, 40], box: [0.25, 0.25, 0.5, 0.5], label: 'face' }] }));
    const out = path.join(dir, 'long.m3c');
    const r = await runCli(['encode', CARPHONE, '-o', out, '--roi', roi]);
    expect(r.code).toBe(3);
    oneLine(r.stderr);
    expect(r.stderr).toContain(`${roi} regions[0]: "frames" [0, 40] goes past the video's last frame (31)`);
    expect(existsSync(out)).toBe(false);
  }, 60_000);

  it('with --mode interpolation: a usage error, exit 2', async () => {
    const roi = roiFile('ok.json', JSON.stringify({ regions: [{ frames: [0, 3], box: [0.25, 0.25, 0.5, 0.5] }] }));
    const r = await runCli(['encode', CARPHONE, '-o', path.join(dir, 'i.m3c'), '--roi', roi, '--mode', 'interpolation']);
    expect(r.code).toBe(2);
    oneLine(r.stderr);
    expect(r.stderr).toMatch(/--roi steers a guided encode/);
  });

  it('is in --help', async () => {
    const r = await runCli(['encode', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--roi FILE/);
  });
});
