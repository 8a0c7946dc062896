/** The built renderer (dist/renderer), served read-only with no way out of its folder. */
import { existsSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { isInside } from '../services/paths.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

export function contentTypeOf(file: string): string {
  return TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * The file for a URL path, or undefined. Decoding happens once; NUL bytes, backslashes and ".." segments are
 * refused before the file system is asked, and the real path must still lie inside `root` (no symlink escapes).
 * Paths without an extension fall back to index.html (client-side routes).
 */
export function resolveStatic(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\') || decoded.split('/').includes('..')) return undefined;
  const rel = decoded.replace(/^\/+/, '');
  const candidate = path.join(root, rel === '' ? 'index.html' : rel);
  const target = existsSync(candidate) ? candidate : path.extname(rel) === '' ? path.join(root, 'index.html') : undefined;
  if (!target || !existsSync(target)) return undefined;
  const real = realpathSync(target);
  if (!isInside(real, realpathSync(root)) || !statSync(real).isFile()) return undefined;
  return real;
}

export function rendererBuilt(root: string): boolean {
  return existsSync(path.join(root, 'index.html'));
}
