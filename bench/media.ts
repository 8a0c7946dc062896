/**
 * The one place that finds the shared media folder (real footage and photographs, used in place,
 * never copied into the repository): $M3C_MEDIA_DIR, or ../shared/media beside the repository root.
 * Benchmarks and tests use it (tests through test/helpers/media.ts); the product never does.
 * The named sets follow ../shared/media/README.md.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The media root holding video/ and images/ (read from the environment at each call). */
export function mediaDir(): string {
  return process.env.M3C_MEDIA_DIR ?? path.resolve(REPO_ROOT, '../shared/media');
}

/** A path inside the media root, by default the resolved one. */
export function mediaPath(...parts: string[]): string {
  return path.join(mediaDir(), ...parts);
}

/** Clips for evaluation only (never trained on), in this order. */
export const EVALUATION_CLIPS = ['04_coffee', '05_juggle', 'bedroom', 'bikes', 'carphone'] as const;
/** Clips whose frames may be used for training. */
export const TRAINING_CLIPS = ['01_dog', '02_cups', '03_blocks'] as const;

/** The mp4 of a clip named as in the README (without the extension), under `root`. */
export function clipPath(name: string, root: string = mediaDir()): string {
  return path.join(root, 'video', `${name}.mp4`);
}

/** The Kodak PhotoCD PNGs (evaluation only), under `root`. */
export function kodakDir(root: string = mediaDir()): string {
  return path.join(root, 'images', 'kodak');
}
