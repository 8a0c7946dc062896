/** Issue 13: bounded input reads, stale partial removal and durable atomic writes (src/main/util). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readInputFile } from '../../../src/main/util/input-file.ts';
import { removeStalePartials, STALE_PARTIAL_AGE_MS } from '../../../src/main/util/output-dir.ts';
import { writeFileAtomic } from '../../../src/main/util/atomic-write.ts';
import { M3cError } from '../../../src/shared/engine/errors.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'm3c-io-hardening-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function inputError(p: Promise<unknown>): Promise<M3cError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(M3cError);
  expect((e as M3cError).code).toBe('input');
  return e as M3cError;
}

describe('readInputFile', () => {
  it('reads a regular file up to the bound, exactly at the bound, and refuses one byte more', async () => {
    const f = path.join(dir, 'ten');
    writeFileSync(f, Buffer.alloc(10, 7));
    expect(Array.from(await readInputFile(f, 100))).toEqual(new Array(10).fill(7));
    expect((await readInputFile(f, 10)).length).toBe(10);
    expect((await inputError(readInputFile(f, 9, '.m3c'))).message).toMatch(/larger than the 9 bytes a \.m3c may have/);
    writeFileSync(path.join(dir, 'empty'), '');
    expect((await readInputFile(path.join(dir, 'empty'), 10)).length).toBe(0);
  });

  it('refuses a missing file, a folder, a FIFO and a character device with one line', async () => {
    expect((await inputError(readInputFile(path.join(dir, 'nope'), 10))).message).toMatch(/no such file/);
    expect((await inputError(readInputFile(dir, 10))).message).toMatch(/is a directory/);
    const fifo = path.join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    expect((await inputError(readInputFile(fifo, 10))).message).toMatch(/FIFO/);
    expect((await inputError(readInputFile('/dev/zero', 10))).message).toMatch(/character device/);
  });
});

describe('removeStalePartials', () => {
  it('removes partials of dead writers and old ones, keeps fresh ones of live writers and other files', async () => {
    const folder = mkdtempSync(path.join(dir, 'partials-'));
    const deadPid = Number(execFileSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' }).trim());
    const live = process.ppid; // alive, and not this process
    const names = {
      deadPartial: `.a.mp4.${deadPid}-0011aabb.partial`,
      deadTmp: `.b.m3c.${deadPid}.lq3k2.tmp`,
      liveFresh: `.c.mp4.${live}-0011aabb.partial`,
      liveOld: `.d.mp4.${live}-0011aabb.partial`,
      own: `.e.m3c.${process.pid}.abc.tmp`,
      thumbs: '.thumbs-0011aabbccdd.tmp',
      plain: 'video.mp4',
    };
    for (const n of Object.values(names)) writeFileSync(path.join(folder, n), 'x');
    const old = (Date.now() - STALE_PARTIAL_AGE_MS - 60_000) / 1000;
    utimesSync(path.join(folder, names.liveOld), old, old);
    const removed = await removeStalePartials(folder);
    expect(removed.sort()).toEqual([names.deadPartial, names.deadTmp, names.liveOld].sort());
    expect(readdirSync(folder).sort()).toEqual([names.liveFresh, names.own, names.thumbs, names.plain].sort());
    expect(await removeStalePartials(path.join(folder, 'missing'))).toEqual([]);
  });
});

describe('writeFileAtomic', () => {
  it('replaces the target and leaves no temporary file (the folder is flushed after the rename)', async () => {
    const folder = mkdtempSync(path.join(dir, 'atomic-'));
    const target = path.join(folder, 'out.bin');
    await writeFileAtomic(target, new Uint8Array([1, 2, 3]));
    await writeFileAtomic(target, new Uint8Array([4, 5]));
    expect(Array.from(readFileSync(target))).toEqual([4, 5]);
    expect(readdirSync(folder)).toEqual(['out.bin']);
    await expect(writeFileAtomic(path.join(folder, 'no-such', 'x'), new Uint8Array(1))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
