/**
 * Validation of every path that comes from the renderer. A path is accepted only if it is absolute, has no
 * NUL byte and no ".." segment, exists, and its real location (symlinks resolved) lies under an allowed root
 * or is a file the user explicitly picked. Anything else is refused with M3cError('input').
 */
import { realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { M3cError } from '../../shared/engine/errors.ts';

export interface PathGuardOptions {
  /** Whether the studio can pick a file with a native dialog (Electron); the web studio uploads instead. */
  readonly fileDialog?: boolean;
}

export class PathGuard {
  private readonly roots: string[];
  private readonly files = new Set<string>();
  private readonly fileDialog: boolean;

  /** `roots` must exist; they are resolved to their real paths once. */
  constructor(roots: readonly string[], options: PathGuardOptions = {}) {
    this.roots = roots.map((r) => realpathSync(path.resolve(r)));
    this.fileDialog = options.fileDialog ?? false;
  }

  /** Allows one file the user chose explicitly (a file dialog), wherever it lies. */
  allowFile(file: string): void {
    this.files.add(realpathSync(checkShape(file)));
  }

  get allowedRoots(): readonly string[] {
    return this.roots;
  }

  /** The real path of an existing regular file the renderer may read, or an 'input' error saying why not. */
  checkFile(p: unknown, what = 'file'): string {
    const real = this.resolveExisting(p, what);
    let isFile = false;
    try {
      isFile = statSync(real).isFile();
    } catch {
      isFile = false;
    }
    if (!isFile) throw new M3cError('input', `${what} ${String(p)} is not a regular file`);
    return real;
  }

  private resolveExisting(p: unknown, what: string): string {
    const shaped = checkShape(p, what);
    let real: string;
    try {
      real = realpathSync(shaped);
    } catch {
      throw new M3cError('input', `${what} ${shaped} does not exist`);
    }
    if (this.files.has(real) || this.roots.some((r) => isInside(real, r))) return real;
    const remedy = this.fileDialog ? 'pick it with "Choose file…"' : 'upload it with "Upload…"';
    throw new M3cError('input', `${what} ${shaped} is outside the folders the studio may import from (${this.roots.join(', ')}): move it into one of them, or ${remedy}`);
  }
}

/** Absolute, no NUL, no ".." segments, not absurdly long: the checks that need no file system. */
export function checkShape(p: unknown, what = 'path'): string {
  if (typeof p !== 'string' || p.length === 0) throw new M3cError('input', `${what} must be a non-empty string`);
  if (p.length > 4096) throw new M3cError('input', `${what} is longer than 4096 characters`);
  if (p.includes('\0')) throw new M3cError('input', `${what} contains a NUL byte`);
  if (!path.isAbsolute(p)) throw new M3cError('input', `${what} "${p}" must be an absolute path`);
  if (p.split(/[\\/]+/).includes('..')) throw new M3cError('input', `${what} "${p}" must not contain ".." segments`);
  return path.normalize(p);
}

export function isInside(child: string, root: string): boolean {
  const rel = path.relative(root, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** A file name for something the renderer uploads: its last segment, with anything risky replaced. */
export function safeFileName(name: unknown): string {
  if (typeof name !== 'string') throw new M3cError('input', 'the upload needs a file name');
  const base = name.split(/[\\/]/).pop() ?? '';
  const cleaned = base.replace(/[^A-Za-z0-9._ -]/g, '_').replace(/^\.+/, '').slice(0, 120).trim();
  if (cleaned === '' || cleaned.includes('\0')) throw new M3cError('input', `"${name}" is not a usable file name`);
  return cleaned;
}

/**
 * The error of an upload stored in `dir`, as the user should read it: every path inside `dir` (as given and as
 * resolved) shortened to the file's name, and anything that is not an M3cError said as a one-line 'input' error.
 */
export function withFileNameOnly(e: unknown, dir: string): M3cError {
  let message = e instanceof Error ? e.message : String(e);
  let real = dir;
  try {
    real = realpathSync(dir);
  } catch {
    // The folder is gone: only the path as given can appear.
  }
  for (const d of new Set([real, dir])) message = message.split(d + path.sep).join('');
  if (e instanceof M3cError) return new M3cError(e.code, message, { cause: e });
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return new M3cError('input', `the upload could not be stored${code ? ` (${code})` : ''}`, { cause: e });
}
