/**
 * Issue 11: the database is the one source of truth for decodes. A decode job stores its comparison in the
 * decodes table (no encode-N.compare.json any more); the library and the comparison view read that row;
 * "has a reconstruction" needs the row and the file; deleting an encode removes its rows and its files.
 * Real ffmpeg, SQLite and worker threads on bikes.mp4.
 */
import { copyFileSync, existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StudioService } from '../../../src/main/services/studio-service.ts';
import { ProjectLayout } from '../../../src/main/store/layout.ts';
import { HAS_MEDIA } from '../../helpers/media.ts';
import { FIXED_20, openBikesStudio, type BikesStudio } from '../../helpers/studio.ts';


describe.skipIf(!HAS_MEDIA)('decodes are stored in the database (real ffmpeg, SQLite, workers)', () => {
  let studio: BikesStudio;
  let dir: string;
  let layout: ProjectLayout;
  let service: StudioService;
  let projectId: number;
  let sourceId: number;

  beforeAll(async () => {
    studio = await openBikesStudio({ prefix: 'm3c-studio-decodes-', project: 'Decodes', selection: FIXED_20 });
    ({ dir, service, projectId, sourceId } = studio);
    layout = new ProjectLayout(dir);
  }, 120_000);

  afterAll(async () => {
    await studio?.close();
  });

  async function encode(): Promise<number> {
    const done = await service.waitForJob((await service.startEncode({ sourceId, keyframeCodec: 'classical' })).id);
    expect(done.state, JSON.stringify(done.error)).toBe('done');
    return done.encodeId!;
  }

  async function decode(encodeId: number): Promise<void> {
    const done = await service.waitForJob((await service.startDecode({ encodeId })).id);
    expect(done.state, JSON.stringify(done.error)).toBe('done');
  }

  const info = async (encodeId: number) => (await service.listEncodes({ projectId })).find((e) => e.id === encodeId);

  it('a decode writes a row, not a compare file; the library and the comparison read the row', async () => {
    const id = await encode();
    expect(path.dirname(service.store.getEncode(id)!.path)).toBe(layout.encodesDir(projectId));
    expect(service.store.getDecode(id)).toBeUndefined();
    await decode(id);
    expect(readdirSync(layout.encodesDir(projectId)).filter((n) => n.endsWith('.json'))).toEqual([]);
    const row = service.store.getDecode(id)!;
    expect(row).toMatchObject({ encodeId: id, frames: 40, reconPath: layout.reconstructionName(id) });
    expect(row.psnr).toHaveLength(40);
    expect(row.meanPsnr).toBeGreaterThan(10);
    const cmp = await service.getComparison({ encodeId: id });
    expect(cmp).toMatchObject({ frames: row.frames, psnr: row.psnr, msssim: row.msssim, meanPsnr: row.meanPsnr, meanMsssim: row.meanMsssim });
    expect(await info(id)).toMatchObject({ psnr: row.meanPsnr, msssim: row.meanMsssim, frameCount: 40, hasReconstruction: true });

    // The row without its file is no reconstruction (the numbers stay); decoding again replaces the row.
    const recon = layout.inProject(projectId, row.reconPath);
    const kept = path.join(dir, 'kept.mp4');
    copyFileSync(recon, kept);
    rmSync(recon);
    expect(await info(id)).toMatchObject({ psnr: row.meanPsnr, hasReconstruction: false });
    await expect(service.exportEncode({ encodeId: id, format: 'mp4' })).rejects.toMatchObject({ code: 'usage' });
    await decode(id);
    expect(service.store.getDecode(id)).toMatchObject({ id: row.id, frames: 40 });
    expect(existsSync(recon)).toBe(true);

    // A reconstruction file without a row (a decode that never finished) is no reconstruction either.
    const other = await encode();
    copyFileSync(kept, layout.inProject(projectId, layout.reconstructionName(other)));
    expect(await info(other)).toMatchObject({ psnr: null, hasReconstruction: false });
    await expect(service.getComparison({ encodeId: other })).rejects.toMatchObject({ code: 'usage' });
  }, 180_000);

  it('deleting an encode removes its decode row and its files', async () => {
    const ids = (await service.listEncodes({ projectId })).map((e) => e.id);
    for (const id of ids) {
      const e = service.store.getEncode(id)!;
      const recon = layout.inProject(projectId, layout.reconstructionName(id));
      expect(existsSync(e.path)).toBe(true);
      expect(existsSync(recon)).toBe(true);
      expect(await service.deleteEncode({ encodeId: id })).toEqual({ deleted: true });
      expect(service.store.getEncode(id)).toBeUndefined();
      expect(service.store.getDecode(id)).toBeUndefined();
      expect(existsSync(e.path)).toBe(false);
      expect(existsSync(recon)).toBe(false);
    }
    expect(await service.listEncodes({ projectId })).toEqual([]);
  });
});
