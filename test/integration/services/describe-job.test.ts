/**
 * The studio's describe job as a worker task: each description reaches main (saved, announced) as soon as it
 * is finished, progress is reported, and cancelling ends the dialogue in the worker with its transcripts
 * closed in the project database. The LMM is the OpenAI-compatible test double.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StudioService } from '../../../src/main/services/studio-service.ts';
import type { JobInfo, StudioEvent } from '../../../src/shared/api/contract.ts';
import { HAS_MEDIA } from '../../helpers/media.ts';
import { FIXED_20, openBikesStudio, type BikesStudio } from '../../helpers/studio.ts';
import { OpenAiTestDouble, imagesOf, lastPrompt } from '../../helpers/openai-test-double.ts';


describe.skipIf(!HAS_MEDIA)('the describe job in a worker thread (real ffmpeg, SQLite, LMM test double)', () => {
  let studio: BikesStudio;
  let service: StudioService;
  let lmm: OpenAiTestDouble;
  let sourceId: number;
  let events: StudioEvent[] = [];

  beforeAll(async () => {
    studio = await openBikesStudio({ prefix: 'm3c-describe-job-', project: 'Describe', selection: FIXED_20 });
    ({ service, sourceId } = studio);
    events = studio.events;
    expect((await service.getSelection({ sourceId }))?.keyframes).toEqual([0, 20]);
    lmm = await OpenAiTestDouble.start({ models: ['vlm-test'] });
    await service.updateSettings({ lmm: { baseUrl: lmm.baseUrl, model: 'vlm-test' } });
  });

  afterAll(async () => {
    await studio?.close();
    await lmm?.close();

  });

  const isClip2 = (body: { messages: { role: string; content: unknown }[] }): boolean => JSON.stringify(body.messages[1]).includes('(clip 2 of 2)');

  it('saves each description as it is finished, reports progress, and cancels with the transcripts closed', async () => {
    // The last clip's dialogue never gets an answer: the job can only end by cancellation.
    lmm.respond = (req, n) => (isClip2(req.body) ? { kind: 'hang' } : { kind: 'answer', text: `answer ${n}` });
    const from = events.length;
    const job = await service.describe({ sourceId });
    const arrived = (kind: string, frame: number): boolean =>
      events.slice(from).some((e) => e.type === 'description-updated' && e.description.itemKind === kind && e.description.frameIndex === frame);
    for (let i = 0; i < 400 && !(arrived('clip', 0) && arrived('keyframe', 20) && lmm.chatRequests.some((r) => isClip2(r.body))); i++) {
      await new Promise((r) => setTimeout(r, 25));
    }
    expect((await service.listJobs()).find((j) => j.id === job.id)?.state).toBe('running');
    const saved = await service.listDescriptions({ sourceId });
    expect(saved.filter((d) => d.origin === 'lmm').map((d) => `${d.itemKind}:${d.frameIndex}`).sort()).toEqual(['clip:0', 'keyframe:0', 'keyframe:20']);
    expect(saved.every((d) => d.stale === false)).toBe(true);
    const progress = events.slice(from).filter((e): e is Extract<StudioEvent, { type: 'job-progress' }> => e.type === 'job-progress' && e.job.id === job.id);
    expect(progress.some((e) => e.job.stage === 'describing' && e.job.total === 2)).toBe(true);

    await service.cancelJob({ jobId: job.id });
    const settled: JobInfo = await service.waitForJob(job.id);
    expect(settled.state).toBe('cancelled');
    const clip2 = await service.getDialogue({ sourceId, itemKind: 'clip', itemIndex: 1 });
    expect(clip2.map((t) => t.status)).toEqual(['cancelled']);
    const keyframe2 = await service.getDialogue({ sourceId, itemKind: 'keyframe', itemIndex: 1 });
    expect(keyframe2.map((t) => t.status)).toEqual(['done']);
  });

  it('re-describes a chosen clip from its sampled frames only, afresh', async () => {
    lmm.respond = (_req, n) => ({ kind: 'answer', text: `fresh ${n}` });
    const before = lmm.chatRequests.length;
    const job = await service.describe({ sourceId, items: [{ kind: 'clip', index: 1 }] });
    const done = await service.waitForJob(job.id);
    expect(done.state, JSON.stringify(done.error)).toBe('done');
    const asked = lmm.chatRequests.slice(before);
    expect(asked).toHaveLength(2);
    // Clip 1 spans frames 20-39: 4 frames shown (20, 26, 33, 39).
    expect(imagesOf(asked[0].body.messages[1])).toHaveLength(4);
    const clip = (await service.listDescriptions({ sourceId })).find((d) => d.itemKind === 'clip' && d.frameIndex === 20);
    expect(clip).toMatchObject({ origin: 'lmm', stale: false });
    expect(clip?.text).toMatch(/^fresh /);
  });

  it('with regions, the grounding answers become tracked LMM regions of their clips; hand regions and refused answers leave the rest', async () => {
    const hand = await service.addRegion({ sourceId, region: { frames: [3, 6], box: [0.6, 0.6, 0.2, 0.2], label: 'sign' } });
    const grounded = (box: number[], label: string) => ({ kind: 'answer' as const, text: JSON.stringify({ regions: [{ box, label, weight: 3 }] }) });
    lmm.respond = (req, n) => {
      if (!/keep them sharpest/.test(lastPrompt(req.body))) return { kind: 'answer', text: `answer ${n}` };
      return JSON.stringify(req.body.messages[1]).includes('keyframe 1 of') ? grounded([0.3, 0.3, 0.25, 0.3], 'bike') : grounded([0.1, 0.2, 0.3, 0.3], 'rider');
    };
    const from = events.length;
    const job = await service.describe({ sourceId, regions: true });
    const done = await service.waitForJob(job.id);
    expect(done.state, JSON.stringify(done.error)).toBe('done');
    expect(events.slice(from).some((e) => e.type === 'regions-changed' && e.sourceId === sourceId)).toBe(true);
    const all = await service.listRegions({ sourceId });
    const lmmRows = all.filter((r) => r.source === 'lmm');
    // Each clip's box, tracked: rows cover clip 0 (0-19) and clip 1 (20-39) without gaps, one track per box.
    const clip = (label: string) => lmmRows.filter((r) => r.label === label).sort((a, b) => a.frames[0] - b.frames[0]);
    for (const [label, first, last] of [['bike', 0, 19], ['rider', 20, 39]] as const) {
      const rows = clip(label);
      expect(rows[0].frames[0]).toBe(first);
      expect(rows[rows.length - 1].frames[1]).toBe(last);
      expect(new Set(rows.map((r) => r.track)).size).toBe(1);
      expect(rows.every((r) => r.weight === 3)).toBe(true);
    }
    expect(clip('bike')[0].box[0]).toBeCloseTo(0.3, 1);
    expect(clip('bike')[0].box[2]).toBeCloseTo(0.25, 9);
    expect(all.filter((r) => r.source === 'hand').map((r) => r.id)).toEqual(hand.map((r) => r.id));

    // Re-run afresh (chosen items skip the cache): keyframe 1's grounding is refused this time, so its clip keeps
    // the boxes it had; keyframe 2's are replaced.
    lmm.respond = (req, n) => {
      if (!/keep them sharpest/.test(lastPrompt(req.body))) return { kind: 'answer', text: `answer ${n}` };
      return JSON.stringify(req.body.messages[1]).includes('keyframe 1 of') ? { kind: 'answer', text: 'The bike.' } : grounded([0.5, 0.5, 0.3, 0.3], 'dog');
    };
    const again = await service.waitForJob((await service.describe({ sourceId, regions: true, items: [{ kind: 'keyframe', index: 0 }, { kind: 'keyframe', index: 1 }] })).id);
    expect(again.state, JSON.stringify(again.error)).toBe('done');
    const labels = new Set((await service.listRegions({ sourceId })).filter((r) => r.source === 'lmm').map((r) => r.label));
    expect([...labels].sort()).toEqual(['bike', 'dog']);
    const transcript = (await service.getDialogue({ sourceId, itemKind: 'keyframe', itemIndex: 0 })).at(-1)!;
    expect(transcript.status).toBe('done');
    expect(transcript.rounds.map((r) => r.template)).toEqual(['keyframe-objects', 'keyframe-differences-first', 'keyframe-details', 'keyframe-summary', 'keyframe-regions']);
    expect(transcript.rounds[4]).toMatchObject({ answer: '', error: expect.stringMatching(/^regions answer holds no JSON object or list: the model answered "The bike\."/) });
    expect(transcript.rounds[3].error).toBeNull();
    await expect(service.describe({ sourceId, regions: 'yes' } as never)).rejects.toMatchObject({ code: 'usage' });
  }, 120_000);
});
