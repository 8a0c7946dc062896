/**
 * Issue 12, point 7: a source's fit into the working geometry is stored, used by the analysis, the pictures, the
 * encode and the decode's comparison, and an analysis made with one fit is never used for another. Real ffmpeg,
 * SQLite and worker threads on a 2.35:1 clip made here; the CLI's --fit through the real m3c command.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StudioService } from '../../../src/main/services/studio-service.ts';
import { openStore, MIGRATIONS } from '../../../src/main/store/index.ts';
import { readVideoFrames, runFfmpeg } from '../../../src/main/media/index.ts';
import type { Fit, WorkingGeometry } from '../../../src/shared/api/contract.ts';
import { readJpeg } from '../media/read-jpeg.ts';
import type { RgbFrame } from '../../../src/shared/engine/frame.ts';
import { EXIT_CODES } from '../../../src/shared/engine/errors.ts';
import { evaluateVideos } from '../../../src/main/pipeline/evaluate.ts';
import Database from 'better-sqlite3';
import { runCli } from '../../helpers/cli.ts';

const GEOMETRY = { width: 128, height: 80, fpsNum: 4, fpsDen: 1 };
const fitted = (fit: Fit): WorkingGeometry => ({ ...GEOMETRY, fit });
const FIXED = { strategy: 'fixed', lambda1: 5, lambda2: 1, threshold: 0.4, fixedInterval: 4 } as const;

/** Mean of all channels over rows y0..y1. */
function rowsMean(f: RgbFrame, y0: number, y1: number): number {
  let sum = 0;
  for (let i = y0 * f.width * 3; i < y1 * f.width * 3; i++) sum += f.data[i];
  return sum / ((y1 - y0) * f.width * 3);
}

async function makeWideClip(dir: string): Promise<string> {
  const clip = path.join(dir, 'wide.mp4');
  // 2.35:1 with motion and colour everywhere (no black of its own): 3 s at 8 fps.
  await runFfmpeg(['-f', 'lavfi', '-i', 'testsrc2=s=470x200:r=8:d=3', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-y', clip]);
  return clip;
}

describe('the fit of a source (real ffmpeg, SQLite, workers)', () => {
  let dir: string;
  let clip: string;
  let service: StudioService;
  let projectId: number;
  let sourceId: number;
  let cropAnalysis: number;
  let cropSignals: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'm3c-source-fit-'));
    clip = await makeWideClip(dir);
    service = new StudioService({ projectsDir: dir, mode: 'web' });
    await service.updateSettings({ geometry: GEOMETRY });
    projectId = (await service.createProject({ name: 'Wide' })).id;
    const { source, job } = await service.importSource({ projectId, path: clip });
    sourceId = source.id;
    expect((await service.waitForJob(job!.id)).state).toBe('done');
  }, 120_000);

  afterAll(async () => {
    await service?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const source = async () => (await service.openProject({ projectId })).sources[0];

  it('a new source is cropped, with its display aspect, and analysed cropped', async () => {
    const s = await source();
    expect(s.fit).toBe('crop');
    expect(s.displayAspect).toBeCloseTo(470 / 200, 3);
    expect(s.analysis?.geometry).toMatchObject({ ...GEOMETRY, fit: 'crop' });
    cropAnalysis = s.analysis!.id;
    cropSignals = (await service.getSignals({ sourceId })).signalsBase64;
    await service.saveSelection({ sourceId, params: FIXED });
  });

  it('refuses an unknown fit with a one-line usage error', async () => {
    await expect(service.setSourceFit({ sourceId, fit: 'zoom' as 'crop' })).rejects.toMatchObject({ code: 'usage' });
    expect((await source()).fit).toBe('crop');
  });

  it('a new fit is stored and analysed afresh: the cropped analysis and its selection are not used for it', async () => {
    // Changed twice at once: the first fit's analysis is cancelled (running) or runs at the second fit (queued).
    const { job: first } = await service.setSourceFit({ sourceId, fit: 'stretch' });
    const { source: padded, job } = await service.setSourceFit({ sourceId, fit: 'pad' });
    expect(padded.fit).toBe('pad');
    expect(padded.analysis).toBeNull();
    expect(job?.kind).toBe('analysis');
    if (job!.id !== first!.id) expect((await service.waitForJob(first!.id)).state).toBe('cancelled');
    // Until the padded analysis exists there are no signals to show: not the cropped ones.
    if ((await source()).analysis === null) await expect(service.getSignals({ sourceId })).rejects.toMatchObject({ code: 'usage' });
    expect((await service.waitForJob(job!.id)).state).toBe('done');
    const s = await source();
    expect(s.fit).toBe('pad');
    expect(s.analysis?.geometry.fit).toBe('pad');
    expect(s.analysis?.id).not.toBe(cropAnalysis);
    expect((await service.getSignals({ sourceId })).signalsBase64).not.toBe(cropSignals);
    expect(await service.getSelection({ sourceId })).toBeNull();
    // Stored: a second process opening the database sees the fit.
    const store = openStore(path.join(dir, 'studio.db'));
    try {
      expect(store.getSource(sourceId)?.fit).toBe('pad');
      const key = { sourceId, embedderId: s.analysis!.embedderId, flowId: s.analysis!.flowId };
      expect(store.getAnalysis({ ...key, geometry: fitted('stretch') })).toBeUndefined();
      expect(store.getAnalysis({ ...key, geometry: fitted('pad') })?.id).toBe(s.analysis!.id);
    } finally {
      store.close();
    }
  }, 120_000);

  it("pictures come from the fit's own cache: padded ones have bars, a named fit gets its own", async () => {
    const padded = await service.resolveMedia(`thumb/${sourceId}/2`);
    const cropped = await service.resolveMedia(`thumb/${sourceId}/2/crop`);
    if (padded.kind !== 'file' || cropped.kind !== 'file') throw new Error('thumbnails are files');
    expect(padded.path).not.toBe(cropped.path);
    const p = await readJpeg(padded.path, 160, 100);
    const c = await readJpeg(cropped.path, 160, 100);
    // 160x100 thumbnail of a 2.35:1 picture padded into 1.6:1: about 16 rows of black above it.
    expect(rowsMean(p, 0, 10)).toBeLessThan(20);
    expect(rowsMean(c, 0, 10)).toBeGreaterThan(40);
    const preview = await service.resolveMedia(`preview/${sourceId}/2`);
    if (preview.kind !== 'file') throw new Error('previews are files');
    expect(rowsMean(await readJpeg(preview.path, GEOMETRY.width, GEOMETRY.height), 0, 8)).toBeLessThan(20);
  }, 60_000);

  it('encode codes the padded frames, and the decode compares them with the padded source', async () => {
    const enc = await service.waitForJob((await service.startEncode({ sourceId, keyframeCodec: 'classical' })).id);
    expect(enc.state, JSON.stringify(enc.error)).toBe('done');
    const info = (await service.listEncodes({ projectId })).find((e) => e.id === enc.encodeId)!;
    expect(info.params?.fit).toBe('pad');
    // The encode used the stored padded analysis: no analysis stage ran.
    expect(info.frameCount).toBe((await source()).analysis?.frameCount);

    const dec = await service.waitForJob((await service.startDecode({ encodeId: info.id })).id);
    expect(dec.state, JSON.stringify(dec.error)).toBe('done');
    const cmp = await service.getComparison({ encodeId: info.id });
    expect(cmp.originalVideo).toBe(`original/${sourceId}/pad`);
    const recon = await service.resolveMedia(cmp.reconstructedVideo);
    if (recon.kind !== 'file') throw new Error('the reconstruction is a file');
    const frames: RgbFrame[] = [];
    for await (const f of readVideoFrames(recon.path, { maxFrames: 1 })) frames.push(f);
    // The bars were coded: 13 of 80 rows are black above the picture.
    expect(rowsMean(frames[0], 0, 8)).toBeLessThan(25);
    expect(rowsMean(frames[0], 20, 60)).toBeGreaterThan(40);
    // Compared with the source padded as it was coded: read cropped, the same reconstruction scores far lower.
    const asCropped = await evaluateVideos(clip, recon.path, fitted('crop'));
    expect(cmp.meanPsnr).toBeGreaterThan(asCropped.psnr + 3);
    const asPadded = await evaluateVideos(clip, recon.path, fitted('pad'));
    expect(cmp.meanPsnr).toBeCloseTo(asPadded.psnr, 3);
  }, 180_000);

  it('going back to a fit that has an analysis uses it again, with its selection, and queues nothing', async () => {
    const { source: back, job } = await service.setSourceFit({ sourceId, fit: 'crop' });
    expect(job).toBeNull();
    expect(back.analysis?.id).toBe(cropAnalysis);
    expect((await service.getSignals({ sourceId })).signalsBase64).toBe(cropSignals);
    expect((await service.getSelection({ sourceId }))?.params).toMatchObject({ strategy: 'fixed', fixedInterval: 4 });
  });
});

describe('schema 6 on a database from before the fit', () => {
  it('keeps every analysis (as cropped) and its selections, and lets another fit sit beside it', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'm3c-fit-migrate-'));
    try {
      const file = path.join(dir, 'old.db');
      const g = { width: 64, height: 40, fpsNum: 4, fpsDen: 1 };
      const key = { embedderId: 'e', flowId: 'f' };
      openStore(file, { migrations: MIGRATIONS.slice(0, 5) }).close();
      // Rows as the code of schema 5 wrote them.
      const raw = new Database(file);
      raw.exec(`INSERT INTO projects (id, name, created_at, updated_at) VALUES (1, 'old', 0, 0);
        INSERT INTO sources (id, project_id, path, probe_json, content_sha256, added_at) VALUES (1, 1, '/v.mp4', '{}', '${'a'.repeat(64)}', 0);
        INSERT INTO analyses (id, source_id, width, height, fps_num, fps_den, embedder_id, flow_id, frame_count, signals, created_at)
          VALUES (5, 1, 64, 40, 4, 1, 'e', 'f', 3, x'010203', 0);
        INSERT INTO selections (analysis_id, params_json, keyframes_json, overrides_json, created_at) VALUES (5, '{}', '[0]', 'null', 0);`);
      raw.close();
      const s = { id: 1 };
      const a = { id: 5 };

      const store = openStore(file);
      try {
        expect(store.schemaVersion).toBe(MIGRATIONS.length);
        expect(store.getSource(s.id)?.fit).toBe('crop');
        const kept = store.getAnalysis({ sourceId: s.id, geometry: g, ...key });
        expect(kept).toMatchObject({ id: a.id, geometry: { ...g, fit: 'crop' }, signals: new Uint8Array([1, 2, 3]) });
        expect(store.listSelections(a.id)).toHaveLength(1);
        expect(store.getAnalysis({ sourceId: s.id, geometry: { ...g, fit: 'pad' }, ...key })).toBeUndefined();
        const padded = store.saveAnalysis({ sourceId: s.id, geometry: { ...g, fit: 'pad' }, ...key, frameCount: 3, signals: new Uint8Array([9]) });
        expect(padded.id).not.toBe(a.id);
        expect(store.getAnalysis({ sourceId: s.id, geometry: g, ...key })?.signals).toEqual(new Uint8Array([1, 2, 3]));
        // Foreign keys are on again after the step: a selection of no analysis is refused.
        expect(() => store.saveSelection({ analysisId: 9999, params: {}, keyframes: [0], overrides: null })).toThrow();
      } finally {
        store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('m3c analyze --fit', () => {
  let dir: string;
  let clip: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'm3c-fit-cli-'));
    clip = await makeWideClip(dir);
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('analyses with the fit asked for, and refuses an unknown one with a usage error', async () => {
    const args = [clip, '--width', '64', '--height', '40', '--fps', '4', '--strategy', 'fixed', '--interval', '4', '--json'];
    const pad = await runCli(['analyze', ...args, '--fit', 'pad']);
    expect(pad.code, pad.stderr).toBe(0);
    const crop = await runCli(['analyze', ...args]);
    expect(crop.code, crop.stderr).toBe(0);
    const p = pad.json<{ fit: string; signals: { semantic: number[] } }>();
    const c = crop.json<{ fit: string; signals: { semantic: number[] } }>();
    expect([p.fit, c.fit]).toEqual(['pad', 'crop']);
    expect(p.signals.semantic).not.toEqual(c.signals.semantic);
    const bad = await runCli(['analyze', ...args, '--fit', 'zoom']);
    expect(bad.code).toBe(EXIT_CODES.usage);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain('--fit must be one of crop, pad, stretch');
  }, 120_000);
});
