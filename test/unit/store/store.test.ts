import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore, type Store } from '../../../src/main/store/index.ts';
import { M3cError } from '../../../src/shared/engine/errors.ts';
import type { Geometry } from '../../../src/shared/engine/frame.ts';

const SHA = 'ab'.repeat(32);
const GEOMETRY: Geometry = { width: 320, height: 180, fpsNum: 8, fpsDen: 1 };

let dir: string;
let store: Store;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'm3c-store-'));
  store = openStore(path.join(dir, 'project.m3cdb'));
});

afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function seedSource(): { projectId: number; sourceId: number } {
  const p = store.createProject('bikes');
  const s = store.addSource({ projectId: p.id, path: '/media/bikes.mp4', probe: { durationS: 10 }, contentSha256: SHA });
  return { projectId: p.id, sourceId: s.id };
}

function storeError(fn: () => unknown): M3cError {
  try {
    fn();
  } catch (e) {
    return e as M3cError;
  }
  throw new Error('expected an error');
}

describe('projects', () => {
  it('creates, reads, lists, renames, updates settings and deletes', () => {
    const a = store.createProject('first', { codec: 'classical' });
    const b = store.createProject('second');
    expect(store.getProject(a.id)).toEqual(a);
    expect(a.settings).toEqual({ codec: 'classical' });
    expect(b.settings).toEqual({});
    expect(store.listProjects().map((p) => p.name).sort()).toEqual(['first', 'second']);

    const renamed = store.renameProject(a.id, 'renamed');
    expect(renamed.name).toBe('renamed');
    expect(renamed.createdAt).toBe(a.createdAt);
    expect(renamed.updatedAt).toBeGreaterThanOrEqual(a.updatedAt);
    expect(store.listProjects()[0].id).toBe(a.id);
    expect(store.updateProjectSettings(b.id, { budget: 512 }).settings).toEqual({ budget: 512 });

    expect(store.deleteProject(a.id)).toBe(true);
    expect(store.deleteProject(a.id)).toBe(false);
    expect(store.getProject(a.id)).toBeUndefined();
    expect(store.listProjects().map((p) => p.id)).toEqual([b.id]);
  });

  it('refuses empty names and unknown ids with typed errors', () => {
    expect(storeError(() => store.createProject('  ')).code).toBe('input');
    const e = storeError(() => store.renameProject(999, 'x'));
    expect(e).toBeInstanceOf(M3cError);
    expect(e.code).toBe('store');
    expect(e.message).toBe('project 999 does not exist');
  });

  it('turns a dangling reference into a store error', () => {
    const e = storeError(() => store.addSource({ projectId: 42, path: 'x', probe: {}, contentSha256: SHA }));
    expect(e.code).toBe('store');
    expect(e.message).toMatch(/^cannot add source to project 42: it refers to a row that does not exist$/);
  });
});

describe('sources, analyses, selections', () => {
  it('round-trips an analysis blob byte for byte and finds it by its key only', () => {
    const { sourceId } = seedSource();
    const signals = new Uint8Array(4096).map((_, i) => (i * 37) & 0xff);
    const saved = store.saveAnalysis({ sourceId, geometry: GEOMETRY, embedderId: 'hist-v1', flowId: 'lk-v1', frameCount: 80, signals });
    const key = { sourceId, geometry: GEOMETRY, embedderId: 'hist-v1', flowId: 'lk-v1' };
    const got = store.getAnalysis(key);
    expect(got?.id).toBe(saved.id);
    expect(got?.signals).toBeInstanceOf(Uint8Array);
    expect(Buffer.isBuffer(got?.signals)).toBe(false);
    expect(Array.from(got!.signals)).toEqual(Array.from(signals));
    // The stored geometry names the fit it was analysed with (crop when the key gives none).
    expect(got?.geometry).toEqual({ ...GEOMETRY, fit: 'crop' });
    expect(store.getAnalysis({ ...key, geometry: { ...GEOMETRY, fit: 'pad' } })).toBeUndefined();
    expect(store.getAnalysis({ ...key, flowId: 'raft-v1' })).toBeUndefined();
    expect(store.getAnalysis({ ...key, geometry: { ...GEOMETRY, fpsDen: 2 } })).toBeUndefined();

    const sel = store.saveSelection({ analysisId: saved.id, params: { alpha: 0.5 }, keyframes: [0, 17, 40], overrides: { forced: [17] } });
    // Saving again under the same key replaces the signals but keeps the analysis and its selections.
    const again = store.saveAnalysis({ ...key, frameCount: 81, signals: new Uint8Array([1, 2, 3]) });
    expect(again.id).toBe(saved.id);
    expect(Array.from(again.signals)).toEqual([1, 2, 3]);
    expect(again.frameCount).toBe(81);
    expect(store.listSelections(saved.id)).toEqual([sel]);
    expect(sel.keyframes).toEqual([0, 17, 40]);
    expect(store.listSources(store.getSource(sourceId)!.projectId).map((s) => s.probe)).toEqual([{ durationS: 10 }]);
  });

  it('rejects a malformed content hash before writing', () => {
    const p = store.createProject('p');
    expect(storeError(() => store.addSource({ projectId: p.id, path: 'x', probe: {}, contentSha256: 'ABC' })).code).toBe('internal');
    expect(store.listSources(p.id)).toEqual([]);
  });
});

describe('descriptions', () => {
  it('upserts by (source, kind, frame) and lists in frame order', () => {
    const { projectId, sourceId } = seedSource();
    store.upsertDescription({ sourceId, itemKind: 'clip', itemIndex: 1, frameIndex: 40, text: 'a rider turns', origin: 'lmm' });
    store.upsertDescription({ sourceId, itemKind: 'keyframe', itemIndex: 1, frameIndex: 40, text: 'red bike', origin: 'lmm' });
    store.upsertDescription({ sourceId, itemKind: 'keyframe', itemIndex: 0, frameIndex: 0, text: 'street', origin: 'file' });
    const edited = store.upsertDescription({ sourceId, itemKind: 'keyframe', itemIndex: 2, frameIndex: 40, text: 'a red bike', origin: 'user' });
    expect(edited).toMatchObject({ projectId, itemIndex: 2, text: 'a red bike', origin: 'user' });
    const list = store.listDescriptions(sourceId);
    expect(list.map((d) => [d.frameIndex, d.itemKind, d.text])).toEqual([
      [0, 'keyframe', 'street'],
      [40, 'keyframe', 'a red bike'],
      [40, 'clip', 'a rider turns'],
    ]);
  });

  it('refuses an unknown origin through the schema', () => {
    const { sourceId } = seedSource();
    const bad = { sourceId, itemKind: 'keyframe', itemIndex: 0, frameIndex: 0, text: 't', origin: 'robot' } as never;
    expect(storeError(() => store.upsertDescription(bad)).code).toBe('store');
    expect(store.listDescriptions(sourceId)).toEqual([]);
  });
});

describe('encodes', () => {
  it('goes running -> done once, and lists with filters', () => {
    const { projectId, sourceId } = seedSource();
    const id = store.beginEncode({ sourceId, path: '/out/a.m3c', params: { budget: 800 } });
    expect(store.getEncode(id)).toMatchObject({ status: 'running', projectId, selectionId: null, bytes: null, metrics: null });
    const done = store.finishEncode(id, { bytes: 1234, metrics: { psnr: 28.5 } });
    expect(done).toMatchObject({ status: 'done', bytes: 1234, metrics: { psnr: 28.5 } });
    expect(done.finishedAt).not.toBeNull();
    expect(storeError(() => store.finishEncode(id, { bytes: 1, metrics: {} })).message).toBe(`encode ${id} is done, not running`);

    const failed = store.beginEncode({ sourceId, path: '/out/b.m3c', params: {} });
    expect(store.failEncode(failed, 'cancelled', 'cancelled by user')).toMatchObject({ status: 'cancelled', error: 'cancelled by user' });
    expect(store.listEncodes({ projectId }).map((e) => e.id)).toEqual([failed, id]);
    expect(store.listEncodes({ status: 'done' }).map((e) => e.id)).toEqual([id]);
    expect(store.listEncodes({ projectId: projectId + 1 })).toEqual([]);
  });

  it('cascades a project delete to everything under it', () => {
    const { projectId, sourceId } = seedSource();
    const a = store.saveAnalysis({ sourceId, geometry: GEOMETRY, embedderId: 'e', flowId: 'f', frameCount: 1, signals: new Uint8Array(1) });
    const sel = store.saveSelection({ analysisId: a.id, params: {}, keyframes: [0], overrides: {} });
    const id = store.beginEncode({ sourceId, selectionId: sel.id, path: '/out/c.m3c', params: {} });
    store.upsertDescription({ sourceId, itemKind: 'keyframe', itemIndex: 0, frameIndex: 0, text: 't', origin: 'user' });

    expect(store.deleteProject(projectId)).toBe(true);
    expect(store.getSource(sourceId)).toBeUndefined();
    expect(store.getAnalysisById(a.id)).toBeUndefined();
    expect(store.getSelection(sel.id)).toBeUndefined();
    expect(store.getEncode(id)).toBeUndefined();
    expect(store.listDescriptions(sourceId)).toEqual([]);
  });
});

describe('transactions', () => {
  it('rolls back every write of a throwing transaction, nested calls included', () => {
    expect(() =>
      store.transaction(() => {
        const p = store.createProject('doomed');
        store.addSource({ projectId: p.id, path: 'x', probe: {}, contentSha256: SHA });
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(store.listProjects()).toEqual([]);
  });

  it('refuses an async function instead of committing before it runs', () => {
    const e = storeError(() => store.transaction(async () => store.createProject('async')));
    expect(e.code).toBe('internal');
    expect(store.listProjects()).toEqual([]);
  });
});
