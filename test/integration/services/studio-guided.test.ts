/**
 * Issue 10 in the studio: an encode job is guided by default, at the rate asked for (targetKbps); its record
 * carries the guide's bytes and the guide chosen, per-clip modes reach the file, and what does not apply to a
 * guided file is refused. Real ffmpeg, SQLite and worker threads on bikes.mp4.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StudioService } from '../../../src/main/services/studio-service.ts';
import { GUIDED_TARGET_KBPS } from '../../../src/shared/api/contract.ts';
import { parseM3c } from '../../../src/shared/bitstream/index.ts';
import { DEFAULT_TARGET_KBPS, MAX_TARGET_KBPS, MIN_TARGET_KBPS } from '../../../src/main/pipeline/guided-encode.ts';
import { HAS_MEDIA } from '../../helpers/media.ts';
import { FIXED_20, openBikesStudio, type BikesStudio } from '../../helpers/studio.ts';

describe.skipIf(!HAS_MEDIA)('guided encodes in the studio (real ffmpeg, SQLite, workers)', () => {
  let studio: BikesStudio;
  let service: StudioService;
  let projectId: number;
  let sourceId: number;

  beforeAll(async () => {
    studio = await openBikesStudio({ prefix: 'm3c-studio-guided-', project: 'Guided', selection: FIXED_20 });
    ({ service, projectId, sourceId } = studio);
  }, 120_000);

  afterAll(async () => {
    await studio?.close();
  });

  it('the renderer\'s rate limits are the encoder\'s', () => {
    expect(GUIDED_TARGET_KBPS).toEqual({ default: DEFAULT_TARGET_KBPS, min: MIN_TARGET_KBPS, max: MAX_TARGET_KBPS });
  });

  it('refuses what does not apply: a rate out of range or for a file without a guide, learned keyframes or a keyframe budget in a guided file, bad clip modes', async () => {
    const refused = (p: Record<string, unknown>) => expect(service.startEncode({ sourceId, ...p } as never)).rejects.toMatchObject({ code: 'usage' });
    await refused({ targetKbps: 0.1 });
    await refused({ targetKbps: 2000 });
    await refused({ targetKbps: '4' });
    await refused({ mode: 'interpolation', targetKbps: 4 });
    await refused({ mode: 'guided', keyframeCodec: 'learned' });
    await refused({ keyframeBudgetBytes: 600 });
    await refused({ mode: 'sideways' });
    await refused({ clipModes: 'guided' });
    await refused({ clipModes: ['guided', 'sideways'] });
    // FIXED_20 on 40 frames: two clips.
    await refused({ clipModes: [null, 'prediction', 'guided'] });
    expect((await service.listJobs()).filter((j) => j.kind === 'encode')).toEqual([]);
  });

  it('encodes guided by default at the asked rate; the record has the guide, its split and the params', async () => {
    const done = await service.waitForJob((await service.startEncode({ sourceId, targetKbps: 4 })).id);
    expect(done.state, JSON.stringify(done.error)).toBe('done');
    const enc = (await service.listEncodes({ projectId })).find((e) => e.id === done.encodeId)!;
    expect(enc.status).toBe('done');
    expect(enc.params).toMatchObject({ mode: 'guided', targetKbps: 4, keyframeCodec: 'classical', keyframeBudgetBytes: null });
    expect(enc.params!.clipModes).toBeUndefined();
    expect(enc.keyframes).toEqual([0, 20]);
    expect(enc.sections!.guide).toBeGreaterThan(0);
    expect(Math.abs(enc.kbps! - 4) / 4).toBeLessThanOrEqual(0.25);
    expect(enc.guided).toMatchObject({ guideBytes: enc.sections!.guide, targetBytes: Math.floor((4 * 1000 * 10) / 8) });
    expect(enc.guided!.width).toBeGreaterThan(0);
    expect(enc.guided!.fps).toBeGreaterThan(0);
    expect(enc.guided!.fps).toBeLessThanOrEqual(4);

    // The file itself: version 3, every clip guided, the guide the record names.
    const parsed = parseM3c(new Uint8Array(readFileSync(service.store.getEncode(enc.id)!.path)));
    if (!parsed.ok) throw new Error(parsed.error.kind);
    expect(parsed.file.version).toBe(3);
    expect(parsed.file.clips.map((c) => c.mode)).toEqual(['guided', 'guided']);
    const g = parsed.file.guide!;
    expect(enc.guided).toMatchObject({ width: g.width, height: g.height, fps: g.fpsNum / g.fpsDen, crf: g.quantizer, encoder: g.encoder, guideBytes: g.stream.length });

    // And it decodes through the studio's decode job.
    const decoded = await service.waitForJob((await service.startDecode({ encodeId: enc.id })).id);
    expect(decoded.state, JSON.stringify(decoded.error)).toBe('done');
    const after = (await service.listEncodes({ projectId })).find((e) => e.id === enc.id)!;
    expect(after.hasReconstruction).toBe(true);
    expect(after.psnr).toBeGreaterThan(15);
  }, 300_000);

  it('a clip of its own mode reaches the file', async () => {
    const done = await service.waitForJob((await service.startEncode({ sourceId, mode: 'guided', targetKbps: 6, clipModes: [null, 'prediction'] })).id);
    expect(done.state, JSON.stringify(done.error)).toBe('done');
    const enc = (await service.listEncodes({ projectId })).find((e) => e.id === done.encodeId)!;
    expect(enc.params).toMatchObject({ mode: 'guided', targetKbps: 6, clipModes: [null, 'prediction'] });
    const parsed = parseM3c(new Uint8Array(readFileSync(service.store.getEncode(enc.id)!.path)));
    if (!parsed.ok) throw new Error(parsed.error.kind);
    expect(parsed.file.clips.map((c) => c.mode)).toEqual(['guided', 'prediction']);
    // The plain clip's keyframe is a picture of its own.
    expect(enc.sections!.keyframes).toBeGreaterThan(0);
  }, 300_000);
});
