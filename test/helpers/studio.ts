/**
 * The studio the service tests share: a StudioService on a fresh projects folder, bikes.mp4 imported and
 * analysed at a small working geometry (real ffmpeg, SQLite, worker threads), its events recorded.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import type { StudioEvent } from '../../src/shared/api/contract.ts';
import { StudioService, type StudioServiceOptions } from '../../src/main/services/studio-service.ts';
import { MEDIA_DIR, mediaPath } from './media.ts';

/** 10 s of bikes.mp4 at this geometry is 40 frames. */
export const SMALL_GEOMETRY = { width: 256, height: 160, fpsNum: 4, fpsDen: 1 } as const;
/** A keyframe every 20 frames: bikes.mp4 at SMALL_GEOMETRY gets keyframes 0 and 20. */
export const FIXED_20 = { strategy: 'fixed', lambda1: 5, lambda2: 1, threshold: 0.4, fixedInterval: 20 } as const;

export interface BikesStudio {
  readonly dir: string;
  readonly service: StudioService;
  readonly events: StudioEvent[];
  readonly projectId: number;
  readonly sourceId: number;
  close(): Promise<void>;
}

export async function openBikesStudio(options: {
  prefix: string;
  project: string;
  geometry?: { width: number; height: number; fpsNum: number; fpsDen: number };
  /** Saved after the analysis when given. */
  selection?: Record<string, unknown>;
  service?: Partial<StudioServiceOptions>;
}): Promise<BikesStudio> {
  const dir = mkdtempSync(path.join(os.tmpdir(), options.prefix));
  const service = new StudioService({ projectsDir: dir, mode: 'web', importRoots: [MEDIA_DIR], ...options.service });
  const events: StudioEvent[] = [];
  service.onEvent((e) => events.push(e));
  await service.updateSettings({ geometry: options.geometry ?? SMALL_GEOMETRY });
  const projectId = (await service.createProject({ name: options.project })).id;
  const { source, job } = await service.importSource({ projectId, path: mediaPath('video', 'bikes.mp4') });
  expect((await service.waitForJob(job!.id)).state).toBe('done');
  if (options.selection) await service.saveSelection({ sourceId: source.id, params: options.selection });
  return {
    dir,
    service,
    events,
    projectId,
    sourceId: source.id,
    close: async () => {
      await service.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
