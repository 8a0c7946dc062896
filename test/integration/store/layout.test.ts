/** The projects folder's layout, spelled out: these are the places earlier versions wrote, so they must not move. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProjectLayout } from '../../../src/main/store/layout.ts';

describe('ProjectLayout', () => {
  it('names every path of the projects folder', () => {
    const root = path.join(path.sep, 'data', 'studio');
    const l = new ProjectLayout(root);
    const g = { width: 256, height: 160, fpsNum: 30000, fpsDen: 1001 };
    const at = (...parts: string[]): string => path.join(root, ...parts);
    expect(l.database).toBe(at('studio.db'));
    expect(l.settingsFile).toBe(at('studio-settings.json'));
    expect(l.secretsFile).toBe(at('studio-secrets.json'));
    expect(l.keychainSecretsFile).toBe(at('studio-secrets.enc'));
    expect(l.projectDir(3)).toBe(at('projects', '3'));
    expect(l.sourcesDir(3)).toBe(at('projects', '3', 'sources'));
    expect(l.encodesDir(3)).toBe(at('projects', '3', 'encodes'));
    expect(l.newEncodeFile(3, 5, 36 ** 2)).toBe(at('projects', '3', 'encodes', 'source-5-100.m3c'));
    expect(l.reconstructionName(7)).toBe(path.join('encodes', 'encode-7.recon.mp4'));
    expect(l.inProject(3, l.reconstructionName(7))).toBe(at('projects', '3', 'encodes', 'encode-7.recon.mp4'));
    expect(l.legacyComparisonFile(3, 7)).toBe(at('projects', '3', 'encodes', 'encode-7.compare.json'));
    expect(l.sourceCacheDir(3, 5)).toBe(at('projects', '3', 'cache', 'source-5'));
    const cache = at('projects', '3', 'cache', 'source-5', '256x160@30000-1001');
    expect(l.cacheDir(3, 5, g)).toBe(cache);
    expect(l.thumbFile(3, 5, g, 12)).toBe(path.join(cache, 'thumbs', '12.jpg'));
    expect(l.previewFile(3, 5, g, 12)).toBe(path.join(cache, 'previews', '12.jpg'));
    expect(l.proxyFile(3, 5, g)).toBe(path.join(cache, 'original.mp4'));
  });
});
