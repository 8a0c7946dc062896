import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The shared media folder, used in place (never copied into the repository). */
export const MEDIA_DIR = process.env.M3C_MEDIA_DIR ?? path.resolve(REPO_ROOT, '../shared/media');

export function mediaPath(...parts: string[]): string {
  return path.join(MEDIA_DIR, ...parts);
}

export const HAS_MEDIA = existsSync(mediaPath('video', 'bikes.mp4'));
