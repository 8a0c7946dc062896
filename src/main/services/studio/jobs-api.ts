/** Jobs: encode and decode (with comparison) queued to worker threads, the job list, and the library of encodes. */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { M3cError } from '../../../shared/engine/errors.ts';
import type { EncodeInfo, EncodeParams, JobInfo, KeyframeCodecKind } from '../../../shared/api/contract.ts';
import { DEFAULT_SELECTION } from '../../../shared/keyframes/index.ts';
import type { EncodeRecord } from '../../store/index.ts';
import { DEFAULT_DENOISER_STEPS, MAX_DENOISER_STEPS } from '../../codecs/learned/index.ts';
import { runInWorker } from '../run-in-worker.ts';
import type { DecodeOutcome } from '../worker-tasks.ts';
import * as v from '../validate.ts';
import type { StudioContext } from './context.ts';
import type { DialogueApi } from './dialogue-api.ts';

/** What a finished encode stores as its metrics (the CLI's `encode --project` writes the same shape). */
export interface EncodeMetrics {
  readonly bpp: number;
  readonly kbps: number;
  readonly frameCount: number;
  readonly durationSec: number;
  readonly keyframes: number[];
}

export class JobsApi {
  constructor(
    private readonly ctx: StudioContext,
    private readonly dialogue: DialogueApi,
  ) {}

  async startEncode(p: Record<string, unknown>): Promise<JobInfo> {
    const source = this.ctx.requireSource(v.id(p, 'sourceId'));
    const mode = p.mode === undefined ? 'interpolation' : v.oneOf(p, 'mode', ['interpolation', 'prediction'] as const);
    const keyframeBudgetBytes = v.optInt(p, 'keyframeBudgetBytes', 16, 1_000_000) ?? null;
    const codecs = this.ctx.keyframeCodecsInfo();
    const keyframeCodec: KeyframeCodecKind = p.keyframeCodec === undefined ? codecs.default : v.oneOf(p, 'keyframeCodec', ['learned', 'classical'] as const);
    if (keyframeCodec === 'learned' && codecs.learnedUnavailable) throw new M3cError('model', codecs.learnedUnavailable);
    const denoiserSteps = v.optInt(p, 'denoiserSteps', 0, MAX_DENOISER_STEPS) ?? DEFAULT_DENOISER_STEPS;
    const geometry = this.ctx.geometryOf(source.projectId);
    const analysis = this.ctx.analysisOf(source);
    const saved = analysis ? this.ctx.latestSelection(analysis, source.id) : null;
    const selection = saved?.params ?? DEFAULT_SELECTION;
    const params: EncodeParams = { selection, mode, keyframeBudgetBytes, geometry, keyframeCodec, denoiserSteps };
    const modelsDir = this.ctx.modelsDir;
    return this.ctx.jobs.enqueue({
      kind: 'encode',
      projectId: source.projectId,
      sourceId: source.id,
      stageWeights: analysis ? { 'keyframe coding': 1 } : { analysis: 3, 'keyframe coding': 1 },
      run: async (ctx) => {
        const dir = path.join(this.ctx.projectDir(source.projectId), 'encodes');
        await mkdir(dir, { recursive: true });
        const output = path.join(dir, `source-${source.id}-${Date.now().toString(36)}.m3c`);
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
              selection,
              mode,
              keyframeBudgetBytes,
              keyframeCodec,
              modelsDir,
              descriptions: this.dialogue.descriptionsFile(source.id),
              signals: analysis?.signals ?? null,
            },
            { signal: ctx.signal, onProgress: ctx.progress },
          );
          const metrics: EncodeMetrics = { bpp: r.bpp, kbps: r.kbps, frameCount: r.frameCount, durationSec: r.durationSec, keyframes: r.keyframes };
          this.ctx.store.finishEncode(encodeId, { bytes: r.bytes, metrics: { ...metrics, sections: r.sections, timings: r.timings } });
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
    const e = this.ctx.requireEncode(v.id(p, 'encodeId'));
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
        const out = this.ctx.reconstructionPath(e);
        const r = await runInWorker({ kind: 'decode', m3cPath: e.path, output: out, reference: source.path, denoiserSteps, modelsDir }, { signal: ctx.signal, onProgress: ctx.progress });
        await writeFile(this.ctx.comparisonPath(e), JSON.stringify(r));
        this.ctx.emit({ type: 'encodes-changed', projectId: e.projectId });
      },
    });
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

  async readComparison(e: EncodeRecord): Promise<DecodeOutcome | null> {
    try {
      return JSON.parse(await readFile(this.ctx.comparisonPath(e), 'utf8')) as DecodeOutcome;
    } catch {
      return null;
    }
  }

  private async encodeInfo(e: EncodeRecord): Promise<EncodeInfo> {
    const m = (e.metrics ?? null) as EncodeMetrics | null;
    const cmp = e.status === 'done' ? await this.readComparison(e) : null;
    return {
      id: e.id,
      projectId: e.projectId,
      sourceId: e.sourceId,
      status: e.status,
      bytes: e.bytes,
      bpp: m?.bpp ?? null,
      kbps: m?.kbps ?? null,
      frameCount: m?.frameCount ?? null,
      keyframes: m?.keyframes ?? [],
      psnr: cmp?.meanPsnr ?? null,
      msssim: cmp?.meanMsssim ?? null,
      params: (e.params ?? null) as EncodeParams | null,
      startedAt: e.startedAt,
      finishedAt: e.finishedAt,
      error: e.error,
      hasReconstruction: cmp !== null && existsSync(this.ctx.reconstructionPath(e)),
    };
  }

  async listEncodes(p: Record<string, unknown>): Promise<EncodeInfo[]> {
    const projectId = v.id(p, 'projectId');
    this.ctx.requireProject(projectId);
    const sourceId = p.sourceId === undefined ? undefined : v.id(p, 'sourceId');
    return Promise.all(this.ctx.store.listEncodes({ projectId, sourceId }).map((e) => this.encodeInfo(e)));
  }

  async deleteEncode(p: Record<string, unknown>): Promise<{ deleted: boolean }> {
    const e = this.ctx.store.getEncode(v.id(p, 'encodeId'));
    if (!e) return { deleted: false };
    const deleted = this.ctx.store.deleteEncode(e.id);
    for (const f of [e.path, this.ctx.reconstructionPath(e), this.ctx.comparisonPath(e)]) await rm(f, { force: true });
    this.ctx.emit({ type: 'encodes-changed', projectId: e.projectId });
    return { deleted };
  }
}
