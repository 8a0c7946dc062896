/** The decodes table (migration 004) through the Store: one row per finished encode, gone with it. Real SQLite files. */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type NewDecode, type Store } from '../../../src/main/store/index.ts';

let dir: string;
let store: Store;
let sourceId: number;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'm3c-decodes-'));
  store = openStore(path.join(dir, 'studio.db'));
  const projectId = store.createProject('P').id;
  sourceId = store.addSource({ projectId, path: '/v.mp4', probe: {}, contentSha256: 'cd'.repeat(32) }).id;
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function finishedEncode(): number {
  const id = store.beginEncode({ sourceId, path: path.join(dir, 'e.m3c'), params: {} });
  store.finishEncode(id, { bytes: 10, metrics: {} });
  return id;
}

const decode = (encodeId: number, over: Partial<NewDecode> = {}): NewDecode => ({
  encodeId,
  frames: 2,
  psnr: [Infinity, 28.125],
  msssim: [1, 0.875],
  meanPsnr: 28.125,
  meanMsssim: 0.9375,
  reconPath: `encodes/encode-${encodeId}.recon.mp4`,
  ...over,
});

describe('decodes', () => {
  it('stores a decode exactly (Infinity included) and replaces it when the encode is decoded again', () => {
    const id = finishedEncode();
    expect(store.getDecode(id)).toBeUndefined();
    const first = store.saveDecode(decode(id));
    expect(first).toMatchObject({ ...decode(id), psnr: [Infinity, 28.125] });
    expect(store.getDecode(id)).toEqual(first);
    const again = store.saveDecode(decode(id, { frames: 1, psnr: [30], msssim: [0.5], meanPsnr: 30, meanMsssim: 0.5 }));
    expect(again).toMatchObject({ id: first.id, frames: 1, psnr: [30], msssim: [0.5] });
    const db = new Database(path.join(dir, 'studio.db'), { readonly: true });
    expect(db.prepare('SELECT count(*) AS n FROM decodes').get()).toEqual({ n: 1 });
    db.close();
  });

  it('refuses a decode of an encode that is not finished or does not exist, and numbers that do not fit', () => {
    const running = store.beginEncode({ sourceId, path: path.join(dir, 'r.m3c'), params: {} });
    expect(() => store.saveDecode(decode(running))).toThrow(`encode ${running} is running: only a finished encode has a decode`);
    expect(() => store.saveDecode(decode(running + 100))).toThrow(`encode ${running + 100} does not exist`);
    const id = finishedEncode();
    expect(() => store.saveDecode(decode(id, { psnr: [1] }))).toThrow('needs 2 PSNR and MS-SSIM values');
    expect(() => store.saveDecode(decode(id, { meanMsssim: NaN }))).toThrow('must be numbers');
    expect(store.getDecode(id)).toBeUndefined();
  });

  it('goes with its encode, and with the source of the encode', () => {
    const a = finishedEncode();
    const b = finishedEncode();
    store.saveDecode(decode(a));
    store.saveDecode(decode(b));
    expect(store.deleteEncode(a)).toBe(true);
    expect(store.getDecode(a)).toBeUndefined();
    expect(store.getDecode(b)).toBeDefined();
    store.deleteSource(sourceId);
    expect(store.getDecode(b)).toBeUndefined();
  });
});
