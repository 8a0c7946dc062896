/** Issue 13, case 6 (queue part) and the unpruned job map: a describe cannot starve encodes; finished jobs are pruned. */
import { describe, expect, it } from 'vitest';
import { JobQueue, MAX_FINISHED_JOBS, type JobContext, type JobSpec } from '../../../src/main/services/jobs.ts';
import { M3cError } from '../../../src/shared/engine/errors.ts';
import type { JobKind } from '../../../src/shared/api/contract.ts';

const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

/** A job that runs until released or cancelled (a describe against a server that never answers). */
function held(kind: JobKind, sourceId: number): { spec: JobSpec; release: () => void } {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const run = async (ctx: JobContext): Promise<void> => {
    await Promise.race([released, new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(new M3cError('cancelled', 'cancelled'))))]);
  };
  return { spec: { kind, projectId: 1, sourceId, run }, release };
}

describe('JobQueue hardening', () => {
  it('runs a queued encode while a describe of another source is stuck', async () => {
    const q = new JobQueue(() => undefined);
    const stuck = held('describe', 1);
    const encode = held('encode', 2);
    const d = q.enqueue(stuck.spec);
    const e = q.enqueue(encode.spec);
    await tick();
    expect(q.get(d.id)?.state).toBe('running');
    expect(q.get(e.id)?.state).toBe('running');
    encode.release();
    expect((await q.whenSettled(e.id)).state).toBe('done');
    expect(q.get(d.id)?.state).toBe('running');
    q.cancel(d.id);
    expect((await q.whenSettled(d.id)).state).toBe('cancelled');
  });

  it('keeps one slot per lane: a second describe waits, encodes stay one at a time', async () => {
    const q = new JobQueue(() => undefined);
    const d1 = held('describe', 1);
    const d2 = held('describe', 2);
    const e1 = held('encode', 3);
    const e2 = held('encode', 4);
    const [jd1, jd2, je1, je2] = [d1, d2, e1, e2].map((h) => q.enqueue(h.spec));
    await tick();
    expect([jd1, jd2, je1, je2].map((j) => q.get(j.id)?.state)).toEqual(['running', 'queued', 'running', 'queued']);
    d1.release();
    e1.release();
    await q.whenSettled(jd1.id);
    await q.whenSettled(je1.id);
    await tick();
    expect([jd2, je2].map((j) => q.get(j.id)?.state)).toEqual(['running', 'running']);
    d2.release();
    e2.release();
    await Promise.all([q.whenSettled(jd2.id), q.whenSettled(je2.id)]);
  });

  it('keeps the order per source: an encode queued after a describe of its source waits for it', async () => {
    const q = new JobQueue(() => undefined);
    const d = held('describe', 7);
    const e = held('encode', 7);
    const other = held('analysis', 8);
    const jd = q.enqueue(d.spec);
    const je = q.enqueue(e.spec);
    const jo = q.enqueue(other.spec);
    await tick();
    expect(q.get(je.id)?.state).toBe('queued');
    // The waiting encode does not hold the compute slot: another source's analysis runs meanwhile.
    expect(q.get(jo.id)?.state).toBe('running');
    other.release();
    await q.whenSettled(jo.id);
    // Cancelling the describe lets the encode go.
    q.cancel(jd.id);
    await q.whenSettled(jd.id);
    await tick();
    expect(q.get(je.id)?.state).toBe('running');
    e.release();
    expect((await q.whenSettled(je.id)).state).toBe('done');
  });

  it(`keeps at most ${MAX_FINISHED_JOBS} finished jobs, pruning the oldest, never a running one`, async () => {
    const q = new JobQueue(() => undefined);
    const running = held('describe', 1);
    const r = q.enqueue(running.spec);
    const ids: string[] = [];
    for (let i = 0; i < MAX_FINISHED_JOBS + 50; i++) {
      const j = q.enqueue({ kind: 'analysis', projectId: 1, sourceId: 100 + i, run: async () => undefined });
      ids.push(j.id);
      await q.whenSettled(j.id);
    }
    const listed = q.list();
    expect(listed.filter((j) => j.state === 'done')).toHaveLength(MAX_FINISHED_JOBS);
    expect(q.get(ids[0])).toBeUndefined();
    expect(q.get(ids[49])).toBeUndefined();
    expect(q.get(ids[50])?.state).toBe('done');
    expect(q.get(ids.at(-1)!)?.state).toBe('done');
    expect(q.get(r.id)?.state).toBe('running');
    running.release();
    await q.whenSettled(r.id);
    expect(q.list().length).toBe(MAX_FINISHED_JOBS);
  });

  it('resolves whenSettled for a job pruned right after it finished', async () => {
    const q = new JobQueue(() => undefined, 1, { maxFinished: 0 });
    const h = held('encode', 1);
    const j = q.enqueue(h.spec);
    const settled = q.whenSettled(j.id);
    h.release();
    expect((await settled).state).toBe('done');
    expect(q.list()).toEqual([]);
  });
});
