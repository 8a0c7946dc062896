import { existsSync } from 'node:fs';
import { mediaDir, mediaPath } from '../../bench/media.ts';

// The media folder is resolved in one place, bench/media.ts; tests use it through this module.
export { REPO_ROOT } from '../../bench/media.ts';
export { mediaPath };

/** The shared media folder, used in place (never copied into the repository). */
export const MEDIA_DIR = mediaDir();

export const HAS_MEDIA = existsSync(mediaPath('video', 'bikes.mp4'));
