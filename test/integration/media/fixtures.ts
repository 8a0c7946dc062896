import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mediaPath } from '../../helpers/media.ts';
import { runFfmpeg } from '../../../src/main/media/index.ts';
import type { RgbFrame } from '../../../src/shared/engine/frame.ts';

export const BIKES = mediaPath('video', 'bikes.mp4');
export const CARPHONE = mediaPath('video', 'carphone.mp4');

export function makeTempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'm3c-media-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Files ffmpeg must refuse or treat specially, made fresh for each test file. */
export async function makeOddInputs(dir: string): Promise<Record<'text' | 'empty' | 'audio' | 'rotated' | 'transposed', string>> {
  const text = path.join(dir, 'notes.mp4');
  writeFileSync(text, 'this is a text file, not a video\n');
  const empty = path.join(dir, 'empty.mp4');
  writeFileSync(empty, '');
  const audio = path.join(dir, 'tone.m4a');
  await runFfmpeg(['-f', 'lavfi', '-i', 'sine=frequency=440:duration=0.5', '-c:a', 'aac', '-y', audio]);
  // Same pixels as carphone, plus a display matrix telling players to turn it a quarter turn.
  const rotated = path.join(dir, 'rotated.mp4');
  await runFfmpeg(['-i', CARPHONE, '-frames:v', '8', '-c', 'copy', '-metadata:s:v', 'rotate=90', '-y', rotated]);
  // Portrait pixels: carphone turned clockwise, losslessly so only the turn differs.
  const transposed = path.join(dir, 'transposed.mp4');
  await runFfmpeg(['-i', CARPHONE, '-frames:v', '8', '-vf', 'transpose=1', '-c:v', 'libx264', '-preset', 'ultrafast', '-qp', '0', '-y', transposed]);
  return { text, empty, audio, rotated, transposed };
}

/** pids of ffmpeg processes whose parent is this test process (Linux /proc). */
export function ffmpegChildren(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const m = /^\d+ \((.*)\) \S+ (\d+)/.exec(readFileSync(`/proc/${entry}/stat`, 'utf8'));
      if (m && m[1].startsWith('ffmpeg') && Number(m[2]) === process.pid) pids.push(Number(entry));
    } catch {
      // The process ended between listing and reading.
    }
  }
  return pids;
}

export function rotateCcw(f: RgbFrame): RgbFrame {
  const { width: W, height: H } = f;
  const out = new Uint8Array(W * H * 3);
  for (let y = 0; y < W; y++) {
    for (let x = 0; x < H; x++) {
      const src = (x * W + (W - 1 - y)) * 3;
      out.set(f.data.subarray(src, src + 3), (y * H + x) * 3);
    }
  }
  return { width: H, height: W, data: out };
}

export function rotateCw(f: RgbFrame): RgbFrame {
  return rotateCcw(rotateCcw(rotateCcw(f)));
}

export function meanAbsDiff(a: RgbFrame, b: RgbFrame): number {
  if (a.width !== b.width || a.height !== b.height) throw new Error(`sizes differ: ${a.width}x${a.height} vs ${b.width}x${b.height}`);
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) sum += Math.abs(a.data[i] - b.data[i]);
  return sum / a.data.length;
}

export function mean(f: RgbFrame, x0 = 0, y0 = 0, x1 = f.width, y1 = f.height): number {
  let sum = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = (y * f.width + x) * 3;
      sum += f.data[i] + f.data[i + 1] + f.data[i + 2];
    }
  }
  return sum / ((x1 - x0) * (y1 - y0) * 3);
}

export async function collect(frames: AsyncIterable<RgbFrame>): Promise<RgbFrame[]> {
  const out: RgbFrame[] = [];
  for await (const f of frames) out.push(f);
  return out;
}
