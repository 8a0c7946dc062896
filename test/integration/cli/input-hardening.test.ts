/**
 * Issue 13, items 5, 9 and 10 through the real `m3c`: inputs that are not regular files or are too
 * big are refused with one line and exit 3 (never read without bound, never blocking); a reader that
 * closes stdout early is not an error; the --help text gives the real LMM timeout default.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeM3c } from '../../../src/shared/bitstream/index.ts';
import { REPO_ROOT } from '../../helpers/media.ts';
import { runCli, type CliRun } from '../../helpers/cli.ts';
import { DEFAULT_TIMEOUT_MS } from '../../../src/main/lmm/client.ts';
import { MAX_M3C_FILE_BYTES } from '../../../src/main/util/input-file.ts';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'm3c-input-hardening-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** runCli with a deadline: a CLI that blocks is killed and the test fails instead of hanging. */
async function runBounded(args: string[], ms = 30_000): Promise<CliRun> {
  let kill: ((s: NodeJS.Signals) => void) | undefined;
  const timer = setTimeout(() => kill?.('SIGKILL'), ms);
  try {
    return await runCli(args, { onSpawn: (_pid, k) => (kill = k) });
  } finally {
    clearTimeout(timer);
  }
}

function expectOneLine(r: CliRun, code: number, pattern: RegExp): void {
  expect(r.signal).toBeNull();
  expect(r.code).toBe(code);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

/** A small valid .m3c made in memory (no encode needed). */
function smallM3c(clips = 40): Uint8Array {
  return writeM3c({
    header: {
      width: 64,
      height: 48,
      fpsNum: 8,
      fpsDen: 1,
      frameCount: clips * 2,
      modelPackId: 'm3c-learned-1',
      modelPackHash: new Uint8Array(8),
      keyframeCodecId: 'classical-av1-v1',
      reconstructorId: 'classical-v1',
      textCoderId: 'cm-v1',
      params: { strategy: 'fixed', lambda1Milli: 1000, lambda2Milli: 0, thresholdMilli: 500, interval: 2, keyframeBudgetBytes: 64 },
    },
    clips: Array.from({ length: clips }, (_, i) => ({
      firstFrame: i * 2,
      length: 2,
      mode: i + 1 === clips ? ('prediction' as const) : ('interpolation' as const),
      keyframe: new Uint8Array(16).fill(i),
      keyframeText: new Uint8Array(0),
      clipText: new Uint8Array(0),
    })),
  });
}

describe('inputs that are not regular files, or too big, are refused with one line (exit 3)', () => {
  it('inspect and decode refuse /dev/zero at once instead of reading it without limit', async () => {
    const t0 = Date.now();
    expectOneLine(await runBounded(['inspect', '/dev/zero']), 3, /\/dev\/zero.*character device/);
    expectOneLine(await runBounded(['decode', '/dev/zero', '-o', path.join(dir, 'zero.mp4')]), 3, /\/dev\/zero.*character device/);
    expect(Date.now() - t0).toBeLessThan(30_000);
    expect(existsSync(path.join(dir, 'zero.mp4'))).toBe(false);
  });

  it('inspect and decode refuse a FIFO nobody writes to instead of blocking on it', async () => {
    const fifo = path.join(dir, 'pipe.m3c');
    execFileSync('mkfifo', [fifo]);
    expectOneLine(await runBounded(['inspect', fifo]), 3, /pipe\.m3c.*FIFO/);
    expectOneLine(await runBounded(['decode', fifo, '-o', path.join(dir, 'fifo.mp4')]), 3, /pipe\.m3c.*FIFO/);
  });

  it('encode refuses a FIFO or a device as its source (the project hash would never end)', async () => {
    const fifo = path.join(dir, 'pipe.mp4');
    execFileSync('mkfifo', [fifo]);
    expectOneLine(await runBounded(['encode', fifo, '-o', path.join(dir, 'x.m3c')]), 3, /pipe\.mp4.*FIFO/);
    expectOneLine(await runBounded(['encode', '/dev/zero', '-o', path.join(dir, 'x.m3c'), '--project', path.join(dir, 'p.db')]), 3, /character device/);
  });

  it('a folder is refused with one line', async () => {
    expectOneLine(await runBounded(['inspect', dir]), 3, /is a directory/);
  });

  it(`a .m3c larger than ${MAX_M3C_FILE_BYTES / 2 ** 20} MiB is refused before it is read`, async () => {
    const big = path.join(dir, 'big.m3c');
    writeFileSync(big, smallM3c());
    truncateSync(big, MAX_M3C_FILE_BYTES + 1);
    expectOneLine(await runBounded(['inspect', big]), 3, /big\.m3c.*larger than the 64 MiB/);
  });
});

describe('a closed stdout is not an error', () => {
  /** Spawns `m3c args` with stdout piped and closes the pipe at once, before the CLI writes anything. */
  function runWithClosedStdout(args: string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'm3c.js'), ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.destroy();
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.on('error', reject);
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        resolve({ code, signal, stderr });
      });
    });
  }

  it('inspect into a pipe closed by its reader (m3c inspect a.m3c | head -1) exits 0 with no trace', async () => {
    const file = path.join(dir, 'small.m3c');
    writeFileSync(file, smallM3c());
    const ok = await runCli(['inspect', file]);
    expect(ok.code).toBe(0);
    expect(ok.stdout.split('\n').length).toBeGreaterThan(100);
    const r = await runWithClosedStdout(['inspect', file]);
    expect(r.stderr).toBe('');
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);
    const help = await runWithClosedStdout(['--help']);
    expect(help.stderr).toBe('');
    expect(help.code).toBe(0);
  });
});

describe('--help', () => {
  it('gives the LMM timeout default of the client itself', async () => {
    const r = await runCli(['describe', '--help']);
    expect(r.code).toBe(0);
    const line = r.stdout.split('\n').find((l) => l.includes('--lmm-timeout'));
    expect(line).toBeDefined();
    expect(line).toContain(`(default ${DEFAULT_TIMEOUT_MS / 1000})`);
    expect(line).not.toContain('120');
  });
});
