import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StudioService } from '../../../src/main/services/studio-service.ts';
import { parseM3c } from '../../../src/shared/bitstream/index.ts';
import { HAS_MEDIA, MEDIA_DIR, mediaPath, REPO_ROOT } from '../../helpers/media.ts';

const LEARNED_PACK = path.join(REPO_ROOT, 'test', 'fixtures', 'learned');
const NO_LEARNED_PACK = path.join(REPO_ROOT, 'test', 'fixtures', 'models');
// 04_coffee at 2 fps: 19 frames, so every job stays within a few seconds.
const GEOMETRY = { width: 256, height: 160, fpsNum: 2, fpsDen: 1 };

function headerCodec(file: string): string {
  const parsed = parseM3c(new Uint8Array(readFileSync(file)));
  if (!parsed.ok) throw new Error(parsed.error.kind);
  return parsed.file.header.keyframeCodecId;
}

describe.skipIf(!HAS_MEDIA)('StudioService passes the keyframe codec choice to the worker', () => {
  let dir: string;
  let service: StudioService;
  let sourceId: number;
  let projectId: number;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'm3c-studio-kf-'));
    service = new StudioService({ projectsDir: dir, mode: 'web', importRoots: [MEDIA_DIR], modelsDir: LEARNED_PACK });
    await service.updateSettings({ geometry: GEOMETRY });
    projectId = (await service.createProject({ name: 'Coffee' })).id;
    const { source, job } = await service.importSource({ projectId, path: mediaPath('video', '04_coffee.mp4') });
    sourceId = source.id;
    const done = await service.waitForJob(job!.id);
    expect(done.state, JSON.stringify(done.error)).toBe('done');
  });

  afterAll(async () => {
    await service?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports learned as available and the default under the learned pack', async () => {
    const s = await service.getSettings();
    expect(s.keyframeCodecs).toMatchObject({ default: 'learned', learnedGrids: ['coarse'], learnedUnavailable: null, defaultDenoiserSteps: 4, maxDenoiserSteps: 8 });
    expect((await service.getRateModel({ sourceId })).bytesPerKeyframe).toBe(640);
  });

  it('encodes with the chosen codec, records it with the denoiser steps, and decodes with them', async () => {
    // The keyframe codec is a choice of the paper's modes: a guided file (the default) codes its keyframes classically.
    const learned = await service.waitForJob((await service.startEncode({ sourceId, mode: 'interpolation', keyframeCodec: 'learned', denoiserSteps: 2 })).id);
    expect(learned.state, JSON.stringify(learned.error)).toBe('done');
    const classical = await service.waitForJob((await service.startEncode({ sourceId, mode: 'interpolation', keyframeCodec: 'classical' })).id);
    expect(classical.state, JSON.stringify(classical.error)).toBe('done');
    const encodes = await service.listEncodes({ projectId });
    const byId = new Map(encodes.map((e) => [e.id, e]));
    const l = byId.get(learned.encodeId!)!;
    const c = byId.get(classical.encodeId!)!;
    expect(l.params).toMatchObject({ keyframeCodec: 'learned', denoiserSteps: 2 });
    expect(c.params).toMatchObject({ keyframeCodec: 'classical', denoiserSteps: 4 });
    const m3c = async (id: number): Promise<string> => {
      const r = await service.resolveMedia(`download/${id}/m3c`);
      if (r.kind !== 'file') throw new Error('expected a file');
      return r.path;
    };
    expect(headerCodec(await m3c(l.id))).toBe('learned-vq-v1');
    expect(headerCodec(await m3c(c.id))).toBe('classical-av1-v1');

    const dec = await service.waitForJob((await service.startDecode({ encodeId: l.id })).id);
    expect(dec.state, JSON.stringify(dec.error)).toBe('done');
    const cmp = await service.getComparison({ encodeId: l.id });
    expect(cmp.psnr).toHaveLength(l.frameCount!);
    expect(cmp.meanPsnr).toBeGreaterThan(12);

    await expect(service.startEncode({ sourceId, keyframeCodec: 'av2' as never })).rejects.toMatchObject({ code: 'usage' });
    await expect(service.startEncode({ sourceId, keyframeCodec: 'learned', denoiserSteps: 9 })).rejects.toMatchObject({ code: 'usage' });
  });

  it('refuses learned (model error) with a pack that lacks it, and defaults to classical there', async () => {
    const plain = new StudioService({ projectsDir: path.join(dir, 'plain'), mode: 'web', importRoots: [MEDIA_DIR], modelsDir: NO_LEARNED_PACK });
    try {
      const s = await plain.getSettings();
      expect(s.keyframeCodecs.default).toBe('classical');
      expect(s.keyframeCodecs.learnedUnavailable).toMatch(/m3c-test-pack-1/);
      const p = (await plain.createProject({ name: 'Plain' })).id;
      const { source, job } = await plain.importSource({ projectId: p, path: mediaPath('video', '04_coffee.mp4') });
      if (job) await plain.cancelJob({ jobId: job.id });
      await expect(plain.startEncode({ sourceId: source.id, mode: 'interpolation', keyframeCodec: 'learned' })).rejects.toMatchObject({ code: 'model' });
    } finally {
      await plain.close();
    }
  });
});
