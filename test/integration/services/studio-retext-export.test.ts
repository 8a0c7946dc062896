import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StudioService, type DialogHost } from '../../../src/main/services/studio-service.ts';
import { JobQueue } from '../../../src/main/services/jobs.ts';
import { createEngine } from '../../../src/main/pipeline/engine.ts';
import { clipTexts, openBitstream } from '../../../src/main/pipeline/decode.ts';
import type { EncodeInfo, StudioEvent } from '../../../src/shared/api/contract.ts';
import { mediaPath, MEDIA_DIR, HAS_MEDIA } from '../../helpers/media.ts';

const GEOMETRY = { width: 128, height: 80, fpsNum: 4, fpsDen: 1 };
const FIXED = { strategy: 'fixed', lambda1: 5, lambda2: 1, threshold: 0.4, fixedInterval: 20 } as const;
const engine = createEngine({ keyframeCodec: 'classical' });

/** A DialogHost as Electron's would answer: the folder the test chose, or null (the user cancelled). */
class TestDialogs implements DialogHost {
  folder: string | null = null;
  readonly titles: string[] = [];
  async chooseOpenFile(): Promise<string | null> {
    return null;
  }
  async chooseSaveFile(): Promise<string | null> {
    return null;
  }
  async chooseFolder(title: string): Promise<string | null> {
    this.titles.push(title);
    return this.folder;
  }
}

describe.skipIf(!HAS_MEDIA)('re-encode with new texts, export of both files, clearing finished jobs (real ffmpeg, SQLite, workers)', () => {
  let dir: string;
  let service: StudioService;
  const events: StudioEvent[] = [];
  let projectId: number;
  let sourceId: number;
  let first: EncodeInfo;
  let second: EncodeInfo;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'm3c-retext-'));
    service = new StudioService({ projectsDir: dir, mode: 'web', importRoots: [MEDIA_DIR] });
    service.onEvent((e) => events.push(e));
    await service.updateSettings({ geometry: GEOMETRY });
    projectId = (await service.createProject({ name: 'Bikes' })).id;
    const { source, job } = await service.importSource({ projectId, path: mediaPath('video', 'bikes.mp4') });
    sourceId = source.id;
    expect((await service.waitForJob(job!.id)).state).toBe('done');
    await service.saveSelection({ sourceId, params: FIXED });
    await service.setDescription({ sourceId, itemKind: 'keyframe', itemIndex: 0, frameIndex: 0, text: 'two cyclists' });
    await service.setDescription({ sourceId, itemKind: 'clip', itemIndex: 0, frameIndex: 0, text: 'they ride' });
    const enc = await service.startEncode({ sourceId, keyframeCodec: 'classical' });
    const done = await service.waitForJob(enc.id);
    expect(done.state, JSON.stringify(done.error)).toBe('done');
    first = (await service.listEncodes({ projectId })).find((e) => e.id === done.encodeId)!;
  }, 180_000);

  afterAll(async () => {
    await service?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('re-encodes only the texts as a job: a new row beside the old, same keyframes, new texts, params naming the old', async () => {
    await service.setDescription({ sourceId, itemKind: 'keyframe', itemIndex: 0, frameIndex: 0, text: 'two cyclists in red jackets ride side by side on a country road' });
    await service.setDescription({ sourceId, itemKind: 'keyframe', itemIndex: 1, frameIndex: 20, text: 'a cyclist close up' });
    const job = await service.reencodeTexts({ encodeId: first.id });
    expect(job.kind).toBe('retext');
    const done = await service.waitForJob(job.id);
    expect(done.state, JSON.stringify(done.error)).toBe('done');
    expect(done.encodeId).not.toBe(first.id);
    // No analysis or keyframe coding ran: the job's only stage is writing the file.
    const stages = new Set(events.filter((e): e is Extract<StudioEvent, { type: 'job-progress' }> => e.type === 'job-progress' && e.job.id === job.id).map((e) => e.job.stage));
    expect([...stages].filter((s) => s !== 'queued' && s !== 'starting')).toEqual(['writing']);

    const list = await service.listEncodes({ projectId });
    expect(list.map((e) => e.id).sort()).toEqual([first.id, done.encodeId].sort());
    second = list.find((e) => e.id === done.encodeId)!;
    expect(second).toMatchObject({ status: 'done', keyframes: first.keyframes, frameCount: first.frameCount });
    expect(second.params).toEqual({ ...first.params, reencodedFrom: first.id });
    expect(second.sections!.keyframes).toBe(first.sections!.keyframes);
    expect(second.sections!.keyframeTexts).toBeGreaterThan(first.sections!.keyframeTexts);
    expect(second.sections!.clipTexts).toBe(first.sections!.clipTexts);

    const store = service.store;
    const a = openBitstream(engine, new Uint8Array(readFileSync(store.getEncode(first.id)!.path)));
    const b = openBitstream(engine, new Uint8Array(readFileSync(store.getEncode(second.id)!.path)));
    expect(b.header).toEqual(a.header);
    b.clips.forEach((c, i) => expect(Buffer.from(c.keyframe).equals(Buffer.from(a.clips[i].keyframe))).toBe(true));
    expect(clipTexts(a)).toEqual([
      { keyframe: 'two cyclists', clip: 'they ride' },
      { keyframe: '', clip: '' },
    ]);
    expect(clipTexts(b)).toEqual([
      { keyframe: 'two cyclists in red jackets ride side by side on a country road', clip: 'they ride' },
      { keyframe: 'a cyclist close up', clip: '' },
    ]);
  }, 120_000);

  it('refuses when more than the texts changed, and for an unfinished or unknown encode', async () => {
    await service.saveSelection({ sourceId, params: { ...FIXED, fixedInterval: 10 } });
    await expect(service.reencodeTexts({ encodeId: first.id })).rejects.toMatchObject({ code: 'usage', message: expect.stringMatching(/keyframes, the working size or the fit changed since encode \d+/) });
    await service.saveSelection({ sourceId, params: FIXED });
    await expect(service.call('reencodeTexts', { encodeId: 999 })).rejects.toMatchObject({ code: 'input' });
    await expect(service.call('reencodeTexts', { encodeId: 'x' })).rejects.toMatchObject({ code: 'usage' });
  });

  it('web: "Export .m3c and mp4" decodes first, then offers both downloads by name and project place', async () => {
    const r = await service.exportEncodeFiles({ encodeId: second.id });
    if (r.kind !== 'decoding') throw new Error(`expected a decode first, got ${r.kind}`);
    expect(r.job.kind).toBe('decode');
    expect(r.folder).toBeNull();
    expect((await service.waitForJob(r.job.id)).state).toBe('done');

    const ready = await service.exportEncodeFiles({ encodeId: second.id });
    if (ready.kind !== 'download') throw new Error(`expected downloads, got ${ready.kind}`);
    expect(ready.files.map((f) => [f.format, f.ref, f.fileName])).toEqual([
      ['m3c', `download/${second.id}/m3c`, `bikes-encode-${second.id}.m3c`],
      ['mp4', `download/${second.id}/mp4`, `bikes-encode-${second.id}.recon.mp4`],
    ]);
    expect(ready.files[0].place).toMatch(/^in this project's encodes folder as source-\d+-[0-9a-z]+\.m3c$/);
    expect(ready.files[1].place).toBe(`in this project's encodes folder as encode-${second.id}.recon.mp4`);
    for (const f of ready.files) {
      expect(f.place).not.toContain(dir);
      const media = await service.resolveMedia(f.ref);
      expect(media).toMatchObject({ kind: 'file', downloadName: f.fileName });
      expect(media.kind === 'file' && statSync(media.path).size).toBeGreaterThan(0);
    }
    const single = await service.exportEncode({ encodeId: second.id, format: 'mp4' });
    expect(single).toMatchObject({ kind: 'download', fileName: `bikes-encode-${second.id}.recon.mp4`, place: ready.files[1].place });
  }, 120_000);

  it('clears finished jobs from the list, telling every window', async () => {
    expect((await service.listJobs()).length).toBeGreaterThanOrEqual(3);
    const before = events.length;
    const r = await service.clearFinishedJobs();
    expect(r.cleared).toBeGreaterThanOrEqual(3);
    expect(await service.listJobs()).toEqual([]);
    const cleared = events.slice(before).find((e): e is Extract<StudioEvent, { type: 'jobs-cleared' }> => e.type === 'jobs-cleared');
    expect(cleared?.jobIds.length).toBe(r.cleared);
    expect(await service.clearFinishedJobs()).toEqual({ cleared: 0 });
  });

  it('Electron: one folder for both files, decoding first when needed; a taken name gets a number; cancel saves nothing', async () => {
    await service.close();
    const dialogs = new TestDialogs();
    service = new StudioService({ projectsDir: dir, mode: 'electron', dialogs });
    const out = path.join(dir, 'exports');
    mkdirSync(out);

    dialogs.folder = null;
    expect(await service.exportEncodeFiles({ encodeId: first.id })).toEqual({ kind: 'cancelled' });

    // The first encode has no reconstruction: the decode job saves both files when it is done.
    dialogs.folder = out;
    const r = await service.exportEncodeFiles({ encodeId: first.id });
    if (r.kind !== 'decoding') throw new Error(`expected a decode first, got ${r.kind}`);
    expect(r.folder).toBe(out);
    expect(dialogs.titles).toEqual([`Export encode ${first.id}: its .m3c and mp4`, `Export encode ${first.id}: its .m3c and mp4`]);
    const m3c = path.join(out, `bikes-encode-${first.id}.m3c`);
    const mp4 = path.join(out, `bikes-encode-${first.id}.recon.mp4`);
    expect(existsSync(m3c)).toBe(false);
    expect((await service.waitForJob(r.job.id)).state).toBe('done');
    expect(readFileSync(m3c).equals(readFileSync(service.store.getEncode(first.id)!.path))).toBe(true);
    expect(statSync(mp4).size).toBeGreaterThan(0);

    // Decoded now: saved at once, beside the first pair without overwriting it.
    const again = await service.exportEncodeFiles({ encodeId: first.id });
    expect(again).toEqual({ kind: 'saved', folder: out, paths: [path.join(out, `bikes-encode-${first.id} (2).m3c`), path.join(out, `bikes-encode-${first.id} (2).recon.mp4`)] });
    expect(readFileSync(path.join(out, `bikes-encode-${first.id} (2).recon.mp4`)).equals(readFileSync(mp4))).toBe(true);

    dialogs.folder = 'relative/folder';
    await expect(service.exportEncodeFiles({ encodeId: first.id })).rejects.toMatchObject({ code: 'input' });
  }, 120_000);
});

describe('JobQueue.clearFinished', () => {
  it('forgets done, failed and cancelled jobs and keeps the running and queued ones, which still settle', async () => {
    const q = new JobQueue(() => undefined);
    const spec = (run: () => Promise<void>) => ({ kind: 'encode' as const, projectId: 1, sourceId: 2, run });
    const done = q.enqueue(spec(async () => undefined));
    const failed = q.enqueue(spec(async () => Promise.reject(new Error('boom'))));
    await q.whenSettled(failed.id);
    let release!: () => void;
    const running = q.enqueue(spec(() => new Promise<void>((r) => (release = r))));
    const queued = q.enqueue(spec(async () => undefined));
    const cancelled = q.enqueue(spec(async () => undefined));
    q.cancel(cancelled.id);
    await new Promise((r) => setTimeout(r, 5));
    expect(q.list().map((j) => [j.id, j.state])).toEqual([[done.id, 'done'], [failed.id, 'failed'], [running.id, 'running'], [queued.id, 'queued'], [cancelled.id, 'cancelled']]);
    expect(q.clearFinished()).toEqual([done.id, failed.id, cancelled.id]);
    expect(q.list().map((j) => j.id)).toEqual([running.id, queued.id]);
    release();
    expect((await q.whenSettled(queued.id)).state).toBe('done');
    expect(q.clearFinished()).toEqual([running.id, queued.id]);
    expect(q.list()).toEqual([]);
  });
});
