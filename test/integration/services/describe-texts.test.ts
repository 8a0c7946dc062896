/**
 * Stored descriptions against the selection: a missing text is absent (not empty), and after a re-selection
 * a text goes only with the item it was written for (a keyframe text with its frame, a clip text with its
 * exact span); the others are reported stale and left out of encodes.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StudioService } from '../../../src/main/services/studio-service.ts';
import { StudioContext } from '../../../src/main/services/studio/context.ts';
import { DialogueApi } from '../../../src/main/services/studio/dialogue-api.ts';
import { RegionsApi } from '../../../src/main/services/studio/regions-api.ts';
import { assignDescriptions } from '../../../src/main/pipeline/descriptions-file.ts';
import { createEngine } from '../../../src/main/pipeline/engine.ts';
import { clipTexts, openBitstream } from '../../../src/main/pipeline/decode.ts';
import { mediaPath, MEDIA_DIR, HAS_MEDIA } from '../../helpers/media.ts';

const GEOMETRY = { width: 256, height: 160, fpsNum: 4, fpsDen: 1 };
const FIXED = { strategy: 'fixed', lambda1: 5, lambda2: 1, threshold: 0.4, fixedInterval: 20 } as const;
const WITH_7 = { ...FIXED, overrides: { add: [7], remove: [] } };

describe.skipIf(!HAS_MEDIA)('stored descriptions and the selection (real ffmpeg, SQLite, worker threads)', () => {
  let dir: string;
  let service: StudioService;
  let sourceId: number;
  let projectId: number;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'm3c-describe-texts-'));
    service = new StudioService({ projectsDir: dir, mode: 'web', importRoots: [MEDIA_DIR] });
    await service.updateSettings({ geometry: GEOMETRY });
    projectId = (await service.createProject({ name: 'Texts' })).id;
    const { source, job } = await service.importSource({ projectId, path: mediaPath('video', 'bikes.mp4') });
    sourceId = source.id;
    expect((await service.waitForJob(job!.id)).state).toBe('done');
  });

  afterAll(async () => {
    await service?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const stale = async (): Promise<string[]> =>
    (await service.listDescriptions({ sourceId })).map((d) => `${d.itemKind}:${d.frameIndex}:${d.text}:${d.stale ? 'stale' : 'current'}`).sort();

  it('a clip text alone leaves its keyframe text absent, not empty, in what the encoder gets', async () => {
    expect((await service.saveSelection({ sourceId, params: FIXED })).keyframes).toEqual([0, 20]);
    await service.setDescription({ sourceId, itemKind: 'clip', itemIndex: 1, frameIndex: 20, text: 'the riders turn' });
    const ctx = new StudioContext({ projectsDir: dir, mode: 'web', importRoots: [MEDIA_DIR] });
    try {
      const file = new DialogueApi(ctx, new RegionsApi(ctx)).descriptionsFile(sourceId);
      expect(file.items).toEqual([{ frame: 20, clip: 'the riders turn' }]);
      // A default (or another text for that keyframe) is not overwritten with nothing.
      expect(assignDescriptions({ ...file, default: { keyframe: 'a street' } }, [0, 20], 40)[1]).toEqual({ keyframe: 'a street', clip: 'the riders turn' });
    } finally {
      await ctx.close();
    }
  });

  it('after a re-selection, texts go only with the items they were written for; the rest are stale and not encoded', async () => {
    expect((await service.saveSelection({ sourceId, params: FIXED })).keyframes).toEqual([0, 20]);
    await service.setDescription({ sourceId, itemKind: 'clip', itemIndex: 0, frameIndex: 0, text: 'clip 0-20' });
    expect((await service.saveSelection({ sourceId, params: WITH_7 })).keyframes).toEqual([0, 7, 27]);
    await service.setDescription({ sourceId, itemKind: 'keyframe', itemIndex: 1, frameIndex: 7, text: 'keyframe 7' });
    await service.setDescription({ sourceId, itemKind: 'clip', itemIndex: 1, frameIndex: 7, text: 'clip 7-27' });
    expect(await stale()).toEqual(['clip:0:clip 0-20:stale', 'clip:20:the riders turn:stale', 'clip:7:clip 7-27:current', 'keyframe:7:keyframe 7:current']);

    expect((await service.saveSelection({ sourceId, params: FIXED })).keyframes).toEqual([0, 20]);
    await service.setDescription({ sourceId, itemKind: 'keyframe', itemIndex: 0, frameIndex: 0, text: 'keyframe 0' });
    expect(await stale()).toEqual([
      'clip:0:clip 0-20:current',
      'clip:20:the riders turn:current',
      'clip:7:clip 7-27:stale',
      'keyframe:0:keyframe 0:current',
      'keyframe:7:keyframe 7:stale',
    ]);

    const job = await service.startEncode({ sourceId, keyframeCodec: 'classical' });
    const done = await service.waitForJob(job.id);
    expect(done.state, JSON.stringify(done.error)).toBe('done');
    const enc = (await service.listEncodes({ projectId })).find((e) => e.id === done.encodeId)!;
    await service.exportEncode({ encodeId: enc.id, format: 'm3c' });
    const m3c = await service.resolveMedia(`download/${enc.id}/m3c`);
    if (m3c.kind !== 'file') throw new Error('expected a file');
    const file = openBitstream(createEngine(), new Uint8Array(readFileSync(m3c.path)));
    expect(clipTexts(file)).toEqual([
      { keyframe: 'keyframe 0', clip: 'clip 0-20' },
      { keyframe: '', clip: 'the riders turn' },
    ]);

    // Back to the first selection: its texts are current again, the 0-20 clip text is not (clip 0 is now 0-7).
    await service.saveSelection({ sourceId, params: WITH_7 });
    expect(await stale()).toEqual([
      'clip:0:clip 0-20:stale',
      'clip:20:the riders turn:stale',
      'clip:7:clip 7-27:current',
      'keyframe:0:keyframe 0:current',
      'keyframe:7:keyframe 7:current',
    ]);
  });

  it('a clip text stored before spans were (no end) goes with the clip that starts at its frame', async () => {
    const ctx = new StudioContext({ projectsDir: dir, mode: 'web', importRoots: [MEDIA_DIR] });
    try {
      ctx.store.upsertDescription({ sourceId, itemKind: 'clip', itemIndex: 0, frameIndex: 0, text: 'legacy clip 0', origin: 'user' });
    } finally {
      await ctx.close();
    }
    const legacy = async (): Promise<boolean | undefined> => (await service.listDescriptions({ sourceId })).find((d) => d.text === 'legacy clip 0')?.stale;
    expect(await legacy()).toBe(false);
    await service.saveSelection({ sourceId, params: FIXED });
    expect(await legacy()).toBe(false);
  });
});
