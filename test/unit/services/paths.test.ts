import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PathGuard, checkShape, safeFileName } from '../../../src/main/services/paths.ts';

describe('PathGuard', () => {
  let dir: string;
  let root: string;
  let outside: string;
  beforeAll(() => {
    dir = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'm3c-paths-')));
    root = path.join(dir, 'root');
    mkdirSync(path.join(root, 'sub'), { recursive: true });
    writeFileSync(path.join(root, 'sub', 'a.mp4'), 'x');
    outside = path.join(dir, 'outside.mp4');
    writeFileSync(outside, 'y');
    symlinkSync(outside, path.join(root, 'escape.mp4'));
    symlinkSync(path.join(root, 'sub', 'a.mp4'), path.join(dir, 'into-root.mp4'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('accepts files under a root, including through a symlink that points inside', () => {
    const g = new PathGuard([root]);
    expect(g.checkFile(path.join(root, 'sub', 'a.mp4'))).toBe(path.join(root, 'sub', 'a.mp4'));
    expect(g.checkFile(path.join(dir, 'into-root.mp4'))).toBe(path.join(root, 'sub', 'a.mp4'));
  });

  it('rejects relative paths, ".." segments, NUL bytes, non-strings, folders and missing files', () => {
    const g = new PathGuard([root]);
    for (const p of ['sub/a.mp4', `${root}/sub/../sub/a.mp4`, `${root}/sub/a.mp4\0`, '', 42, null, path.join(root, 'sub'), path.join(root, 'nope.mp4')]) {
      expect(() => g.checkFile(p), String(p)).toThrow(expect.objectContaining({ code: 'input' }));
    }
  });

  it('rejects files outside the roots and symlinks that escape them', () => {
    const g = new PathGuard([root]);
    expect(() => g.checkFile(outside)).toThrow(/outside the folders/);
    expect(() => g.checkFile(path.join(root, 'escape.mp4'))).toThrow(/outside the folders/);
    // A sibling whose name starts with the root's is not inside it.
    mkdirSync(`${root}2`, { recursive: true });
    writeFileSync(`${root}2/b.mp4`, 'z');
    expect(() => g.checkFile(`${root}2/b.mp4`)).toThrow(/outside the folders/);
  });

  it('allows a file the user picked explicitly, and nothing next to it', () => {
    const g = new PathGuard([root]);
    g.allowFile(outside);
    expect(g.checkFile(outside)).toBe(outside);
    writeFileSync(path.join(dir, 'neighbour.mp4'), 'n');
    expect(() => g.checkFile(path.join(dir, 'neighbour.mp4'))).toThrow(/outside the folders/);
  });

  it('checkShape and safeFileName', () => {
    expect(() => checkShape('C:relative')).toThrow(/absolute/);
    expect(checkShape('/a//b/./c')).toBe('/a/b/c');
    expect(safeFileName('../../etc/passwd')).toBe('passwd');
    expect(safeFileName('..\\..\\x<y>.mp4')).toBe('x_y_.mp4');
    expect(safeFileName('.hidden.mp4')).toBe('hidden.mp4');
    expect(() => safeFileName('..')).toThrow(/not a usable file name/);
  });
});
