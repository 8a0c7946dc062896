/** Shared by the reliability tests: a real small .m3c, and the real CLI run with time and memory measured. */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { readFile, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runFfmpeg } from '../../../src/main/media/index.ts';
import { parseM3c, writeM3c, type M3cFile } from '../../../src/shared/bitstream/index.ts';
import { runCli } from '../../helpers/cli.ts';
import { REPO_ROOT } from '../../helpers/media.ts';

const GNU_TIME = '/usr/bin/time';
const PRELOAD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'maxrss-preload.mjs');

/** Exit statuses a hostile .m3c may give `m3c decode`: success, input (3), corrupt or beyond the limits (4), model (5). */
export const DOCUMENTED_DECODE_EXITS: readonly number[] = [0, 3, 4, 5];

/**
 * Encodes a 2 s 128x80 test pattern at 8 fps with the classical codec (about 3 s): a real file
 * whose keyframes decode, to damage and to re-frame.
 */
/** A real .m3c of a 2 s test pattern: version 1 (interpolation, classical keyframes) or a guided version-3 file. */
export async function makeRealM3c(dir: string, mode: 'interpolation' | 'guided' = 'interpolation'): Promise<Uint8Array> {
  const src = path.join(dir, 'pattern.mp4');
  await runFfmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=128x80:rate=8', '-t', '2', '-pix_fmt', 'yuv420p', '-y', src], { outputPath: src });
  const m3c = path.join(dir, mode === 'guided' ? 'pattern-guided.m3c' : 'pattern.m3c');
  const r = await runCli(['encode', src, '-o', m3c, '--width', '128', '--height', '80', '--keyframe-codec', 'classical', '--mode', mode]);
  if (r.code !== 0) throw new Error(`encode failed (${r.code}): ${r.stderr}`);
  return new Uint8Array(await readFile(m3c));
}

/** The file re-written by the real writer after `change` (e.g. another geometry or frame count). */
export function rewrite(bytes: Uint8Array, change: (f: M3cFile) => void): Uint8Array {
  const r = parseM3c(bytes);
  if (!r.ok) throw new Error(r.error.message);
  change(r.file);
  return writeM3c(r.file);
}

/** Gives the last clip `extra` more frames (keeps the clips tiling the video). */
export function addFrames(f: M3cFile, extra: number): void {
  f.header.frameCount += extra;
  f.clips[f.clips.length - 1].length += extra;
}

export interface MeasuredRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly wallMs: number;
  /** Peak resident memory in MiB: of the largest process (node or ffmpeg) with GNU time, else of node. */
  readonly maxRssMiB: number;
  /** Peak sampled (every 50 ms) resident memory of the whole process tree in MiB; NaN without /proc. */
  readonly treeRssMiB: number;
  /** Killed by the watchdog: past the time limit or the tree past the memory cap. */
  readonly killed?: 'time' | 'memory';
}

/** The pids of `pid` and its descendants (Linux /proc), empty where /proc is missing. */
function processTree(pid: number): number[] {
  const out: number[] = [];
  const visit = (p: number): void => {
    out.push(p);
    let children = '';
    try {
      children = readFileSync(`/proc/${p}/task/${p}/children`, 'utf8');
    } catch {
      return;
    }
    for (const c of children.split(' ').filter(Boolean)) visit(Number(c));
  };
  if (existsSync(`/proc/${pid}`)) visit(pid);
  return out;
}

function rssKiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/**
 * Runs `node bin/m3c.js ...args`; measures wall time and peak memory. A watchdog kills the whole
 * process tree after `timeoutMs` or once it holds more than `memoryCapMiB`, so a regression fails
 * the test instead of exhausting the machine.
 */
export function runMeasured(args: string[], dir: string, timeoutMs: number, memoryCapMiB = 1024): Promise<MeasuredRun> {
  const rssFile = path.join(dir, `.rss-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const bin = path.join(REPO_ROOT, 'bin', 'm3c.js');
  const useTime = existsSync(GNU_TIME);
  const [cmd, argv] = useTime ? [GNU_TIME, ['-f', 'M3C_MAXRSS_KB=%M', '-o', rssFile, process.execPath, bin, ...args]] : [process.execPath, [bin, ...args]];
  const env = useTime ? process.env : { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${PRELOAD}`, M3C_TEST_MAXRSS_FILE: rssFile };
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    let killed: 'time' | 'memory' | undefined;
    let treeKiB = existsSync('/proc/self/status') ? 0 : Number.NaN;
    const killTree = (why: 'time' | 'memory'): void => {
      killed ??= why;
      for (const p of processTree(child.pid ?? -1).reverse()) {
        try {
          process.kill(p, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
    };
    const timer = setTimeout(() => killTree('time'), timeoutMs);
    const sampler = setInterval(() => {
      const kib = processTree(child.pid ?? -1).reduce((n, p) => n + rssKiB(p), 0);
      treeKiB = Math.max(treeKiB, kib);
      if (kib > memoryCapMiB * 1024) killTree('memory');
    }, 50);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      clearInterval(sampler);
      const wallMs = performance.now() - start;
      readFile(rssFile, 'utf8')
        .catch(() => '')
        .then(async (text) => {
          await rm(rssFile, { force: true });
          const kb = /M3C_MAXRSS_KB=(\d+)/.exec(text);
          resolve({ code, signal, stdout, stderr, wallMs, maxRssMiB: kb ? Number(kb[1]) / 1024 : Number.NaN, treeRssMiB: treeKiB / 1024, ...(killed ? { killed } : {}) });
        }, reject);
    });
  });
}

/** Files in `dir` other than `keep`: what a failed run must not leave (outputs, hidden .partial files). */
export async function leftovers(dir: string, keep: readonly string[]): Promise<string[]> {
  return (await readdir(dir)).filter((n) => !keep.includes(n));
}
