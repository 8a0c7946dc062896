/**
 * Issue 11: decodes live in the database. A projects folder written by the code before schema 4 (a finished
 * encode and its `encode-<id>.compare.json`) is moved in when the studio opens it: the numbers land in the
 * decodes table, the file goes, a broken file stays without stopping the studio, and a second open does
 * nothing. Real SQLite files; the files are written as the old code wrote them.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MIGRATIONS, openStore } from '../../../src/main/store/index.ts';
import { ProjectLayout } from '../../../src/main/store/layout.ts';
import { moveComparisonsIn } from '../../../src/main/store/legacy-comparisons.ts';
import { StudioService } from '../../../src/main/services/studio-service.ts';

const GEOMETRY = { width: 256, height: 160, fpsNum: 4, fpsDen: 1 };
// What the decode worker returned; the old code wrote it with JSON.stringify, so Infinity became null.
const OUTCOME = { frames: 3, psnr: [31.5, Infinity, 29.25], msssim: [0.93, 1, 0.9], meanPsnr: 30.1, meanMsssim: 0.943 };

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'm3c-legacy-cmp-'));
});
afterEach(() => {
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

/** A schema-3 studio.db with one project, one source and `n` finished encodes, as the old studio left it. */
function oldFolder(n: number): { projectId: number; encodeIds: number[] } {
  const store = openStore(path.join(dir, 'studio.db'), { migrations: MIGRATIONS.slice(0, 3) });
  expect(store.schemaVersion).toBe(3);
  const projectId = store.createProject('Old', { geometry: GEOMETRY }).id;
  const sourceId = store.addSource({ projectId, path: path.join(dir, 'clip.mp4'), probe: {}, contentSha256: 'ab'.repeat(32) }).id;
  const encodes = path.join(dir, 'projects', String(projectId), 'encodes');
  mkdirSync(encodes, { recursive: true });
  const encodeIds = Array.from({ length: n }, (_, i) => {
    const m3c = path.join(encodes, `source-${sourceId}-${i}.m3c`);
    writeFileSync(m3c, 'm3c');
    const id = store.beginEncode({ sourceId, path: m3c, params: { geometry: GEOMETRY, mode: 'interpolation' } });
    store.finishEncode(id, { bytes: 3, metrics: { bpp: 0.1, kbps: 12, frameCount: 3, durationSec: 0.75, keyframes: [0, 2] } });
    writeFileSync(path.join(encodes, `encode-${id}.recon.mp4`), 'mp4');
    return id;
  });
  store.close();
  return { projectId, encodeIds };
}

const compareFile = (projectId: number, encodeId: number): string =>
  path.join(dir, 'projects', String(projectId), 'encodes', `encode-${encodeId}.compare.json`);

describe('old comparison files move into the decodes table when the studio opens the folder', () => {
  it('stores their numbers, removes the file, leaves a broken one in place, and a second open changes nothing', async () => {
    const { projectId, encodeIds } = oldFolder(2);
    const [good, broken] = encodeIds;
    writeFileSync(compareFile(projectId, good), JSON.stringify(OUTCOME));
    writeFileSync(compareFile(projectId, broken), '{"frames": 3, "psnr": [1, 2');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);

    let service = new StudioService({ projectsDir: dir, mode: 'web' });
    expect(service.store.schemaVersion).toBe(MIGRATIONS.length);
    const list = await service.listEncodes({ projectId });
    const info = list.find((e) => e.id === good)!;
    expect(info).toMatchObject({ psnr: 30.1, msssim: 0.943, frameCount: 3, hasReconstruction: true });
    const cmp = await service.getComparison({ encodeId: good });
    expect(cmp).toMatchObject({ frames: 3, msssim: [0.93, 1, 0.9], meanPsnr: 30.1, meanMsssim: 0.943, keyframes: [0, 2], fps: 4 });
    expect(cmp.psnr).toEqual([31.5, Infinity, 29.25]);
    expect(existsSync(compareFile(projectId, good))).toBe(false);

    // The broken file is left for the user, the studio runs, and that encode counts as not decoded.
    expect(readFileSync(compareFile(projectId, broken), 'utf8')).toContain('"psnr"');
    expect(list.find((e) => e.id === broken)).toMatchObject({ psnr: null, hasReconstruction: false });
    await expect(service.getComparison({ encodeId: broken })).rejects.toMatchObject({ code: 'usage' });
    expect(warn.mock.calls.some(([m]) => String(m).includes(compareFile(projectId, broken)))).toBe(true);
    const row = service.store.getDecode(good)!;
    expect(row.reconPath).toBe(path.join('encodes', `encode-${good}.recon.mp4`));
    await service.close();

    service = new StudioService({ projectsDir: dir, mode: 'web' });
    expect(service.store.getDecode(good)).toEqual(row);
    expect(service.store.getDecode(broken)).toBeUndefined();
    expect(existsSync(compareFile(projectId, broken))).toBe(true);
    expect(await service.getComparison({ encodeId: good })).toEqual(cmp);
    await service.close();
    const store = openStore(path.join(dir, 'studio.db'));
    expect(moveComparisonsIn(store, new ProjectLayout(dir)).imported).toBe(0);
    store.close();
  });

  it('removes a file left behind after its numbers were stored, without touching the row', () => {
    const { projectId, encodeIds } = oldFolder(1);
    const layout = new ProjectLayout(dir);
    writeFileSync(compareFile(projectId, encodeIds[0]), JSON.stringify(OUTCOME));
    const store = openStore(layout.database);
    expect(moveComparisonsIn(store, layout)).toEqual({ imported: 1, skipped: [] });
    const row = store.getDecode(encodeIds[0]);
    // A crash between the commit and the removal leaves the file: the next open removes it.
    writeFileSync(compareFile(projectId, encodeIds[0]), JSON.stringify({ ...OUTCOME, meanPsnr: 1 }));
    expect(moveComparisonsIn(store, layout)).toEqual({ imported: 0, skipped: [] });
    expect(store.getDecode(encodeIds[0])).toEqual(row);
    expect(existsSync(compareFile(projectId, encodeIds[0]))).toBe(false);
    store.close();
  });

  it('skips files whose numbers do not fit a decode, keeping them', () => {
    const { projectId, encodeIds } = oldFolder(3);
    const layout = new ProjectLayout(dir);
    writeFileSync(compareFile(projectId, encodeIds[0]), JSON.stringify({ ...OUTCOME, psnr: [1, 2] }));
    writeFileSync(compareFile(projectId, encodeIds[1]), JSON.stringify({ ...OUTCOME, meanMsssim: null }));
    writeFileSync(compareFile(projectId, encodeIds[2]), 'null');
    const store = openStore(layout.database);
    const r = moveComparisonsIn(store, layout);
    expect(r.imported).toBe(0);
    expect(r.skipped.map((s) => s.file)).toEqual(encodeIds.map((id) => compareFile(projectId, id)).reverse());
    for (const id of encodeIds) {
      expect(store.getDecode(id)).toBeUndefined();
      expect(existsSync(compareFile(projectId, id))).toBe(true);
    }
    store.close();
  });
});
