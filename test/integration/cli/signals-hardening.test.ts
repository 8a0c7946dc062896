/**
 * Issue 13, items 7 and 8 through the real `m3c` on real media: SIGTERM and SIGHUP cancel an
 * encode or a decode like Ctrl-C (exit 130, no output, no partial file, no ffmpeg left running);
 * the partial a SIGKILL leaves is removed by the next run; `encode --project` never records an
 * encode 'done' whose .m3c could not be written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HAS_MEDIA, mediaPath } from '../../helpers/media.ts';
import { runCli, type CliRun } from '../../helpers/cli.ts';
import { openStore } from '../../../src/main/store/index.ts';

const BIKES = mediaPath('video', 'bikes.mp4');
const CARPHONE = mediaPath('video', 'carphone.mp4');
const SMALL = ['--keyframe-codec', 'classical', '--width', '256', '--height', '160'];
const HIDDEN_PARTIAL = /^\..*\.(partial|tmp)$/;

let dir: string;
let bikesM3c: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'm3c-signals-hardening-'));
  if (!HAS_MEDIA) return;
  bikesM3c = path.join(dir, 'bikes.m3c');
  const r = await runCli(['encode', BIKES, '-o', bikesM3c, '--keyframe-codec', 'classical']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
}, 300_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The ffmpeg/ffprobe children of `pid` (zombies excluded). */
function mediaChildren(pid: number): number[] {
  let out = '';
  try {
    out = execFileSync('ps', ['--ppid', String(pid), '-o', 'pid=,stat=,comm='], { encoding: 'utf8' });
  } catch {
    return []; // ps exits 1 when there are none
  }
  return out
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter(([p, stat, comm]) => p && !stat.startsWith('Z') && /^ff(mpeg|probe)$/.test(comm ?? ''))
    .map(([p]) => Number(p));
}

/** Whether `pid` is a live (non-zombie) process. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return cond();
}

/**
 * Runs `m3c args`, waits until `ready` says the work is under way (and an ffmpeg child runs),
 * records the children, sends `sig` and returns the run with those child pids.
 */
async function runAndSignal(args: string[], sig: NodeJS.Signals, ready: () => boolean): Promise<{ run: CliRun; children: number[]; readyInTime: boolean }> {
  let pid = 0;
  let kill: ((s: NodeJS.Signals) => void) | undefined;
  let children: number[] = [];
  let readyInTime = false;
  const pending = runCli(args, { onSpawn: (p, k) => ((pid = p), (kill = k)) });
  const watcher = (async () => {
    readyInTime = await until(() => pid > 0 && ready() && mediaChildren(pid).length > 0, 120_000);
    children = mediaChildren(pid);
    kill?.(sig);
  })();
  const safety = setTimeout(() => kill?.('SIGKILL'), 240_000);
  const run = await pending;
  clearTimeout(safety);
  await watcher;
  return { run, children, readyInTime };
}

function hiddenPartials(folder: string): string[] {
  return readdirSync(folder).filter((f) => HIDDEN_PARTIAL.test(f));
}

describe.skipIf(!HAS_MEDIA)('SIGTERM and SIGHUP cancel like Ctrl-C', () => {
  for (const sig of ['SIGTERM', 'SIGHUP'] as const) {
    it(`${sig} during an encode exits 130, leaves no output and no ffmpeg`, async () => {
      const folder = mkdtempSync(path.join(dir, `enc-${sig}-`));
      const out = path.join(folder, 'out.m3c');
      let analysing = false;
      const t0 = Date.now();
      const { run, children, readyInTime } = await runAndSignal(['encode', BIKES, '-o', out, '--keyframe-codec', 'classical'], sig, () => (analysing ||= Date.now() - t0 > 1500));
      expect(readyInTime).toBe(true);
      expect(children.length).toBeGreaterThan(0);
      expect(run.code).toBe(130);
      expect(run.stderr).toMatch(new RegExp(`cancelling \\(${sig}`));
      expect(run.stderr).not.toMatch(/\n\s+at /);
      expect(await until(() => children.every((c) => !alive(c)), 3000)).toBe(true);
      expect(readdirSync(folder)).toEqual([]);
    });

    it(`${sig} during a decode exits 130, leaves no partial mp4 and no ffmpeg`, async () => {
      const folder = mkdtempSync(path.join(dir, `dec-${sig}-`));
      const out = path.join(folder, 'out.mp4');
      const { run, children, readyInTime } = await runAndSignal(['decode', bikesM3c, '-o', out], sig, () => hiddenPartials(folder).length > 0);
      expect(readyInTime).toBe(true);
      expect(children.length).toBeGreaterThan(0);
      expect(run.code).toBe(130);
      expect(run.stderr).not.toMatch(/\n\s+at /);
      expect(await until(() => children.every((c) => !alive(c)), 3000)).toBe(true);
      expect(readdirSync(folder)).toEqual([]);
    });
  }
});

describe.skipIf(!HAS_MEDIA)('partials of killed runs', () => {
  it('a SIGKILLed decode leaves its hidden partial; the next decode or encode there removes it', async () => {
    const folder = mkdtempSync(path.join(dir, 'kill-'));
    const { run, readyInTime } = await runAndSignal(['decode', bikesM3c, '-o', path.join(folder, 'killed.mp4')], 'SIGKILL', () => hiddenPartials(folder).length > 0);
    expect(readyInTime).toBe(true);
    expect(run.signal).toBe('SIGKILL');
    const left = hiddenPartials(folder);
    expect(left).toHaveLength(1);
    // The next run in that folder removes it (its writer is dead), whatever output it writes.
    const d = await runCli(['decode', bikesM3c, '-o', path.join(folder, 'other.mp4')]);
    expect(d.code).toBe(0);
    expect(readdirSync(folder)).toEqual(['other.mp4']);

    // An encode cleans up the same way; a partial whose writer still runs (here: this test process)
    // and which is fresh is left alone.
    const dead = `.x.m3c.${deadPid()}.lq3k2.tmp`;
    const live = `.y.mp4.${process.pid}-0a1b2c3d.partial`;
    writeFileSync(path.join(folder, dead), 'x');
    writeFileSync(path.join(folder, live), 'y');
    const e = await runCli(['encode', CARPHONE, '-o', path.join(folder, 'c.m3c'), ...SMALL]);
    expect(e.code).toBe(0);
    expect(readdirSync(folder).sort()).toEqual([live, 'c.m3c', 'other.mp4'].sort());
  });
});

/** A pid no process has: the pid of a child that has exited. */
function deadPid(): number {
  return Number(execFileSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' }).trim());
}

describe.skipIf(!HAS_MEDIA)('encode --project: done only once the .m3c is on disk', () => {
  it('the output folder removed mid-encode: exit 3, no file, the encode recorded failed (never done)', async () => {
    const db = path.join(dir, 'project.db');
    const folder = path.join(dir, 'vanishing');
    mkdirSync(folder);
    const out = path.join(folder, 'out.m3c');
    let pid = 0;
    const pending = runCli(['encode', BIKES, '-o', out, '--keyframe-codec', 'classical', '--project', db], { onSpawn: (p) => (pid = p) });
    expect(await until(() => pid > 0 && mediaChildren(pid).length > 0, 120_000)).toBe(true);
    rmSync(folder, { recursive: true, force: true });
    const r = await pending;
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/cannot write .*out\.m3c/);
    expect(existsSync(out)).toBe(false);
    const store = openStore(db);
    try {
      const encodes = store.listEncodes();
      expect(encodes).toHaveLength(1);
      expect(encodes[0].status).toBe('failed');
      expect(encodes[0].bytes ?? null).toBeNull();
    } finally {
      store.close();
    }

    // A successful encode is recorded done, with the studio's metric names.
    mkdirSync(folder);
    const ok = await runCli(['encode', CARPHONE, '-o', out, ...SMALL, '--project', db, '--json']);
    expect(ok.code).toBe(0);
    const again = openStore(db);
    try {
      const done = again.listEncodes().find((e) => e.status === 'done');
      expect(done).toBeDefined();
      expect(done!.bytes).toBe(readFileSync(out).length);
      expect(done!.metrics).toMatchObject({ frameCount: ok.json<{ frames: number }>().frames, timings: expect.any(Object), durationSec: expect.any(Number) });
    } finally {
      again.close();
    }
  });
});
