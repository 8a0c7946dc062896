/** Sources: import by path or upload, delete, their fit into the working geometry, and their analysis job (signals and thumbnails). */
import { existsSync } from 'node:fs';
import { mkdir, open, rm } from 'node:fs/promises';
import path from 'node:path';
import { M3cError } from '../../../shared/engine/errors.ts';
import { FITS, type JobInfo, type SignalsPayload, type SourceInfo } from '../../../shared/api/contract.ts';
import { bytesToBase64 } from '../../../shared/api/base64.ts';
import type { SourceRecord } from '../../store/index.ts';
import { sha256File } from '../../pipeline/project-record.ts';
import { probe, type ProbeInfo } from '../../media/index.ts';
import { safeFileName, withFileNameOnly } from '../paths.ts';
import { runInWorker } from '../run-in-worker.ts';
import { makeAllThumbnails } from '../frames.ts';
import * as v from '../validate.ts';
import type { StudioContext } from './context.ts';

const MAX_UPLOAD_BYTES = 8 * 1024 ** 3;

export class SourcesApi {
  constructor(private readonly ctx: StudioContext) {}

  async chooseSourceFile(): Promise<{ path: string | null }> {
    const dialogs = this.ctx.options.dialogs;
    if (!dialogs) return { path: null };
    const picked = await dialogs.chooseOpenFile();
    if (picked === null) return { path: null };
    this.ctx.guard.allowFile(picked);
    return { path: picked };
  }

  async importSource(p: Record<string, unknown>): Promise<{ source: SourceInfo; job: JobInfo | null }> {
    const projectId = v.id(p, 'projectId');
    this.ctx.requireProject(projectId);
    const file = this.ctx.guard.checkFile(p.path, 'video');
    let info: ProbeInfo;
    try {
      // Refuses playlists and concat lists too (only supported containers): they would read other files.
      info = await probe(file);
    } catch (e) {
      if (e instanceof M3cError && e.code === 'ffmpeg') throw new M3cError('input', `${path.basename(file)} is not a video ffmpeg can read`);
      // The file's name, not where it lies on the server.
      if (e instanceof M3cError && e.code === 'input') throw new M3cError('input', e.message.split(file).join(path.basename(file)));
      throw e;
    }
    const contentSha256 = await sha256File(file);
    const source = this.ctx.store.addSource({ projectId, path: file, probe: info, contentSha256 });
    const job = p.analyze === false ? null : this.enqueueAnalysis(source);
    return { source: this.ctx.sourceInfo(source), job };
  }

  /** Web upload: streams the body into the project's sources folder, then imports it like a picked file. */
  async importUpload(projectId: number, name: string, body: AsyncIterable<Uint8Array>): Promise<{ source: SourceInfo; job: JobInfo | null }> {
    this.ctx.requireProject(projectId);
    const dir = this.ctx.layout.sourcesDir(projectId);
    await mkdir(dir, { recursive: true });
    const base = safeFileName(name);
    const ext = path.extname(base);
    let target = path.join(dir, base);
    for (let i = 1; existsSync(target); i++) target = path.join(dir, `${path.basename(base, ext)}-${i}${ext}`);
    // Messages name only the file: where the project keeps uploads is the server's business.
    const handle = await open(target, 'wx').catch((e: unknown) => {
      throw withFileNameOnly(e, dir);
    });
    let size = 0;
    try {
      for await (const chunk of body) {
        size += chunk.length;
        if (size > MAX_UPLOAD_BYTES) throw new M3cError('input', `the upload is larger than ${MAX_UPLOAD_BYTES / 1024 ** 3} GiB`);
        await handle.write(chunk);
      }
      await handle.close();
    } catch (e) {
      await handle.close().catch(() => undefined);
      await rm(target, { force: true });
      throw withFileNameOnly(e, dir);
    }
    if (size === 0) {
      await rm(target, { force: true });
      throw new M3cError('input', 'the upload is empty');
    }
    try {
      return await this.importSource({ projectId, path: target });
    } catch (e) {
      await rm(target, { force: true });
      throw withFileNameOnly(e, dir);
    }
  }

  async deleteSource(p: Record<string, unknown>): Promise<{ deleted: boolean }> {
    const sourceId = v.id(p, 'sourceId');
    const s = this.ctx.store.getSource(sourceId);
    if (!s) return { deleted: false };
    for (const j of this.ctx.jobs.list()) if (j.sourceId === sourceId) this.ctx.jobs.cancel(j.id);
    const deleted = this.ctx.store.deleteSource(sourceId);
    await rm(this.ctx.layout.sourceCacheDir(s.projectId, sourceId), { recursive: true, force: true });
    return { deleted };
  }

  async startAnalysis(p: Record<string, unknown>): Promise<JobInfo> {
    return this.enqueueAnalysis(this.ctx.requireSource(v.id(p, 'sourceId')));
  }

  /**
   * Stores the source's fit. Analyses are kept per fit, so one made with another fit is not used. A running
   * analysis of the source reads the fit it started with and is cancelled; a queued one reads the fit when it
   * starts. When the new fit has no analysis yet, the answer names the job that makes it (queued here if none is).
   */
  async setSourceFit(p: Record<string, unknown>): Promise<{ source: SourceInfo; job: JobInfo | null }> {
    const { ctx } = this;
    const before = ctx.requireSource(v.id(p, 'sourceId'));
    const fit = v.oneOf(p, 'fit', FITS);
    if (fit === before.fit) return { source: ctx.sourceInfo(before), job: null };
    ctx.store.setSourceFit(before.id, fit);
    const source = ctx.requireSource(before.id);
    const analyses = ctx.jobs.list().filter((j) => j.kind === 'analysis' && j.sourceId === source.id);
    for (const j of analyses) if (j.state === 'running') ctx.jobs.cancel(j.id);
    const job = ctx.analysisOf(source) ? null : (analyses.find((j) => j.state === 'queued') ?? this.enqueueAnalysis(source));
    return { source: ctx.sourceInfo(source), job };
  }

  private enqueueAnalysis(source: SourceRecord): JobInfo {
    const { ctx } = this;
    return ctx.jobs.enqueue({
      kind: 'analysis',
      projectId: source.projectId,
      sourceId: source.id,
      stageWeights: { analysis: 9, thumbnails: 1 },
      run: async (job) => {
        // The fit of the source when the job runs: the analysis is stored under it and the thumbnails match it.
        const current = ctx.requireSource(source.id);
        const geometry = ctx.workingGeometryOf(current);
        const r = await runInWorker(
          { kind: 'analysis', input: source.path, geometry, fit: current.fit, modelsDir: ctx.modelsDir },
          { signal: job.signal, onProgress: job.progress },
        );
        const a = ctx.store.saveAnalysis({ sourceId: source.id, geometry, embedderId: r.embedderId, flowId: r.flowId, frameCount: r.frameCount, signals: r.signals });
        ctx.emit({ type: 'analysis-ready', sourceId: source.id, analysis: ctx.analysisInfo(a) });
        job.progress({ stage: 'thumbnails', done: 0, total: 1 });
        const dir = ctx.layout.cacheDir(source.projectId, source.id, geometry);
        await makeAllThumbnails(source.path, source.probe as ProbeInfo, geometry, dir, job.signal);
        job.progress({ stage: 'thumbnails', done: 1, total: 1 });
      },
    });
  }

  async getSignals(p: Record<string, unknown>): Promise<SignalsPayload> {
    const source = this.ctx.requireSource(v.id(p, 'sourceId'));
    const a = this.ctx.requireAnalysis(source);
    return { sourceId: source.id, analysisId: a.id, frameCount: a.frameCount, geometry: a.geometry, signalsBase64: bytesToBase64(a.signals) };
  }
}
