import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { M3cError } from '../../shared/engine/errors.ts';

export interface FfmpegLocation {
  ffmpeg: string;
  ffprobe: string;
  source: 'env' | 'bundled' | 'path';
}

export interface LocateOptions {
  env?: NodeJS.ProcessEnv;
  /** Electron's process.resourcesPath in a packaged app. */
  resourcesPath?: string;
  repoRoot?: string;
  platform?: NodeJS.Platform;
  arch?: string;
}

const DEFAULT_REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

function isExecutableFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function exe(name: string, platform: NodeJS.Platform): string {
  return platform === 'win32' ? `${name}.exe` : name;
}

/**
 * Finds ffmpeg and ffprobe: M3C_FFMPEG (and M3C_FFPROBE or the ffprobe beside it), then a copy
 * bundled under resources/ffmpeg/<platform>-<arch>/ (in the packaged app's resources folder or the
 * repository), then PATH. An explicit M3C_FFMPEG that is wrong is an error, not a reason to fall
 * back: the user asked for that binary and should learn it is not there.
 */
export function locateFfmpeg(options: LocateOptions = {}): FfmpegLocation {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const arch = options.arch ?? process.arch;
  const resourcesPath =
    options.resourcesPath ?? (process as NodeJS.Process & { resourcesPath?: string }).resourcesPath;
  const repoRoot = options.repoRoot ?? DEFAULT_REPO_ROOT;

  const envFfmpeg = env.M3C_FFMPEG;
  if (envFfmpeg) {
    const ffmpeg = path.resolve(envFfmpeg);
    if (!isExecutableFile(ffmpeg)) {
      throw new M3cError('ffmpeg', `M3C_FFMPEG is set to ${ffmpeg}, which is not an executable file: fix or unset it`);
    }
    const envFfprobe = env.M3C_FFPROBE;
    const ffprobe = envFfprobe ? path.resolve(envFfprobe) : path.join(path.dirname(ffmpeg), exe('ffprobe', platform));
    if (!isExecutableFile(ffprobe)) {
      throw new M3cError(
        'ffmpeg',
        envFfprobe
          ? `M3C_FFPROBE is set to ${ffprobe}, which is not an executable file: fix or unset it`
          : `ffprobe not found next to M3C_FFMPEG (${ffprobe}): set M3C_FFPROBE`,
      );
    }
    return { ffmpeg, ffprobe, source: 'env' };
  }

  const bundleDirs = [resourcesPath, repoRoot]
    .filter((d): d is string => typeof d === 'string' && d.length > 0)
    .map((d) => path.join(d, 'resources', 'ffmpeg', `${platform}-${arch}`));
  for (const dir of bundleDirs) {
    const ffmpeg = path.join(dir, exe('ffmpeg', platform));
    const ffprobe = path.join(dir, exe('ffprobe', platform));
    if (isExecutableFile(ffmpeg) && isExecutableFile(ffprobe)) return { ffmpeg, ffprobe, source: 'bundled' };
  }

  const pathDirs = (env.PATH ?? env.Path ?? '').split(path.delimiter).filter(Boolean);
  const onPath = (name: string): string | undefined =>
    pathDirs.map((d) => path.join(d, exe(name, platform))).find(isExecutableFile);
  const ffmpeg = onPath('ffmpeg');
  const ffprobe = onPath('ffprobe');
  if (ffmpeg && ffprobe) return { ffmpeg, ffprobe, source: 'path' };
  if (ffmpeg) {
    throw new M3cError('ffmpeg', `ffprobe not found on PATH (ffmpeg is at ${ffmpeg}): install it or set M3C_FFMPEG and M3C_FFPROBE`);
  }
  throw new M3cError('ffmpeg', 'ffmpeg not found: install it (e.g. apt-get install ffmpeg) or set M3C_FFMPEG');
}
