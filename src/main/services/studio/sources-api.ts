/** Sources: import by path or upload, delete, and their analysis job (signals and thumbnails). */
import { existsSync } from 'node:fs';
import { mkdir, open, rm } from 'node:fs/promises';
import path from 'node:path';
import { M3cError } from '../../../shared/engine/errors.ts';
import type { JobInfo, SignalsPayload, SourceInfo } from '../../../shared/api/contract.ts';
import { bytesToBase64 } from '../../../shared/api/base64.ts';
import type { SourceRecord } from '../../store/index.ts';
import { sha256File } from '../../pipeline/project-record.ts';
import { probe, type ProbeInfo } from '../../media/index.ts';
import { safeFileName } from '../paths.ts';
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
    const handle = await open(target, 'wx');
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
      throw e;
    }
    if (size === 0) {
      await rm(target, { force: true });
      throw new M3cError('input', 'the upload is empty');
    }
    try {
      return await this.importSource({ projectId, path: target });
    } catch (e) {
      await rm(target, { force: true });
      throw e;
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

  private enqueueAnalysis(source: SourceRecord): JobInfo {
    const { ctx } = this;
    return ctx.jobs.enqueue({
      kind: 'analysis',
      projectId: source.projectId,
      sourceId: source.id,
      stageWeights: { analysis: 9, thumbnails: 1 },
      run: async (job) => {
        const geometry = ctx.geometryOf(source.projectId);
        const r = await runInWorker({ kind: 'analysis', input: source.path, geometry, modelsDir: ctx.modelsDir }, { signal: job.signal, onProgress: job.progress });
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
