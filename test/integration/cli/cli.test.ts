/**
 * The m3c command end to end, in child processes, on real media with real ffmpeg: encode ->
 * inspect -> decode -> eval, then every kind of bad input the issue names.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseM3c, writeM3c } from '../../../src/shared/bitstream/index.ts';
import { mediaPath } from '../../helpers/media.ts';
import { runCli, type CliRun } from '../../helpers/cli.ts';

const BIKES = mediaPath('video', 'bikes.mp4');
let dir: string;
let encoded: CliRun;
let m3cPath: string;

interface EncodeJson {
  bytes: number;
  frames: number;
  kbps: number;
  bpp: number;
  keyframes: number[];
  sections: { keyframes: number; keyframeTexts: number; clipTexts: number; container: number; guide?: number };
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'm3c-cli-'));
  m3cPath = path.join(dir, 'bikes.m3c');
  const desc = path.join(dir, 'desc.json');
  writeFileSync(desc, JSON.stringify({ items: [{ frame: 0, keyframe: 'A cyclist rides along a city street.', clip: 'The camera follows riders past parked cars.' }] }));
  encoded = await runCli(['encode', BIKES, '-o', m3cPath, '--descriptions', desc, '--keyframe-codec', 'classical', '--json']);
}, 300_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('m3c encode / inspect / decode / eval on bikes.mp4', () => {
  it('encodes at a few kbit/s and reports figures as JSON', () => {
    expect(encoded.stderr).toBe('');
    expect(encoded.code).toBe(0);
    const r = encoded.json<EncodeJson>();
    expect(r.frames).toBe(80);
    expect(r.keyframes[0]).toBe(0);
    expect(r.bytes).toBe(statSync(m3cPath).size);
    const s = r.sections;
    expect(s.keyframes + s.keyframeTexts + s.clipTexts + s.container + (s.guide ?? 0)).toBe(r.bytes);
    expect(r.kbps).toBeGreaterThan(0.5);
    expect(r.kbps).toBeLessThan(10);
    expect(r.bpp).toBeCloseTo((r.bytes * 8) / (512 * 320 * 80), 6);
    // No temporary files left beside the output.
    expect(readdirSync(dir).sort()).toEqual(['bikes.m3c', 'desc.json']);
  });

  it('inspect lists every section with bit counts and the decoded texts', async () => {
    const r = await runCli(['inspect', m3cPath, '--json']);
    expect(r.code).toBe(0);
    const j = r.json<{ bytes: number; clips: { keyframeText: string; clipText: string }[]; sections: { bits: number }[] }>();
    expect(j.bytes).toBe(statSync(m3cPath).size);
    expect(j.clips.length).toBe(encoded.json<EncodeJson>().keyframes.length);
    expect(j.clips[0].keyframeText).toBe('A cyclist rides along a city street.');
    expect(j.clips[0].clipText).toBe('The camera follows riders past parked cars.');
    expect(j.sections.reduce((a, s) => a + s.bits, 0)).toBe(j.bytes * 8);
  });

  it('decodes to an mp4 that eval compares with the original', async () => {
    const mp4 = path.join(dir, 'bikes.mp4');
    const d = await runCli(['decode', m3cPath, '-o', mp4, '--json']);
    expect(d.stderr).toBe('');
    expect(d.code).toBe(0);
    expect(d.json<{ frames: number }>().frames).toBe(80);
    const probe = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-count_frames', '-show_streams', '-of', 'json', mp4], { encoding: 'utf8' })).streams[0];
    expect([probe.codec_name, probe.pix_fmt, probe.width, probe.height, Number(probe.nb_read_frames)]).toEqual(['h264', 'yuv420p', 512, 320, 80]);
    const e = await runCli(['eval', BIKES, mp4, '--m3c', m3cPath, '--json']);
    expect(e.code).toBe(0);
    const q = e.json<{ frames: number; psnr: number; msssim: number; kbps: number; bytes: number }>();
    expect(q.frames).toBe(80);
    expect(q.bytes).toBe(statSync(m3cPath).size);
    expect(q.kbps).toBeCloseTo(encoded.json<EncodeJson>().kbps, 2);
    // A floor, not a target: a classical reconstruction at ~3 kbit/s of a clip with hard cuts.
    expect(q.psnr).toBeGreaterThan(14);
    expect(q.msssim).toBeGreaterThan(0.4);
  });
});

describe('bad input: one line on stderr, a distinct exit code, no partial output', () => {
  const expectOneLine = (r: CliRun, code: number, pattern: RegExp): void => {
    expect(r.code).toBe(code);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(pattern);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  };

  it('usage errors exit 2', async () => {
    expectOneLine(await runCli(['encode', BIKES]), 2, /needs -o/);
    expectOneLine(await runCli(['encode', BIKES, '-o', path.join(dir, 'x.m3c'), '--bogus']), 2, /bogus/);
    expectOneLine(await runCli(['encode', BIKES, '-o', path.join(dir, 'x.m3c'), '--width', '513']), 2, /even/);
    expectOneLine(await runCli(['frobnicate']), 2, /unknown command/);
  });

  it('a missing file, a text file renamed .mp4 and a zero-length video exit 3', async () => {
    const out = path.join(dir, 'bad.m3c');
    expectOneLine(await runCli(['encode', path.join(dir, 'nope.mp4'), '-o', out]), 3, /nope\.mp4/);
    const txt = path.join(dir, 'notes.mp4');
    writeFileSync(txt, 'this is not a video\n'.repeat(50));
    expectOneLine(await runCli(['encode', txt, '-o', out]), 3, /notes\.mp4/);
    const empty = path.join(dir, 'empty.mp4');
    writeFileSync(empty, '');
    expectOneLine(await runCli(['encode', empty, '-o', out]), 3, /empty\.mp4/);
    expect(existsSync(out)).toBe(false);
  });

  it('an output folder that does not exist is refused at once, before any encoding', async () => {
    const t0 = Date.now();
    expectOneLine(await runCli(['encode', BIKES, '-o', path.join(dir, 'no-such-folder', 'x.m3c')]), 3, /does not exist/);
    expect(Date.now() - t0).toBeLessThan(15_000);
    expectOneLine(await runCli(['decode', m3cPath, '-o', dir]), 3, /is a directory/);
  });

  it('truncated and bit-flipped .m3c files exit 4 and write no mp4', async () => {
    const good = readFileSync(m3cPath);
    const out = path.join(dir, 'never.mp4');
    const truncated = path.join(dir, 'truncated.m3c');
    writeFileSync(truncated, good.subarray(0, Math.floor(good.length / 2)));
    expectOneLine(await runCli(['decode', truncated, '-o', out]), 4, /truncated|ends/i);
    const flipped = Buffer.from(good);
    flipped[Math.floor(flipped.length * 0.6)] ^= 0x10;
    const flippedPath = path.join(dir, 'flipped.m3c');
    writeFileSync(flippedPath, flipped);
    expectOneLine(await runCli(['decode', flippedPath, '-o', out]), 4, /checksum|CRC/i);
    expect(existsSync(out)).toBe(false);
  });

  it('a .m3c from another model pack exits 5 naming both packs', async () => {
    const parsed = parseM3c(new Uint8Array(readFileSync(m3cPath)));
    if (!parsed.ok) throw new Error(parsed.error.message);
    const other = writeM3c({ ...parsed.file, header: { ...parsed.file.header, modelPackId: 'm3c-learned-9', modelPackHash: new Uint8Array(8).fill(7) } });
    const p = path.join(dir, 'other-pack.m3c');
    writeFileSync(p, other);
    const r = await runCli(['decode', p, '-o', path.join(dir, 'other.mp4')]);
    expectOneLine(r, 5, /m3c-learned-9/);
    expect(r.stderr).toMatch(/m3c-learned-1/);
  });

  it('a non-m3c file is refused as unreadable input', async () => {
    expectOneLine(await runCli(['inspect', BIKES]), 3, /\.m3c|M3C|magic/i);
  });
});

describe('odd geometries', () => {
  it('carphone.mp4 (176x144) and a portrait video encode and decode at the working geometry', async () => {
    const portrait = path.join(dir, 'portrait.mp4');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', mediaPath('video', 'carphone.mp4'), '-vf', 'transpose=1', '-frames:v', '40', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', portrait]);
    for (const input of [mediaPath('video', 'carphone.mp4'), portrait]) {
      const m3c = path.join(dir, `${path.basename(input)}.m3c`);
      const e = await runCli(['encode', input, '-o', m3c, '--width', '256', '--height', '160', '--json']);
      expect(e.stderr).toBe('');
      expect(e.code).toBe(0);
      const mp4 = path.join(dir, `${path.basename(input)}.dec.mp4`);
      const d = await runCli(['decode', m3c, '-o', mp4, '--json']);
      expect(d.code).toBe(0);
      expect(d.json<{ width: number; height: number; frames: number }>()).toMatchObject({ width: 256, height: 160, frames: e.json<EncodeJson>().frames });
    }
  });
});

describe('cancellation', () => {
  it('Ctrl-C during an encode exits 130 and leaves no output file', async () => {
    const out = path.join(dir, 'cancelled.m3c');
    let kill: ((s: NodeJS.Signals) => void) | undefined;
    // One Ctrl-C, well into the encode (a second one would force an immediate exit).
    const timer = setTimeout(() => kill?.('SIGINT'), 4000);
    // At 24 fps the encode takes three times the 8 fps one (~12 s here): the Ctrl-C lands well inside it.
    const r = await runCli(['encode', BIKES, '-o', out, '--fps', '24'], { onSpawn: (_pid, k) => (kill = k) });
    clearTimeout(timer);
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/cancel/);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('cancelled'))).toEqual([]);
  });
});
