/** Issue 13: `m3c studio --allow` refuses folders that do not exist (one line, usage exit code 2). */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.ts';

describe('m3c studio --allow', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'm3c-allow-'));
    writeFileSync(path.join(dir, 'a-file.mp4'), 'x');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a folder that does not exist is a one-line usage error (exit 2), before anything starts', async () => {
    const missing = path.join(dir, 'no-such-folder');
    const r = await runCli(['studio', '--web', '--port', '0', '--projects', path.join(dir, 'projects'), '--allow', dir, '--allow', missing]);
    expect(r.code).toBe(2);
    expect(r.stdout).not.toContain('open:');
    expect(r.stderr.trim().split('\n')).toEqual([`m3c: --allow ${missing}: no such folder`]);
  }, 60_000);

  it('a file is not a folder', async () => {
    const file = path.join(dir, 'a-file.mp4');
    const r = await runCli(['studio', '--web', '--port', '0', '--projects', path.join(dir, 'projects'), '--allow', file]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`m3c: --allow ${file}: not a folder`);
  }, 60_000);
});
