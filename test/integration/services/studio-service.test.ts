import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StudioService } from '../../../src/main/services/studio-service.ts';
import { createEngine } from '../../../src/main/pipeline/engine.ts';
import { clipTexts, openBitstream } from '../../../src/main/pipeline/decode.ts';
import { probe } from '../../../src/main/media/index.ts';
import { base64ToBytes } from '../../../src/shared/api/base64.ts';
import { deserialiseFrameSignals } from '../../../src/shared/keyframes/index.ts';
import type { JobInfo, StudioEvent } from '../../../src/shared/api/contract.ts';
import { mediaPath, MEDIA_DIR, HAS_MEDIA } from '../../helpers/media.ts';
import { OpenAiTestDouble, lastPrompt } from '../../helpers/openai-test-double.ts';

// A small working geometry keeps analysis and keyframe coding within a few seconds on a busy 2-core machine.
const GEOMETRY = { width: 256, height: 160, fpsNum: 4, fpsDen: 1 };
const FIXED = { strategy: 'fixed', lambda1: 5, lambda2: 1, threshold: 0.4, fixedInterval: 20 } as const;

describe.skipIf(!HAS_MEDIA)('StudioService on bikes.mp4 (real ffmpeg, SQLite, worker threads)', () => {
  let dir: string;
  let service: StudioService;
  const events: StudioEvent[] = [];
  let projectId: number;
  let sourceId: number;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'm3c-studio-svc-'));
    service = new StudioService({ projectsDir: dir, mode: 'web', importRoots: [MEDIA_DIR] });
    service.onEvent((e) => events.push(e));
    await service.updateSettings({ geometry: GEOMETRY });
    projectId = (await service.createProject({ name: 'Bikes' })).id;
  });

  afterAll(async () => {
    await service?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports a video and analyses it as a job with progress, storing the signals', async () => {
    const { source, job } = await service.importSource({ projectId, path: mediaPath('video', 'bikes.mp4') });
    sourceId = source.id;
    expect(source.name).toBe('bikes.mp4');
    expect(source.durationSec).toBeCloseTo(10, 0);
    expect(job?.kind).toBe('analysis');
    const done = await service.waitForJob(job!.id);
    expect(done.state, JSON.stringify(done.error)).toBe('done');
    const progress = events.filter((e): e is Extract<StudioEvent, { type: 'job-progress' }> => e.type === 'job-progress' && e.job.id === job!.id);
    expect(progress.some((e) => e.job.stage === 'analysis' && e.job.done > 0 && e.job.total >= 38)).toBe(true);
    expect(progress.some((e) => e.job.etaSeconds !== null)).toBe(true);
    expect(events.some((e) => e.type === 'analysis-ready' && e.sourceId === sourceId)).toBe(true);

    const detail = await service.openProject({ projectId });
    expect(detail.sources[0].analysis?.frameCount).toBe(40);
    const payload = await service.getSignals({ sourceId });
    const signals = deserialiseFrameSignals(base64ToBytes(payload.signalsBase64));
    expect(signals.frameCount).toBe(40);
    // The analysis job also made the filmstrip in one pass.
    const thumb = await service.resolveMedia(`thumb/${sourceId}/39`);
    expect(thumb.kind === 'file' && statSync(thumb.path).size > 500).toBe(true);
  });

  it('saves a selection (main recomputes the keyframes) and descriptions, and refuses bad arguments', async () => {
    const saved = await service.saveSelection({ sourceId, params: { ...FIXED, overrides: { add: [7], remove: [] } } });
    expect(saved.keyframes).toEqual([0, 7, 27]);
    expect((await service.getSelection({ sourceId }))?.id).toBe(saved.id);
    const plain = await service.saveSelection({ sourceId, params: FIXED });
    expect(plain.keyframes).toEqual([0, 20]);

    const d = await service.setDescription({ sourceId, itemKind: 'keyframe', itemIndex: 0, frameIndex: 0, text: 'two cyclists on a road' });
    expect(d.bits).toBeGreaterThan(0);
    expect(events.some((e) => e.type === 'description-updated' && e.description.text === 'two cyclists on a road')).toBe(true);
    await service.setDescription({ sourceId, itemKind: 'clip', itemIndex: 0, frameIndex: 0, text: 'they ride to the left' });
    expect((await service.listDescriptions({ sourceId })).map((x) => x.text).sort()).toEqual(['they ride to the left', 'two cyclists on a road']);

    await expect(service.call('saveSelection', { sourceId, params: { ...FIXED, lambda1: 'x' } })).rejects.toMatchObject({ code: 'usage' });
    await expect(service.call('importSource', { projectId, path: '/etc/passwd' })).rejects.toMatchObject({ code: 'input' });
    await expect(service.call('importSource', { projectId, path: `${MEDIA_DIR}/video/../video/bikes.mp4` })).rejects.toMatchObject({ code: 'input' });
    await expect(service.call('deleteProject', { projectId: -1 })).rejects.toMatchObject({ code: 'usage' });
    await expect(service.call('noSuchMethod', {})).rejects.toMatchObject({ code: 'usage' });
    await expect(service.resolveMedia('thumb/1/../../x')).rejects.toMatchObject({ code: 'input' });
    const lmm = await service.getLmmStatus();
    expect(lmm.state).toBe('not-configured');
    await expect(service.describe({ sourceId })).rejects.toMatchObject({ code: 'lmm' });
  });

  it('runs the LMM dialogue as a job through an OpenAI-compatible endpoint (test double), with prompt overrides', async () => {
    const lmm = await OpenAiTestDouble.start({ models: ['vlm-test'] });
    try {
      await service.updateSettings({ lmm: { baseUrl: lmm.baseUrl, model: 'vlm-test' } });
      expect(await service.getLmmStatus()).toMatchObject({ state: 'ready', models: ['vlm-test'] });
      await service.setPrompt({ projectId, templateId: 'clip-summary', text: 'PROJECT CLIP SUMMARY in {{budget_chars}} characters' });
      await expect(service.setPrompt({ projectId, templateId: 'clip-summary', text: 'uses {{nope}}' })).rejects.toMatchObject({ code: 'input' });
      const prompts = await service.getPrompts({ projectId });
      expect(prompts.templates.find((t) => t.id === 'clip-summary')?.projectText).toMatch(/^PROJECT CLIP SUMMARY/);

      const job = await service.describe({ sourceId });
      const done = await service.waitForJob(job.id);
      expect(done.state, JSON.stringify(done.error)).toBe('done');
      expect(lmm.chatRequests.some((r) => lastPrompt(r.body).startsWith('PROJECT CLIP SUMMARY'))).toBe(true);
      const texts = await service.listDescriptions({ sourceId });
      expect(texts.filter((d) => d.origin === 'lmm').map((d) => `${d.itemKind}:${d.frameIndex}`).sort()).toEqual(['clip:0', 'clip:20', 'keyframe:0', 'keyframe:20']);
      const dialogue = await service.getDialogue({ sourceId, itemKind: 'keyframe', itemIndex: 1 });
      expect(dialogue.at(-1)?.rounds.length).toBeGreaterThan(0);
      expect(dialogue.at(-1)?.rounds[0]).toMatchObject({ model: 'vlm-test' });

      // One item again, then a manual edit wins and is what the encoder will use.
      const before = lmm.chatRequests.length;
      const one = await service.describe({ sourceId, items: [{ kind: 'clip', index: 1 }] });
      expect((await service.waitForJob(one.id)).state).toBe('done');
      expect(lmm.chatRequests.length).toBeGreaterThan(before);
      await expect(service.describe({ sourceId, items: [{ kind: 'clip', index: 9 }] })).rejects.toMatchObject({ code: 'usage' });
      await service.setDescription({ sourceId, itemKind: 'keyframe', itemIndex: 0, frameIndex: 0, text: 'two cyclists on a road' });
    } finally {
      await lmm.close();
    }
    expect((await service.getLmmStatus()).state).toBe('unreachable');
    await service.updateSettings({ lmm: { baseUrl: null } });
    expect((await service.getLmmStatus()).state).toBe('not-configured');
  });

  it('cancels a queued job and a running one; the queue runs one job at a time', async () => {
    const first = await service.startEncode({ sourceId });
    const second = await service.startEncode({ sourceId });
    expect(second.state).toBe('queued');
    const cancelledQueued = await service.cancelJob({ jobId: second.id });
    expect(cancelledQueued.state).toBe('cancelled');
    // Let the first start, then cancel it mid-run.
    for (let i = 0; i < 200 && (await service.listJobs()).find((j) => j.id === first.id)?.state !== 'running'; i++) await new Promise((r) => setTimeout(r, 25));
    await service.cancelJob({ jobId: first.id });
    const settled = await service.waitForJob(first.id);
    expect(settled.state).toBe('cancelled');
    const encodes = await service.listEncodes({ projectId });
    expect(encodes.every((e) => e.status === 'cancelled')).toBe(true);
  });

  it('encodes with the saved selection and descriptions, decodes, compares and exports files that decode', async () => {
    const job = await service.startEncode({ sourceId, keyframeCodec: 'classical' });
    const seen: JobInfo[] = [];
    const off = service.onEvent((e) => {
      if ((e.type === 'job-progress' || e.type === 'job-finished') && e.job.id === job.id) seen.push(e.job);
    });
    // Compute runs in a worker thread: the main event loop (the HTTP server, IPC) keeps answering meanwhile.
    let maxLagMs = 0;
    let probing = true;
    const lagProbe = (async () => {
      while (probing) {
        const t = performance.now();
        await new Promise((r) => setTimeout(r, 10));
        maxLagMs = Math.max(maxLagMs, performance.now() - t - 10);
      }
    })();
    const done = await service.waitForJob(job.id);
    probing = false;
    await lagProbe;
    off();
    expect(done.state, JSON.stringify(done.error)).toBe('done');
    expect(maxLagMs).toBeLessThan(500);
    // The default mode is guided: the guide is searched under the rate (its keyframes carry no layer at the default share).
    expect(seen.some((j) => j.stage === 'guide search')).toBe(true);
    expect(done.encodeId).not.toBeNull();
    const [enc] = (await service.listEncodes({ projectId })).filter((e) => e.id === done.encodeId);
    expect(enc.status).toBe('done');
    expect(enc.keyframes).toEqual([0, 20]);
    expect(enc.bytes).toBeGreaterThan(100);
    expect(enc.kbps).toBeGreaterThan(0);
    expect(enc.hasReconstruction).toBe(false);
    await expect(service.exportEncode({ encodeId: enc.id, format: 'mp4' })).rejects.toMatchObject({ code: 'usage' });

    const m3c = await service.exportEncode({ encodeId: enc.id, format: 'm3c' });
    expect(m3c).toMatchObject({ kind: 'download', ref: `download/${enc.id}/m3c` });
    const m3cFile = await service.resolveMedia(`download/${enc.id}/m3c`);
    if (m3cFile.kind !== 'file') throw new Error('expected a file');
    expect(m3cFile.downloadName).toMatch(/\.m3c$/);
    const file = openBitstream(createEngine(), new Uint8Array(readFileSync(m3cFile.path)));
    expect(file.header.frameCount).toBe(40);
    expect(file.clips.map((c) => c.firstFrame)).toEqual([0, 20]);
    expect(clipTexts(file)[0].keyframe).toBe('two cyclists on a road');

    const dec = await service.startDecode({ encodeId: enc.id });
    const decDone = await service.waitForJob(dec.id);
    expect(decDone.state, JSON.stringify(decDone.error)).toBe('done');
    const cmp = await service.getComparison({ encodeId: enc.id });
    expect(cmp.psnr).toHaveLength(40);
    expect(cmp.msssim).toHaveLength(40);
    expect(cmp.meanPsnr).toBeGreaterThan(10);
    const mp4 = await service.resolveMedia(`download/${enc.id}/mp4`);
    if (mp4.kind !== 'file') throw new Error('expected a file');
    const info = await probe(mp4.path);
    expect([info.width, info.height]).toEqual([256, 160]);
    expect(info.frameCount).toBe(40);
    const original = await service.resolveMedia(cmp.originalVideo);
    if (original.kind !== 'file') throw new Error('expected a file');
    expect((await probe(original.path)).width).toBe(256);
    expect((await service.listEncodes({ projectId })).find((e) => e.id === enc.id)?.hasReconstruction).toBe(true);
  });

  it('keeps everything across a restart, and deleting a project removes its folder', async () => {
    await service.close();
    service = new StudioService({ projectsDir: dir, mode: 'web', importRoots: [MEDIA_DIR] });
    const detail = await service.openProject({ projectId });
    expect(detail.geometry).toEqual(GEOMETRY);
    expect((await service.getSelection({ sourceId }))?.keyframes).toEqual([0, 20]);
    expect((await service.listDescriptions({ sourceId })).find((d) => d.frameIndex === 0 && d.itemKind === 'keyframe')?.text).toBe('two cyclists on a road');
    expect((await service.listEncodes({ projectId })).some((e) => e.status === 'done')).toBe(true);
    const folder = path.join(dir, 'projects', String(projectId));
    expect(existsSync(folder)).toBe(true);
    expect(await service.deleteProject({ projectId })).toEqual({ deleted: true });
    expect(existsSync(folder)).toBe(false);
    expect(await service.listProjects()).toEqual([]);
  });
});
