/** Jobs: encode and decode (with comparison) queued to worker threads, the job list, and the library of encodes. */
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { M3cError } from '../../../shared/engine/errors.ts';
import type { EncodeInfo, EncodeParams, JobInfo } from '../../../shared/api/contract.ts';
import { DEFAULT_SELECTION } from '../../../shared/keyframes/index.ts';
import type { DecodeRecord, EncodeMetrics, EncodeRecord } from '../../store/index.ts';
import { DEFAULT_DENOISER_STEPS } from '../../codecs/learned/index.ts';
import type { JobContext } from '../jobs.ts';
import { runInWorker } from '../run-in-worker.ts';
import * as v from '../validate.ts';
import { checkRealism } from '../../codecs/guide-restore.ts';
import type { StudioContext } from './context.ts';
import type { DialogueApi } from './dialogue-api.ts';
import { encodeRequest, GuidedInfoReader, type StudioEncodeMetrics } from './encode-request.ts';
import { roiOfSource } from './regions-api.ts';

export class JobsApi {
  private readonly guides = new GuidedInfoReader();

  constructor(
    private readonly ctx: StudioContext,
    private readonly dialogue: DialogueApi,
  ) {}

  async startEncode(p: Record<string, unknown>): Promise<JobInfo> {
    const source = this.ctx.requireSource(v.id(p, 'sourceId'));
    const geometry = this.ctx.geometryOf(source.projectId);
    const analysis = this.ctx.analysisOf(source);
    const saved = analysis ? this.ctx.latestSelection(analysis, source.id) : null;
    const req = encodeRequest(p, saved ? saved.keyframes.length : null, this.ctx.keyframeCodecsInfo());
    const { mode, targetKbps, clipModes, keyframeBudgetBytes, keyframeCodec, denoiserSteps } = req;
    const selection = saved?.params ?? DEFAULT_SELECTION;
    // The source's fit now: the stored analysis (analysisOf) is the one made with it, and the keyframes are coded with it.
    const fit = source.fit;
    // The stored regions as they are now (a guided encode only): the encode records them for Compare.
    const stored = req.useRegions ? roiOfSource(this.ctx.store, source.id) : null;
    const roi = stored && stored.regions.length > 0 ? stored : null;
    const params: EncodeParams = {
      selection,
      mode,
      ...(targetKbps !== undefined ? { targetKbps } : {}),
      ...(clipModes ? { clipModes } : {}),
      keyframeBudgetBytes,
      geometry,
      fit,
      keyframeCodec,
      denoiserSteps,
      ...(roi ? { roi } : {}),
    };
    const coding: Record<string, number> = req.guided ? { 'guide frames': 1, 'guide search': 3, 'keyframe coding': 1 } : { 'keyframe coding': 1 };
    const modelsDir = this.ctx.modelsDir;
    return this.ctx.jobs.enqueue({
      kind: 'encode',
      projectId: source.projectId,
      sourceId: source.id,
      stageWeights: analysis ? coding : { analysis: 3, ...coding },
      run: async (ctx) => {
        await mkdir(this.ctx.layout.encodesDir(source.projectId), { recursive: true });
        const output = this.ctx.layout.newEncodeFile(source.projectId, source.id);
        const encodeId = this.ctx.store.beginEncode({ sourceId: source.id, selectionId: saved?.id ?? null, path: output, params });
        ctx.setEncodeId(encodeId);
        this.ctx.emit({ type: 'encodes-changed', projectId: source.projectId });
        try {
          const r = await runInWorker(
            {
              kind: 'encode',
              input: source.path,
              output,
              geometry,
              fit,
              selection,
              mode,
              targetKbps: targetKbps ?? null,
              clipModes: clipModes ?? null,
              keyframeBudgetBytes,
              keyframeCodec,
              modelsDir,
              descriptions: this.dialogue.descriptionsFile(source.id),
              signals: analysis?.signals ?? null,
              roi,
            },
            { signal: ctx.signal, onProgress: ctx.progress },
          );
          const metrics = encodeMetrics(r, r.guided);
          this.ctx.store.finishEncode(encodeId, { bytes: r.bytes, metrics });
        } catch (e) {
          const cancelled = ctx.signal.aborted || (e instanceof M3cError && e.code === 'cancelled');
          this.ctx.store.failEncode(encodeId, cancelled ? 'cancelled' : 'failed', cancelled ? 'cancelled' : (e as Error).message);
          await rm(output, { force: true });
          throw e;
        } finally {
          this.ctx.emit({ type: 'encodes-changed', projectId: source.projectId });
        }
      },
    });
  }

  async startDecode(p: Record<string, unknown>): Promise<JobInfo> {
    const realism = p.realism === undefined ? undefined : typeof p.realism === 'number' ? checkRealism(p.realism) : checkRealism(Number.NaN);
    return this.queueDecode(this.ctx.requireEncode(v.id(p, 'encodeId')), undefined, realism);
  }

  /** Queues the decode and comparison of a finished encode; `afterDecode` runs in the job once the decode is stored (an export). */
  /** `realism`: the fidelity/realism setting of guided files restored by the pack's model (0..1, default 0). */
  queueDecode(e: EncodeRecord, afterDecode?: (ctx: JobContext) => Promise<void>, realism = 0): JobInfo {
    if (e.status !== 'done') throw new M3cError('usage', `encode ${e.id} is ${e.status}: only a finished encode can be decoded`);
    const source = this.ctx.requireSource(e.sourceId);
    // The steps chosen at encode time: the file itself has no field for them.
    const denoiserSteps = (e.params as EncodeParams | null)?.denoiserSteps ?? DEFAULT_DENOISER_STEPS;
    const modelsDir = this.ctx.modelsDir;
    return this.ctx.jobs.enqueue({
      kind: 'decode',
      projectId: e.projectId,
      sourceId: e.sourceId,
      encodeId: e.id,
      stageWeights: { decoding: 2, evaluation: 1 },
      run: async (ctx) => {
        const { layout } = this.ctx;
        const reconPath = layout.reconstructionName(e.id);
        const out = layout.inProject(e.projectId, reconPath);
        await mkdir(path.dirname(out), { recursive: true });
        const r = await runInWorker({ kind: 'decode', m3cPath: e.path, output: out, reference: source.path, fit: this.ctx.encodeFit(e), denoiserSteps, realism, modelsDir }, { signal: ctx.signal, onProgress: ctx.progress });
        try {
          this.ctx.store.saveDecode({ encodeId: e.id, ...r, reconPath });
        } catch (err) {
          // The encode was deleted while it was being decoded: its reconstruction goes too.
          if (!this.ctx.store.getEncode(e.id)) await rm(out, { force: true });
          throw err;
        }
        try {
          await afterDecode?.(ctx);
        } finally {
          this.ctx.emit({ type: 'encodes-changed', projectId: e.projectId });
        }
      },
    });
  }

  /**
   * "Re-encode with these texts": a new encode beside `encodeId` with the same header and keyframe payloads
   * and the source's current texts (DialogueApi.descriptionsFile) coded afresh; its params name the encode it
   * came from. Refused when the keyframes or the working geometry changed since, as then more than the texts would.
   */
  async reencodeTexts(p: Record<string, unknown>): Promise<JobInfo> {
    const e = this.ctx.requireEncode(v.id(p, 'encodeId'));
    if (e.status !== 'done') throw new M3cError('usage', `encode ${e.id} is ${e.status}: only a finished encode can be re-encoded with new texts`);
    if (!existsSync(e.path)) throw new M3cError('usage', `the file of encode ${e.id} is missing from this project's encodes folder: encode the video again`);
    const source = this.ctx.requireSource(e.sourceId);
    const params = e.params as EncodeParams | null;
    const keyframes = ((e.metrics ?? {}) as Partial<EncodeMetrics>).keyframes ?? [];
    const g = this.ctx.geometryOf(source.projectId);
    const analysis = this.ctx.analysisOf(source);
    const saved = analysis ? this.ctx.latestSelection(analysis, source.id) : null;
    const sameGeometry = !!params && JSON.stringify(params.geometry) === JSON.stringify(g);
    const sameKeyframes = saved ? JSON.stringify(saved.keyframes) === JSON.stringify(keyframes) : e.selectionId === null;
    const sameFit = this.ctx.encodeFit(e) === source.fit;
    if (!analysis || !sameGeometry || !sameKeyframes || !sameFit) {
      throw new M3cError('usage', `the keyframes, the working size or the fit changed since encode ${e.id}, so more than its texts would change: encode the video again instead`);
    }
    const modelsDir = this.ctx.modelsDir;
    const newParams: EncodeParams = { ...params, reencodedFrom: e.id };
    return this.ctx.jobs.enqueue({
      kind: 'retext',
      projectId: source.projectId,
      sourceId: source.id,
      run: async (ctx) => {
        const output = this.ctx.layout.newEncodeFile(source.projectId, source.id);
        const encodeId = this.ctx.store.beginEncode({ sourceId: source.id, selectionId: e.selectionId, path: output, params: newParams });
        ctx.setEncodeId(encodeId);
        this.ctx.emit({ type: 'encodes-changed', projectId: source.projectId });
        try {
          // Read when the job starts, so a describe of the source queued before it has given its texts.
          const descriptions = this.dialogue.descriptionsFile(source.id);
          const r = await runInWorker({ kind: 'retext', m3cPath: e.path, output, descriptions, modelsDir }, { signal: ctx.signal, onProgress: ctx.progress });
          // The guide stream is kept byte for byte, and so is what was recorded of it.
          const guided = (e.metrics as Partial<StudioEncodeMetrics> | null)?.guided;
          const metrics = encodeMetrics(r, guided);
          this.ctx.store.finishEncode(encodeId, { bytes: r.bytes, metrics });
        } catch (err) {
          const cancelled = ctx.signal.aborted || (err instanceof M3cError && err.code === 'cancelled');
          this.ctx.store.failEncode(encodeId, cancelled ? 'cancelled' : 'failed', cancelled ? 'cancelled' : (err as Error).message);
          await rm(output, { force: true });
          throw err;
        } finally {
          this.ctx.emit({ type: 'encodes-changed', projectId: source.projectId });
        }
      },
    });
  }

  /** Forgets every finished job (done, failed, cancelled); queued and running ones stay. Every window hears it ('jobs-cleared'). */
  async clearFinishedJobs(): Promise<{ cleared: number }> {
    const jobIds = this.ctx.jobs.clearFinished();
    if (jobIds.length > 0) this.ctx.emit({ type: 'jobs-cleared', jobIds });
    return { cleared: jobIds.length };
  }

  async listJobs(): Promise<JobInfo[]> {
    return this.ctx.jobs.list();
  }

  async cancelJob(p: Record<string, unknown>): Promise<JobInfo> {
    return this.ctx.jobs.cancel(v.text(p, 'jobId', 100, { nonEmpty: true }));
  }

  /** Resolves when a job is done, failed or cancelled (for tests and the CLI). */
  waitForJob(jobId: string): Promise<JobInfo> {
    return this.ctx.jobs.whenSettled(jobId);
  }

  /** The stored decode of a finished encode, if it has been decoded. */
  decodeOf(e: EncodeRecord): DecodeRecord | null {
    return (e.status === 'done' && this.ctx.store.getDecode(e.id)) || null;
  }

  /** The decode's reconstruction, if the encode has been decoded and the file is there. */
  reconstructionOf(e: EncodeRecord): string | null {
    const d = this.decodeOf(e);
    const file = d && this.ctx.layout.inProject(e.projectId, d.reconPath);
    return file && existsSync(file) ? file : null;
  }

  private encodeInfo(e: EncodeRecord): EncodeInfo {
    const m = (e.metrics ?? null) as Partial<EncodeMetrics> | null;
    const cmp = this.decodeOf(e);
    return {
      id: e.id,
      projectId: e.projectId,
      sourceId: e.sourceId,
      status: e.status,
      bytes: e.bytes,
      bpp: m?.bpp ?? null,
      kbps: m?.kbps ?? null,
      frameCount: m?.frameCount ?? null,
      keyframes: [...(m?.keyframes ?? [])],
      psnr: cmp?.meanPsnr ?? null,
      msssim: cmp?.meanMsssim ?? null,
      params: (e.params ?? null) as EncodeParams | null,
      startedAt: e.startedAt,
      finishedAt: e.finishedAt,
      error: e.error,
      hasReconstruction: this.reconstructionOf(e) !== null,
      sections: m?.sections ?? null,
      guided: this.guides.of(e),
    };
  }

  async listEncodes(p: Record<string, unknown>): Promise<EncodeInfo[]> {
    const projectId = v.id(p, 'projectId');
    this.ctx.requireProject(projectId);
    const sourceId = p.sourceId === undefined ? undefined : v.id(p, 'sourceId');
    return this.ctx.store.listEncodes({ projectId, sourceId }).map((e) => this.encodeInfo(e));
  }

  async deleteEncode(p: Record<string, unknown>): Promise<{ deleted: boolean }> {
    const e = this.ctx.store.getEncode(v.id(p, 'encodeId'));
    if (!e) return { deleted: false };
    const { layout } = this.ctx;
    const decode = this.ctx.store.getDecode(e.id);
    // The row and its decode go together (ON DELETE CASCADE); then the files, including a reconstruction
    // whose decode never got its row and an old comparison file that could not be moved in.
    const deleted = this.ctx.store.deleteEncode(e.id);
    this.guides.forget(e.id);
    const files = [e.path, layout.inProject(e.projectId, layout.reconstructionName(e.id)), layout.legacyComparisonFile(e.projectId, e.id)];
    if (decode) files.push(layout.inProject(e.projectId, decode.reconPath));
    for (const f of new Set(files)) await rm(f, { force: true });
    this.ctx.emit({ type: 'encodes-changed', projectId: e.projectId });
    return { deleted };
  }
}

/** What the store keeps of a finished encode or re-encode. */
function encodeMetrics(
  r: Pick<StudioEncodeMetrics, 'bpp' | 'kbps' | 'frameCount' | 'durationSec' | 'keyframes' | 'sections' | 'timings'>,
  guided: StudioEncodeMetrics['guided'] | undefined,
): StudioEncodeMetrics {
  const { bpp, kbps, frameCount, durationSec, keyframes, sections, timings } = r;
  return { bpp, kbps, frameCount, durationSec, keyframes, sections, timings, ...(guided ? { guided } : {}) };
}
