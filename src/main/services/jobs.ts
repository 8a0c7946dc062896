/**
 * The studio's job queue: long work (analysis, encode, decode, describe) runs one job at a time by default,
 * each with progress, an ETA per stage and cancellation. Listeners see every change as a JobInfo snapshot.
 */
import { M3cError, isAbortError } from '../../shared/engine/errors.ts';
import { etaSeconds, type ProgressEvent } from '../../shared/engine/progress.ts';
import type { ApiError, JobInfo, JobKind } from '../../shared/api/contract.ts';
import { toApiErrorValue } from './errors.ts';

export interface JobContext {
  readonly signal: AbortSignal;
  progress(event: ProgressEvent): void;
  /** Records the encode a job created, so clients can link the job to the library. */
  setEncodeId(id: number): void;
}

export interface JobSpec {
  readonly kind: JobKind;
  readonly projectId: number;
  readonly sourceId: number;
  readonly encodeId?: number | null;
  /** Relative weight of each stage in the overall fraction; stages not listed count as 1. */
  readonly stageWeights?: Readonly<Record<string, number>>;
  run(ctx: JobContext): Promise<void>;
}

interface Job {
  info: JobInfo;
  readonly spec: JobSpec;
  readonly controller: AbortController;
  stageStartedAt: number;
  /** Sum of weights of stages already left behind. */
  finishedWeight: number;
}

export type JobListener = (job: JobInfo, finished: boolean) => void;

const PROGRESS_INTERVAL_MS = 100;

export class JobQueue {
  private readonly jobs = new Map<string, Job>();
  private readonly waiting: Job[] = [];
  private running = 0;
  private nextId = 1;
  private readonly lastEmit = new Map<string, number>();

  constructor(
    private readonly listener: JobListener,
    private readonly concurrency = 1,
  ) {}

  enqueue(spec: JobSpec): JobInfo {
    const id = `job-${this.nextId++}`;
    const job: Job = {
      info: {
        id,
        kind: spec.kind,
        projectId: spec.projectId,
        sourceId: spec.sourceId,
        encodeId: spec.encodeId ?? null,
        state: 'queued',
        stage: 'queued',
        done: 0,
        total: 0,
        fraction: 0,
        etaSeconds: null,
        createdAt: Date.now(),
        startedAt: null,
        finishedAt: null,
        error: null,
      },
      spec,
      controller: new AbortController(),
      stageStartedAt: 0,
      finishedWeight: 0,
    };
    this.jobs.set(id, job);
    this.waiting.push(job);
    this.listener(job.info, false);
    this.pump();
    return job.info;
  }

  list(): JobInfo[] {
    return [...this.jobs.values()].map((j) => j.info);
  }

  get(id: string): JobInfo | undefined {
    return this.jobs.get(id)?.info;
  }

  /** Cancels a queued job at once; a running one stops at its next cancellation point. */
  cancel(id: string): JobInfo {
    const job = this.jobs.get(id);
    if (!job) throw new M3cError('input', `there is no job ${id}`);
    if (job.info.state === 'queued') {
      this.waiting.splice(this.waiting.indexOf(job), 1);
      job.controller.abort();
      this.settle(job, 'cancelled', { code: 'cancelled', message: 'cancelled before it started' });
    } else if (job.info.state === 'running') {
      job.controller.abort();
    }
    return job.info;
  }

  /** Cancels everything and waits for running jobs to stop. */
  async shutdown(): Promise<void> {
    const running = [...this.jobs.values()].filter((j) => j.info.state === 'running' || j.info.state === 'queued');
    for (const j of running) this.cancel(j.info.id);
    const deadline = Date.now() + 10_000;
    while (this.running > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  }

  /** Resolves when the job is done, failed or cancelled. */
  whenSettled(id: string): Promise<JobInfo> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const info = this.jobs.get(id)?.info;
        if (!info) return reject(new M3cError('input', `there is no job ${id}`));
        if (info.state === 'done' || info.state === 'failed' || info.state === 'cancelled') resolve(info);
        else setTimeout(check, 20);
      };
      check();
    });
  }

  private pump(): void {
    while (this.running < this.concurrency && this.waiting.length > 0) {
      const job = this.waiting.shift()!;
      this.running++;
      void this.start(job).finally(() => {
        this.running--;
        this.pump();
      });
    }
  }

  private async start(job: Job): Promise<void> {
    const now = Date.now();
    job.stageStartedAt = now;
    job.info = { ...job.info, state: 'running', stage: 'starting', startedAt: now };
    this.listener(job.info, false);
    const ctx: JobContext = {
      signal: job.controller.signal,
      progress: (e) => this.progress(job, e),
      setEncodeId: (encodeId) => {
        job.info = { ...job.info, encodeId };
        this.listener(job.info, false);
      },
    };
    try {
      await job.spec.run(ctx);
      if (job.controller.signal.aborted) this.settle(job, 'cancelled', { code: 'cancelled', message: 'cancelled' });
      else this.settle(job, 'done', null);
    } catch (e) {
      if (job.controller.signal.aborted || isAbortError(e)) this.settle(job, 'cancelled', { code: 'cancelled', message: 'cancelled' });
      else this.settle(job, 'failed', toApiErrorValue(e));
    }
  }

  private progress(job: Job, e: ProgressEvent): void {
    if (job.info.state !== 'running') return;
    const weights = job.spec.stageWeights ?? {};
    const weightOf = (s: string): number => weights[s] ?? 1;
    const now = Date.now();
    if (e.stage !== job.info.stage) {
      if (job.info.stage !== 'starting') job.finishedWeight += weightOf(job.info.stage);
      job.stageStartedAt = now;
    }
    const totalWeight = Object.values(weights).reduce((a, b) => a + b, 0) || 1;
    const within = e.total > 0 ? Math.min(1, e.done / e.total) : 0;
    const fraction = Math.min(1, (job.finishedWeight + within * weightOf(e.stage)) / totalWeight);
    job.info = {
      ...job.info,
      stage: e.stage,
      done: e.done,
      total: e.total,
      fraction: Object.keys(weights).length > 0 ? fraction : within,
      etaSeconds: etaSeconds(now - job.stageStartedAt, e.done, e.total) ?? null,
    };
    // Frames arrive faster than a UI can use them; progress is throttled, stage changes are not.
    const last = this.lastEmit.get(job.info.id) ?? 0;
    if (now - last >= PROGRESS_INTERVAL_MS || e.done === e.total) {
      this.lastEmit.set(job.info.id, now);
      this.listener(job.info, false);
    }
  }

  private settle(job: Job, state: 'done' | 'failed' | 'cancelled', error: ApiError | null): void {
    job.info = {
      ...job.info,
      state,
      error,
      finishedAt: Date.now(),
      etaSeconds: null,
      fraction: state === 'done' ? 1 : job.info.fraction,
    };
    this.lastEmit.delete(job.info.id);
    this.listener(job.info, true);
  }
}
