/**
 * The studio's job queue: long work (analysis, encode, decode, describe) runs one job at a time by default,
 * each with progress, an ETA per stage and cancellation. Listeners see every change as a JobInfo snapshot.
 *
 * Two lanes: describe jobs (which wait on an LMM server) have their own slot, so a slow or stuck server
 * never holds the slot an encode, decode or analysis needs. Order per source is kept across lanes: a job
 * does not start while a job of the same source enqueued before it (in the other lane) is unfinished,
 * so an encode queued after a describe of its source still gets that describe's texts. Finished jobs are
 * kept for listing up to MAX_FINISHED_JOBS; older finished ones are forgotten, and clearFinished forgets them all.
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
  /** Enqueue order, for the per-source ordering across lanes. */
  readonly seq: number;
  readonly spec: JobSpec;
  readonly controller: AbortController;
  stageStartedAt: number;
  /** Sum of weights of stages already left behind. */
  finishedWeight: number;
}

export type JobListener = (job: JobInfo, finished: boolean) => void;

const PROGRESS_INTERVAL_MS = 100;
/** Finished (done, failed, cancelled) jobs kept in the job list; older ones are pruned. */
export const MAX_FINISHED_JOBS = 200;

type Lane = 'compute' | 'lmm';
const laneOf = (kind: JobKind): Lane => (kind === 'describe' ? 'lmm' : 'compute');
const isFinished = (info: JobInfo): boolean => info.state === 'done' || info.state === 'failed' || info.state === 'cancelled';

export interface JobQueueOptions {
  /** Describe jobs run at once, in their own lane (default 1). */
  readonly lmmConcurrency?: number;
  /** Finished jobs kept (default MAX_FINISHED_JOBS). */
  readonly maxFinished?: number;
}

export class JobQueue {
  private readonly jobs = new Map<string, Job>();
  private readonly waiting: Job[] = [];
  private running = 0;
  private readonly runningIn: Record<Lane, number> = { compute: 0, lmm: 0 };
  private nextId = 1;
  private readonly lastEmit = new Map<string, number>();
  private readonly settledWaiters = new Map<string, Array<(info: JobInfo) => void>>();
  private readonly lmmConcurrency: number;
  private readonly maxFinished: number;

  constructor(
    private readonly listener: JobListener,
    private readonly concurrency = 1,
    options: JobQueueOptions = {},
  ) {
    this.lmmConcurrency = Math.max(1, options.lmmConcurrency ?? 1);
    this.maxFinished = Math.max(0, options.maxFinished ?? MAX_FINISHED_JOBS);
  }

  enqueue(spec: JobSpec): JobInfo {
    const seq = this.nextId++;
    const id = `job-${seq}`;
    const job: Job = {
      seq,
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

  /** Forgets every finished job (done, failed, cancelled) and answers their ids; queued and running jobs stay. */
  clearFinished(): string[] {
    const cleared: string[] = [];
    for (const [id, j] of this.jobs) {
      if (!isFinished(j.info)) continue;
      this.jobs.delete(id);
      cleared.push(id);
    }
    return cleared;
  }

  /** Cancels a queued job at once; a running one stops at its next cancellation point. */
  cancel(id: string): JobInfo {
    const job = this.jobs.get(id);
    if (!job) throw new M3cError('input', `there is no job ${id}`);
    if (job.info.state === 'queued') {
      this.waiting.splice(this.waiting.indexOf(job), 1);
      job.controller.abort();
      this.settle(job, 'cancelled', { code: 'cancelled', message: 'cancelled before it started' });
      // A job of the same source in the other lane may have been waiting for this one.
      this.pump();
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

  /** Resolves when the job is done, failed or cancelled (also when it is pruned from the list later). */
  whenSettled(id: string): Promise<JobInfo> {
    const info = this.jobs.get(id)?.info;
    if (!info) return Promise.reject(new M3cError('input', `there is no job ${id}`));
    if (isFinished(info)) return Promise.resolve(info);
    return new Promise((resolve) => {
      const list = this.settledWaiters.get(id) ?? [];
      list.push(resolve);
      this.settledWaiters.set(id, list);
    });
  }

  private pump(): void {
    for (let i = 0; i < this.waiting.length; ) {
      const job = this.waiting[i];
      const lane = laneOf(job.spec.kind);
      const limit = lane === 'lmm' ? this.lmmConcurrency : this.concurrency;
      if (this.runningIn[lane] >= limit || this.waitsForEarlier(job)) {
        i++;
        continue;
      }
      this.waiting.splice(i, 1);
      this.running++;
      this.runningIn[lane]++;
      void this.start(job).finally(() => {
        this.running--;
        this.runningIn[lane]--;
        this.pump();
      });
    }
  }

  /** True while a job of the same source, enqueued earlier in the other lane, is still queued or running. */
  private waitsForEarlier(job: Job): boolean {
    const lane = laneOf(job.spec.kind);
    for (const other of this.jobs.values()) {
      if (other.seq >= job.seq) break;
      if (other.info.sourceId === job.info.sourceId && laneOf(other.spec.kind) !== lane && !isFinished(other.info)) return true;
    }
    return false;
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
    const waiters = this.settledWaiters.get(job.info.id) ?? [];
    this.settledWaiters.delete(job.info.id);
    for (const resolve of waiters) resolve(job.info);
    this.prune();
  }

  /** Forgets the oldest finished jobs beyond maxFinished (the map keeps enqueue order). */
  private prune(): void {
    let finished = 0;
    for (const j of this.jobs.values()) if (isFinished(j.info)) finished++;
    for (const [id, j] of this.jobs) {
      if (finished <= this.maxFinished) break;
      if (!isFinished(j.info)) continue;
      this.jobs.delete(id);
      finished--;
    }
  }
}
