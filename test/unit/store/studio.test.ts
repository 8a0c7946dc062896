import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore, type Store } from '../../../src/main/store/index.ts';

const SHA = 'cd'.repeat(32);
const GEOMETRY = { width: 256, height: 160, fpsNum: 4, fpsDen: 1 };

let dir: string;
let store: Store;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'm3c-store-studio-'));
  store = openStore(path.join(dir, 'studio.db'));
});

afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function seed() {
  const p = store.createProject('p');
  const keep = store.addSource({ projectId: p.id, path: '/m/keep.mp4', probe: {}, contentSha256: SHA });
  const gone = store.addSource({ projectId: p.id, path: '/m/gone.mp4', probe: {}, contentSha256: SHA });
  for (const s of [keep, gone]) {
    const a = store.saveAnalysis({ sourceId: s.id, geometry: GEOMETRY, embedderId: 'e', flowId: 'f', frameCount: 3, signals: new Uint8Array([1, 2]) });
    store.saveSelection({ analysisId: a.id, params: {}, keyframes: [0], overrides: null });
    store.upsertDescription({ sourceId: s.id, itemKind: 'keyframe', itemIndex: 0, frameIndex: 0, text: 't', origin: 'user' });
  }
  return { p, keep, gone };
}

describe('studio additions to the Store', () => {
  it('deleteSource removes the source and everything under it, and nothing of its siblings', () => {
    const { p, keep, gone } = seed();
    const e = store.beginEncode({ sourceId: gone.id, path: '/x.m3c', params: {} });
    store.finishEncode(e, { bytes: 10, metrics: {} });
    expect(store.deleteSource(gone.id)).toBe(true);
    expect(store.getSource(gone.id)).toBeUndefined();
    expect(store.listSources(p.id).map((s) => s.id)).toEqual([keep.id]);
    expect(store.listDescriptions(gone.id)).toEqual([]);
    expect(store.listDescriptions(keep.id)).toHaveLength(1);
    expect(store.getEncode(e)).toBeUndefined();
    expect(store.deleteSource(gone.id)).toBe(false);
  });

  it('deleteEncode removes a finished encode but refuses a running one', () => {
    const { keep } = seed();
    const running = store.beginEncode({ sourceId: keep.id, path: '/r.m3c', params: {} });
    expect(() => store.deleteEncode(running)).toThrow(/still running/);
    store.failEncode(running, 'cancelled', 'cancelled');
    expect(store.deleteEncode(running)).toBe(true);
    expect(store.getEncode(running)).toBeUndefined();
    expect(store.deleteEncode(running)).toBe(false);
  });
});
