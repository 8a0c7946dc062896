/**
 * The studio's projects folder on disk; every path in it is made here:
 *
 *   studio.db                     the database (schema in docs/store.md)
 *   studio-settings.json          settings; studio-secrets.json or .enc: the API key (services/settings.ts)
 *   projects/<id>/sources/        videos uploaded in web mode
 *   projects/<id>/encodes/        source-<sid>-<time>.m3c, encode-<eid>.recon.mp4 (its decode)
 *   projects/<id>/cache/source-<sid>/<W>x<H>@<num>-<den>[-pad|-stretch]/
 *                                 thumbs/<n>.jpg, previews/<n>.jpg, original.mp4 (proxy at that geometry),
 *                                 one folder per geometry and fit (a cropped source's has no suffix)
 *
 * Files the database points at are stored by their path relative to the project's folder where the row is
 * new (decodes.recon_path); encodes.path holds the absolute path, as `m3c encode --project` writes it.
 */
import path from 'node:path';
import type { WorkingGeometry } from '../../shared/api/contract.ts';

export const DATABASE_FILE = 'studio.db';
export const SETTINGS_FILE = 'studio-settings.json';
/** The file-backed secret store: JSON `{name: value}`, mode 0600. */
export const SECRETS_FILE = 'studio-secrets.json';
/** The safeStorage-backed store: the encrypted JSON, mode 0600 (only this user's keychain can open it). */
export const KEYCHAIN_SECRETS_FILE = 'studio-secrets.enc';
/** The filmstrip's folder inside a cache folder (services/frames.ts writes it whole). */
export const THUMBS_DIR = 'thumbs';

export class ProjectLayout {
  /** `root` is the projects folder, already resolved. */
  constructor(readonly root: string) {}

  get database(): string {
    return path.join(this.root, DATABASE_FILE);
  }

  get settingsFile(): string {
    return path.join(this.root, SETTINGS_FILE);
  }

  get secretsFile(): string {
    return path.join(this.root, SECRETS_FILE);
  }

  get keychainSecretsFile(): string {
    return path.join(this.root, KEYCHAIN_SECRETS_FILE);
  }

  projectDir(projectId: number): string {
    return path.join(this.root, 'projects', String(projectId));
  }

  /** Where web uploads of the project are written. */
  sourcesDir(projectId: number): string {
    return path.join(this.projectDir(projectId), 'sources');
  }

  encodesDir(projectId: number): string {
    return path.join(this.projectDir(projectId), 'encodes');
  }

  /** A fresh name for a new encode of `sourceId` (the time keeps two encodes of one source apart). */
  newEncodeFile(projectId: number, sourceId: number, now = Date.now()): string {
    return path.join(this.encodesDir(projectId), `source-${sourceId}-${now.toString(36)}.m3c`);
  }

  /** The reconstruction a decode of the encode writes, relative to the project's folder (as decodes.recon_path). */
  reconstructionName(encodeId: number): string {
    return path.join('encodes', `encode-${encodeId}.recon.mp4`);
  }

  /** Where the code before schema 4 kept a decode's comparison; only the move into the database reads it. */
  legacyComparisonFile(projectId: number, encodeId: number): string {
    return path.join(this.encodesDir(projectId), `encode-${encodeId}.compare.json`);
  }

  /** A path stored relative to the project's folder, made absolute. */
  inProject(projectId: number, relative: string): string {
    return path.join(this.projectDir(projectId), relative);
  }

  /** Everything cached for one source, at every geometry. */
  sourceCacheDir(projectId: number, sourceId: number): string {
    return path.join(this.projectDir(projectId), 'cache', `source-${sourceId}`);
  }

  /**
   * The cache of one source at one working geometry and fit: pictures of another fit are never served from it.
   * 'crop' (or no fit) keeps the name of the folders made before the fit could be chosen.
   */
  cacheDir(projectId: number, sourceId: number, g: WorkingGeometry): string {
    const fit = g.fit && g.fit !== 'crop' ? `-${g.fit}` : '';
    return path.join(this.sourceCacheDir(projectId, sourceId), `${g.width}x${g.height}@${g.fpsNum}-${g.fpsDen}${fit}`);
  }

  thumbsDir(projectId: number, sourceId: number, g: WorkingGeometry): string {
    return path.join(this.cacheDir(projectId, sourceId, g), THUMBS_DIR);
  }

  thumbFile(projectId: number, sourceId: number, g: WorkingGeometry, frame: number): string {
    return path.join(this.thumbsDir(projectId, sourceId, g), `${frame}.jpg`);
  }

  previewFile(projectId: number, sourceId: number, g: WorkingGeometry, frame: number): string {
    return path.join(this.cacheDir(projectId, sourceId, g), 'previews', `${frame}.jpg`);
  }

  /** The source at the working geometry as an mp4, played beside the reconstruction. */
  proxyFile(projectId: number, sourceId: number, g: WorkingGeometry): string {
    return path.join(this.cacheDir(projectId, sourceId, g), 'original.mp4');
  }
}
