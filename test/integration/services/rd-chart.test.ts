/**
 * Issue 9, point 7: the Compare view's R-D chart. The classical anchor of a source is searched as a job in a
 * worker (real ffmpeg: SVT-AV1 or libaom at reduced sizes and frame rates), kept in the project database by
 * frames and grid, and shown with the source's decoded encodes on the same axes. Real SQLite and workers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StudioEvent } from '../../../src/shared/api/contract.ts';
import type { StudioService } from '../../../src/main/services/studio-service.ts';
import { AnchorStore } from '../../../src/main/store/anchors.ts';
import { HAS_MEDIA } from '../../helpers/media.ts';
import { FIXED_20, openBikesStudio, SMALL_GEOMETRY, type BikesStudio } from '../../helpers/studio.ts';


describe.skipIf(!HAS_MEDIA)('R-D chart: encodes and the classical anchor of a source', () => {
  let studio: BikesStudio;
  let service: StudioService;
  let projectId: number;
  let sourceId: number;
  let events: StudioEvent[] = [];

  beforeAll(async () => {
    studio = await openBikesStudio({ prefix: 'm3c-rd-chart-', project: 'RD', selection: FIXED_20 });
    ({ service, projectId, sourceId } = studio);
    events = studio.events;
  }, 120_000);

  afterAll(async () => {
    await studio?.close();
  });

  it('has no anchor and no points before anything is searched or decoded', async () => {
    expect(await service.getRdChart({ sourceId })).toEqual({ sourceId, encodes: [], anchor: null });
    await expect(service.getRdChart({ sourceId: 999 })).rejects.toMatchObject({ code: 'input' });
  });

  it('searches the anchor as a job with progress, keeps it, and gives a monotone envelope per metric', async () => {
    const job = await service.startAnchorSearch({ sourceId });
    expect(job.kind).toBe('anchor');
    const done = await service.waitForJob(job.id);
    expect(done.state, JSON.stringify(done.error)).toBe('done');
    const progress = events.filter((e): e is Extract<StudioEvent, { type: 'job-progress' }> => e.type === 'job-progress' && e.job.id === job.id);
    expect(progress.some((e) => e.job.stage === 'anchor search' && e.job.total === 24 && e.job.done > 0 && e.job.done < 24)).toBe(true);

    const { anchor } = await service.getRdChart({ sourceId });
    expect(anchor).not.toBeNull();
    // bikes.mp4 is 10 s: 40 frames at 4 fps, all searched.
    expect(anchor!.frames).toBe(40);
    expect(anchor!.seconds).toBe(10);
    expect(anchor!.points).toHaveLength(24);
    for (const p of anchor!.points) {
      expect(Number.isFinite(p.kbps) && p.kbps > 0).toBe(true);
      expect(p.psnr).toBeGreaterThan(10);
      expect(p.msssim).toBeGreaterThan(0);
      expect(p.msssim).toBeLessThanOrEqual(1);
      expect(['libsvtav1', 'libaom-av1']).toContain(p.encoder);
    }
    for (const [indices, q] of [
      [anchor!.envelopePsnr, (i: number) => anchor!.points[i].psnr],
      [anchor!.envelopeMsssim, (i: number) => anchor!.points[i].msssim],
    ] as const) {
      expect(indices.length).toBeGreaterThan(1);
      for (let k = 1; k < indices.length; k++) {
        expect(anchor!.points[indices[k]].kbps).toBeGreaterThan(anchor!.points[indices[k - 1]].kbps);
        expect(q(indices[k])).toBeGreaterThan(q(indices[k - 1]));
      }
      // No trial beats the envelope: at or below its rate, the best quality is on the envelope.
      for (const [i, p] of anchor!.points.entries()) {
        const best = Math.max(...indices.filter((j) => anchor!.points[j].kbps <= p.kbps).map(q), -Infinity);
        expect(best).toBeGreaterThanOrEqual(q(i));
      }
    }
    // Kept: reading the chart again searches nothing and gives the same anchor.
    const jobs = (await service.listJobs()).length;
    expect((await service.getRdChart({ sourceId })).anchor).toEqual(anchor);
    expect((await service.listJobs()).length).toBe(jobs);
  }, 240_000);

  it('shows each decoded encode as a point with its rate and the quality of its decode', async () => {
    const enc = await service.waitForJob((await service.startEncode({ sourceId, keyframeCodec: 'classical' })).id);
    expect(enc.state).toBe('done');
    // Not decoded yet: no point.
    expect((await service.getRdChart({ sourceId })).encodes).toEqual([]);
    expect((await service.waitForJob((await service.startDecode({ encodeId: enc.encodeId! })).id)).state).toBe('done');
    const info = (await service.listEncodes({ projectId })).find((e) => e.id === enc.encodeId)!;
    expect((await service.getRdChart({ sourceId })).encodes).toEqual([{ encodeId: info.id, kbps: info.kbps, psnr: info.psnr, msssim: info.msssim, keyframes: info.keyframes.length }]);
  }, 180_000);

  it('another working geometry is another anchor; deleting the source deletes its anchors', async () => {
    await service.setProjectGeometry({ projectId, geometry: { ...SMALL_GEOMETRY, width: 320, height: 200 } });
    expect((await service.getRdChart({ sourceId })).anchor).toBeNull();
    await service.setProjectGeometry({ projectId, geometry: SMALL_GEOMETRY });
    expect((await service.getRdChart({ sourceId })).anchor).not.toBeNull();
    await service.deleteSource({ sourceId });
    const anchors = new AnchorStore(service.store);
    try {
      const count = (anchors as unknown as { db: { prepare(s: string): { get(): { n: number } } } }).db.prepare('SELECT count(*) AS n FROM anchor_envelopes').get().n;
      expect(count).toBe(0);
      expect(() => anchors.save({ sourceId, framesKey: 'k', gridKey: 'g' }, 10, [])).toThrow(/does not exist/);
    } finally {
      anchors.close();
    }
  });
});
