/**
 * Issue 13: the Electron main process takes its import roots from `m3c studio --allow` (it used to hard-code
 * the home folder). electron and the studio are mocked; electron-main.ts runs as Electron would run it.
 */
import os from 'node:os';
import { describe, expect, it, vi } from 'vitest';
import { parseShellArgs, shellArgv } from '../../../src/main/app/launch-args.ts';
import { allowedRoots } from '../../../src/main/cli/commands/studio.ts';

const captured = vi.hoisted(() => ({ options: [] as Record<string, unknown>[] }));

vi.mock('electron', () => ({
  app: { whenReady: () => Promise.resolve(), enableSandbox: () => undefined, on: () => undefined, quit: () => undefined },
}));
vi.mock('../../../src/main/app/studio-app.ts', () => ({
  registerSchemes: () => undefined,
  startElectronStudio: (options: Record<string, unknown>) => {
    captured.options.push(options);
    return { close: async () => undefined };
  },
}));

describe('Electron launch arguments', () => {
  it('electron-main passes every --allow folder to the studio, not the home folder', async () => {
    const argv = process.argv;
    process.argv = ['/opt/electron', '/repo', '--projects=/p/studio', '--models=/m', '--allow=/data/videos', '--allow=/mnt/clips'];
    try {
      await import('../../../src/main/app/electron-main.ts');
      await vi.waitFor(() => expect(captured.options).toHaveLength(1));
    } finally {
      process.argv = argv;
    }
    expect(captured.options[0]).toMatchObject({ projectsDir: '/p/studio', modelsDir: '/m', importRoots: ['/data/videos', '/mnt/clips'] });
  });

  it('m3c studio hands Electron the same roots as the web mode; without --allow the shell falls back to home', () => {
    const args = { projectsDir: '/p', modelsDir: '/m', importRoots: ['/a', '/b c'] };
    expect(shellArgv(args)).toEqual(['--projects=/p', '--models=/m', '--allow=/a', '--allow=/b c']);
    expect(parseShellArgs(['/repo', ...shellArgv(args)])).toEqual(args);
    expect(parseShellArgs(['/repo', '--projects=/p'], {}, '/home/u')).toEqual({ projectsDir: '/p', importRoots: ['/home/u'] });
  });

  it('allowedRoots resolves folders, defaults to cwd and home, and refuses missing folders', () => {
    expect(allowedRoots(undefined, '/w', '/home/u')).toEqual(['/w', '/home/u']);
    expect(allowedRoots(['.'], os.tmpdir())).toEqual([os.tmpdir()]);
    expect(() => allowedRoots(['/no/such/folder/m3c'])).toThrow(/--allow \/no\/such\/folder\/m3c: no such folder/);
  });
});
