/**
 * Issue 14 in the studio: a source's regions of interest stored, edited, deleted and tracked through a
 * keyframe's clip on a real clip, and a guided encode given them (its record keeps them). Real ffmpeg, SQLite
 * and worker threads on bikes.mp4 at the small working geometry (40 frames, keyframes 0 and 20).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StudioService } from '../../../src/main/services/studio-service.ts';
import { parseRegion } from '../../../src/shared/roi/index.ts';
import { ProjectLayout } from '../../../src/main/store/layout.ts';
import type { WorkingGeometry } from '../../../src/shared/api/contract.ts';
import { roiQuality } from '../../../src/main/services/studio/roi-quality.ts';
import { HAS_MEDIA } from '../../helpers/media.ts';
import { FIXED_20, openBikesStudio, type BikesStudio } from '../../helpers/studio.ts';


describe.skipIf(!HAS_MEDIA)('regions of interest in the studio (real ffmpeg, SQLite, workers)', () => {
  let studio: BikesStudio;
  let service: StudioService;
  let projectId: number;
  let sourceId: number;

  beforeAll(async () => {
    studio = await openBikesStudio({ prefix: 'm3c-studio-roi-', project: 'Regions', selection: FIXED_20 });
    ({ service, projectId, sourceId } = studio);
  }, 120_000);

  afterAll(async () => {
    await studio?.close();
  });

  it('adds, lists, updates and deletes regions; bad input is one usage error', async () => {
    const [a] = await service.addRegion({ sourceId, region: { frames: [0, 5], box: [0.1, 0.2, 0.3, 0.25], weight: 2, label: 'rider' } });
    expect(a).toMatchObject({ sourceId, frames: [0, 5], box: [0.1, 0.2, 0.3, 0.25], weight: 2, label: 'rider', source: 'hand' });
    expect((await service.listRegions({ sourceId })).map((r) => r.id)).toEqual([a.id]);
    const [b] = await service.updateRegion({ regionId: a.id, region: { frames: [2, 6], box: [0.5, 0.5, 0.25, 0.25] } });
    expect(b).toMatchObject({ id: a.id, frames: [2, 6], box: [0.5, 0.5, 0.25, 0.25], weight: 1, label: '' });

    const refused = async (call: Promise<unknown>, text: RegExp) => {
      const e = await call.then(() => null, (x: unknown) => x as { code: string; message: string });
      expect(e).toMatchObject({ code: 'usage' });
      expect(e!.message).toMatch(text);
      expect(e!.message).not.toContain('\n');
    };
    await refused(service.addRegion({ sourceId, region: { frames: [0, 5], box: [0.9, 0, 0.3, 0.3] } }), /not inside the frame/);
    await refused(service.addRegion({ sourceId, region: { frames: [0, 400], box: [0, 0, 0.3, 0.3] } }), /past the video's last frame/);
    await refused(service.addRegion({ sourceId, region: { frames: [0, 1], box: [0, 0, 0.3, 0.3], weight: -1 } }), /"weight"/);
    await refused(service.addRegion({ sourceId, region: 'box' } as never), /not an object/);
    await refused(service.updateRegion({ regionId: 99999, region: { frames: [0, 1], box: [0, 0, 0.5, 0.5] } }), /does not exist/);
    expect(await service.listRegions({ sourceId })).toHaveLength(1);

    expect(await service.deleteRegion({ regionId: a.id })).toEqual({ deleted: 1 });
    expect(await service.deleteRegion({ regionId: a.id }).catch((e: { code: string }) => e.code)).toBe('usage');
    expect(await service.listRegions({ sourceId })).toEqual([]);
  });

  it('tracks a box drawn on a keyframe through its clip as regions over short ranges', async () => {
    const tracked = await service.addRegion({ sourceId, region: { frames: [0, 0], box: [0.3, 0.3, 0.25, 0.3], weight: 3, label: 'bike' }, track: true });
    // Keyframes 0 and 20: the clip of keyframe 0 is frames 0..19, covered once, in order, without gaps.
    expect(tracked[0].frames[0]).toBe(0);
    expect(tracked[tracked.length - 1].frames[1]).toBe(19);
    for (let i = 1; i < tracked.length; i++) expect(tracked[i].frames[0]).toBe(tracked[i - 1].frames[1] + 1);
    for (const r of tracked) {
      expect(r).toMatchObject({ weight: 3, label: 'bike', source: 'hand', track: tracked[0].track });
      expect(r.box[2]).toBeCloseTo(0.25, 9);
      parseRegion(r, 'tracked');
    }
    // bikes.mp4 moves: the box is not left where it was drawn.
    const moved = tracked.some((r) => Math.abs(r.box[0] - 0.3) + Math.abs(r.box[1] - 0.3) > 0.01);
    expect(moved).toBe(true);
    expect(await service.listRegions({ sourceId })).toHaveLength(tracked.length);
    // Deleting the drawn box deletes its whole track.
    expect(await service.deleteRegion({ regionId: tracked[tracked.length - 1].id, wholeTrack: true })).toEqual({ deleted: tracked.length });
  }, 120_000);

  it('a guided encode is given the stored regions and records them', async () => {
    await service.addRegion({ sourceId, region: { frames: [0, 39], box: [0.25, 0.25, 0.5, 0.5], weight: 4, label: 'centre' } });
    const done = await service.waitForJob((await service.startEncode({ sourceId, targetKbps: 4 })).id);
    expect(done.state, JSON.stringify(done.error)).toBe('done');
    const enc = (await service.listEncodes({ projectId })).find((e) => e.id === done.encodeId)!;
    expect(enc.params!.roi!.regions).toEqual([{ frames: [0, 39], box: [0.25, 0.25, 0.5, 0.5], weight: 4, label: 'centre', source: 'hand' }]);
    // useRegions: false, and a non-guided mode, give none.
    const plain = await service.waitForJob((await service.startEncode({ sourceId, targetKbps: 4, useRegions: false } as never)).id);
    expect(plain.state, JSON.stringify(plain.error)).toBe('done');
    expect((await service.listEncodes({ projectId })).find((e) => e.id === plain.encodeId)!.params!.roi).toBeUndefined();

    // Decoded, Compare carries the regions and PSNR-Y inside and outside them; the plain encode, measured on
    // the same box, is the "old" side: the regions move quality inside at about the same bytes.
    for (const id of [done.encodeId!, plain.encodeId!]) expect((await service.waitForJob((await service.startDecode({ encodeId: id })).id)).state).toBe('done');
    const withRoi = await service.getComparison({ encodeId: done.encodeId! });
    expect(withRoi.roi!.regions).toHaveLength(1);
    const q = withRoi.roiQuality!;
    expect(q.width).toBe(256);
    expect(q.psnrInside).toBeGreaterThan(15);
    expect(q.psnrOutside).toBeGreaterThan(10);
    // The plain encode is measured on the source's regions now (the same box), marked as not used by it.
    const plainCmp = await service.getComparison({ encodeId: plain.encodeId! });
    expect(plainCmp.roiUsed).toBe(false);
    expect(withRoi.roiUsed).toBe(true);
    const e = service.store.getEncode(plain.encodeId!)!;
    const recon = service.store.getDecode(e.id)!;
    const source = service.store.getSource(sourceId)!;
    const old = await roiQuality(source.path, new ProjectLayout(service.projectsDir).inProject(projectId, recon.reconPath), { ...(e.params as { geometry: WorkingGeometry }).geometry, fit: 'crop' }, withRoi.roi!, recon.frames);
    expect(plainCmp.roiQuality).toEqual(old);
    const sizes = (await service.listEncodes({ projectId })).filter((x) => x.id === done.encodeId || x.id === plain.encodeId).map((x) => x.bytes!);
    // Measured here: +1.4 dB inside at 4847 vs 4800 bytes with bitstream version 2; +1.46 dB at 4890 vs 4629 with
    // version 3, whose plain encode lands lower under the same budget (libaom's coarse CRF steps; docs/roi.md). Both
    // stay within the budget: 4 kbit/s over bikes' 10 s.
    for (const b of sizes) expect(b).toBeLessThanOrEqual(5000);
    expect(q.psnrInside! - old.psnrInside!).toBeGreaterThan(0.5);

    // Old and new side by side: the new encode against the plain one, both measured on the new one's regions.
    const both = await service.getComparison({ encodeId: done.encodeId!, againstEncodeId: plain.encodeId! });
    const plainBytes = (await service.listEncodes({ projectId })).find((x) => x.id === plain.encodeId)!.bytes;
    expect(both.against).toMatchObject({ encodeId: plain.encodeId!, roiQuality: old, meanPsnr: plainCmp.meanPsnr, bytes: plainBytes });
    expect(both.against!.psnr).toEqual(plainCmp.psnr);
    expect(both.against!.reconstructedVideo).toBe(plainCmp.reconstructedVideo);
    expect(both.roiQuality).toEqual(q);
    const refusedAgainst = async (params: Record<string, unknown>, text: RegExp) => {
      const err = await service.getComparison(params as never).then(() => null, (x: unknown) => x as { code: string; message: string });
      expect(err).toMatchObject({ code: 'usage' });
      expect(err!.message).toMatch(text);
    };
    await refusedAgainst({ encodeId: done.encodeId!, againstEncodeId: done.encodeId! }, /against itself/);
    await expect(service.getComparison({ encodeId: done.encodeId!, againstEncodeId: 99999 })).rejects.toMatchObject({ code: 'input', message: expect.stringMatching(/encode 99999 does not exist/) });
    console.log(`roi encode: inside ${q.psnrInside!.toFixed(2)} dB, outside ${q.psnrOutside!.toFixed(2)} dB; plain: ${`inside ${old.psnrInside!.toFixed(2)}, outside ${old.psnrOutside!.toFixed(2)}`}; bytes ${sizes.join(' / ')}`);
  }, 300_000);
});
