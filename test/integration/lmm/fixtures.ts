import { encodeText } from '../../../src/shared/text/index.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RgbFrame } from '../../../src/shared/engine/frame.ts';
import { decodeFrames } from '../../../src/main/media/index.ts';
import { openStore, type Store } from '../../../src/main/store/index.ts';
import { LmmStore } from '../../../src/main/store/lmm.ts';
import { mediaPath } from '../../helpers/media.ts';

/** The first `count` frames of bikes.mp4 at 128x80, 25 fps (real footage with hard cuts). */
export async function bikesFrames(count: number): Promise<RgbFrame[]> {
  const frames: RgbFrame[] = [];
  for await (const f of decodeFrames(mediaPath('video', 'bikes.mp4'), { width: 128, height: 80, fpsNum: 25, fpsDen: 1, maxFrames: count })) {
    frames.push(f);
  }
  return frames;
}

/** The project's text coder: description sizes are what the bitstream will carry. */
export const textCoder = encodeText;

export interface ProjectDb {
  readonly file: string;
  readonly store: Store;
  readonly lmm: LmmStore;
  readonly projectId: number;
  readonly sourceId: number;
  close(): void;
}

/** A real project database file in a temporary folder, with one project and one source. */
export function projectDb(): ProjectDb {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'm3c-lmm-'));
  const file = path.join(dir, 'project.m3cproj');
  const store = openStore(file);
  const project = store.createProject('lmm test');
  const source = store.addSource({ projectId: project.id, path: mediaPath('video', 'bikes.mp4'), probe: {}, contentSha256: 'a'.repeat(64) });
  const lmm = new LmmStore(store);
  return {
    file,
    store,
    lmm,
    projectId: project.id,
    sourceId: source.id,
    close() {
      lmm.close();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
