import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { outsideAsar } from '../../../src/main/util/resources-dir.ts';

describe('outsideAsar', () => {
  it('maps a resource under app.asar to the extraResources folder beside it', () => {
    const res = path.join(path.sep, 'opt', 'M3-CVC Studio', 'resources');
    expect(outsideAsar(path.join(res, 'app.asar', 'resources', 'models'))).toBe(path.join(res, 'resources', 'models'));
    expect(outsideAsar(path.join(res, 'app.asar', 'resources', 'prompts') + path.sep)).toBe(path.join(res, 'resources', 'prompts') + path.sep);
  });

  it('leaves paths outside any archive unchanged', () => {
    const p = path.join(path.sep, 'work', 'main', 'resources', 'models');
    expect(outsideAsar(p)).toBe(p);
    const unpacked = path.join(path.sep, 'opt', 'app.asar.unpacked', 'x');
    expect(outsideAsar(unpacked)).toBe(unpacked);
  });
});
