/**
 * Issue 13, the studio service's files: thumbnails appear only complete (a cancelled pass or a zero-length
 * leftover is never served), and deleteProject waits for the project's cancelled jobs before removing its
 * folder. Real ffmpeg, SQLite and worker threads on bikes.mp4.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StudioService } from '../../../src/main/services/studio-service.ts';
import { makeAllThumbnails } from '../../../src/main/services/frames.ts';
import { ProjectLayout } from '../../../src/main/store/layout.ts';
import { probe } from '../../../src/main/media/index.ts';
import type { JobInfo } from '../../../src/shared/api/contract.ts';
import { HAS_MEDIA, MEDIA_DIR, mediaPath } from '../../helpers/media.ts';

const GEOMETRY = { width: 256, height: 160, fpsNum: 30, fpsDen: 1 };

function isCompleteJpeg(file: string): boolean {
  const b = readFileSync(file);
  return b.length > 4 && b[0] === 0xff && b[1] === 0xd8 && b[b.length - 2] === 0xff && b[b.length - 1] === 0xd9;
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => statSync(path.join(dir, f)).isFile());
}

describe.skipIf(!HAS_MEDIA)('thumbnails are written atomically (real ffmpeg)', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'm3c-thumbs-hardening-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a pass cancelled while ffmpeg is writing leaves nothing in thumbs/ and no temporary folder', async () => {
    const source = mediaPath('video', 'bikes.mp4');
    const info = await probe(source);
    const out = path.join(dir, 'cancelled');
    const controller = new AbortController();
    // Cancel as soon as ffmpeg has written its first file anywhere under the cache folder.
    const watcher = setInterval(() => {
      if (filesUnder(out).some((f) => f.endsWith('.jpg'))) controller.abort();
    }, 2);
    try {
      await expect(makeAllThumbnails(source, info, GEOMETRY, out, controller.signal)).rejects.toThrow();
    } finally {
      clearInterval(watcher);
    }
    expect(controller.signal.aborted).toBe(true);
    expect(filesUnder(path.join(out, 'thumbs'))).toEqual([]);
    expect(readdirSync(out).filter((n) => n !== 'thumbs')).toEqual([]);
  }, 60_000);

  it('a finished pass moves every thumbnail into thumbs/, each a complete JPEG', async () => {
    const source = mediaPath('video', 'bikes.mp4');
    const out = path.join(dir, 'finished');
    await makeAllThumbnails(source, await probe(source), GEOMETRY, out);
    const thumbs = readdirSync(path.join(out, 'thumbs'));
    expect(thumbs.length).toBeGreaterThanOrEqual(295);
    expect(thumbs.every((n) => isCompleteJpeg(path.join(out, 'thumbs', n)))).toBe(true);
    expect(readdirSync(out)).toEqual(['thumbs']);
  }, 120_000);
});

describe.skipIf(!HAS_MEDIA)('StudioService: served thumbnails and deleteProject (real ffmpeg, SQLite, workers)', () => {
  let dir: string;
  let service: StudioService;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'm3c-svc-hardening-'));
    service = new StudioService({ projectsDir: dir, mode: 'web', importRoots: [MEDIA_DIR] });
    await service.updateSettings({ geometry: GEOMETRY });
  });
  afterAll(async () => {
    await service?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a zero-length leftover thumbnail (a write cut short) is made again, not served', async () => {
    const projectId = (await service.createProject({ name: 'thumbs' })).id;
    const { source, job } = await service.importSource({ projectId, path: mediaPath('video', 'bikes.mp4') });
    if (job) {
      await service.cancelJob({ jobId: job.id });
      await service.waitForJob(job.id);
    }
    const file = new ProjectLayout(dir).thumbFile(projectId, source.id, GEOMETRY, 7);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, '');
    const m = await service.resolveMedia(`thumb/${source.id}/7`);
    expect(m.kind === 'file' && m.path).toBe(file);
    expect(statSync(file).size).toBeGreaterThan(100);
    expect(isCompleteJpeg(file)).toBe(true);
    // No temporary file is left beside it.
    expect(readdirSync(path.dirname(file))).toEqual(['7.jpg']);
  }, 60_000);

  it('deleteProject cancels the running analysis and waits for it to settle before removing the folder', async () => {
    const projectId = (await service.createProject({ name: 'doomed' })).id;
    const projectDir = path.join(dir, 'projects', String(projectId));
    const running = new Promise<void>((resolve) => {
      const off = service.onEvent((e) => {
        if (e.type === 'job-progress' && e.job.projectId === projectId && e.job.state === 'running' && e.job.done > 0) {
          off();
          resolve();
        }
      });
    });
    const { job } = await service.importSource({ projectId, path: mediaPath('video', 'bikes.mp4') });
    expect(job).not.toBeNull();
    await running;
    expect(await service.deleteProject({ projectId })).toEqual({ deleted: true });
    // By the time deleteProject answers, the job has settled: nothing can write into the folder any more.
    const settled = (await service.listJobs()).find((j: JobInfo) => j.id === job!.id);
    expect(settled?.state).toMatch(/^(cancelled|done|failed)$/);
    expect(existsSync(projectDir)).toBe(false);
    await new Promise((r) => setTimeout(r, 1500));
    expect(existsSync(projectDir)).toBe(false);
    expect((await service.listProjects()).some((p) => p.id === projectId)).toBe(false);
  }, 120_000);
});
