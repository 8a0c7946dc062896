import { describe, expect, it } from 'vitest';
import { JobQueue, type JobContext } from '../../../src/main/services/jobs.ts';
import { M3cError } from '../../../src/shared/engine/errors.ts';
import type { JobInfo } from '../../../src/shared/api/contract.ts';

const spec = (run: (ctx: JobContext) => Promise<void>) => ({ kind: 'encode' as const, projectId: 1, sourceId: 2, run });
const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

/** A job that reports progress until cancelled or released. */
function controllable() {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const run = async (ctx: JobContext) => {
    ctx.progress({ stage: 'work', done: 1, total: 4 });
    await Promise.race([released, new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(new M3cError('cancelled', 'cancelled'))))]);
  };
  return { run, release };
}

describe('JobQueue', () => {
  it('runs one job at a time and reports each change', async () => {
    const events: [JobInfo, boolean][] = [];
    const q = new JobQueue((j, f) => events.push([j, f]));
    const a = controllable();
    const b = controllable();
    const ja = q.enqueue(spec(a.run));
    const jb = q.enqueue(spec(b.run));
    await tick();
    expect(q.get(ja.id)?.state).toBe('running');
    expect(q.get(jb.id)?.state).toBe('queued');
    a.release();
    expect((await q.whenSettled(ja.id)).state).toBe('done');
    await tick();
    expect(q.get(jb.id)?.state).toBe('running');
    b.release();
    expect((await q.whenSettled(jb.id)).fraction).toBe(1);
    expect(events.filter(([, f]) => f).map(([j]) => j.id)).toEqual([ja.id, jb.id]);
    expect(events.some(([j]) => j.stage === 'work' && j.done === 1 && j.total === 4)).toBe(true);
  });

  it('cancels a queued job at once and a running job through its signal', async () => {
    const q = new JobQueue(() => undefined);
    const a = controllable();
    const ja = q.enqueue(spec(a.run));
    const jb = q.enqueue(spec(controllable().run));
    expect(q.cancel(jb.id).state).toBe('cancelled');
    await tick();
    q.cancel(ja.id);
    const settled = await q.whenSettled(ja.id);
    expect(settled.state).toBe('cancelled');
    expect(settled.error?.code).toBe('cancelled');
    expect(() => q.cancel('job-99')).toThrow(/no job/);
  });

  it('records failures as { code, message } and keeps going', async () => {
    const q = new JobQueue(() => undefined);
    const bad = q.enqueue(spec(async () => {
      throw new M3cError('ffmpeg', 'ffmpeg exited with status 1');
    }));
    const crash = q.enqueue(spec(async () => {
      throw new TypeError('x is undefined\n    at stack');
    }));
    const good = q.enqueue(spec(async () => undefined));
    expect((await q.whenSettled(bad.id)).error).toEqual({ code: 'ffmpeg', message: 'ffmpeg exited with status 1' });
    expect((await q.whenSettled(crash.id)).error).toEqual({ code: 'internal', message: 'internal error: x is undefined' });
    expect((await q.whenSettled(good.id)).state).toBe('done');
  });

  it('gives an ETA from the stage rate and weighs stages into one fraction', async () => {
    const seen: JobInfo[] = [];
    const q = new JobQueue((j) => seen.push(j));
    const job = q.enqueue({
      ...spec(async (ctx) => {
        ctx.progress({ stage: 'a', done: 0, total: 10 });
        await tick(60);
        ctx.progress({ stage: 'a', done: 10, total: 10 });
        ctx.progress({ stage: 'b', done: 1, total: 2 });
        await tick(120);
        ctx.progress({ stage: 'b', done: 2, total: 4 });
      }),
      stageWeights: { a: 3, b: 1 },
    });
    await q.whenSettled(job.id);
    const endOfA = seen.find((j) => j.stage === 'a' && j.done === 10);
    expect(endOfA?.fraction).toBeCloseTo(0.75, 5);
    const halfB = seen.filter((j) => j.stage === 'b' && j.state === 'running').at(-1);
    expect(halfB?.fraction).toBeCloseTo(0.875, 5);
    // 2 of 4 done in ~120 ms: about as long again.
    expect(halfB?.etaSeconds).toBeGreaterThan(0.05);
    expect(halfB?.etaSeconds).toBeLessThan(1);
  });
});
