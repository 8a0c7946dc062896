/**
 * A served file is read from the file that was opened, whatever is renamed over its path meanwhile (the
 * thumbnail pass renames finished thumbnails over ones made singly; the e2e run once saw Chromium report
 * ERR_CONTENT_LENGTH_MISMATCH when the length came from one file and the body from the other).
 */
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openForServing } from '../../../src/main/server/open-file.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'm3c-open-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function read(s: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of s) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

describe('openForServing', () => {
  it('sends the opened file, its announced length, after another file is renamed over the path', async () => {
    const file = path.join(dir, '7.jpg');
    writeFileSync(file, Buffer.alloc(1000, 1));
    const opened = openForServing(file);
    writeFileSync(path.join(dir, 'other'), Buffer.alloc(300, 2));
    renameSync(path.join(dir, 'other'), file);
    expect(opened.size).toBe(1000);
    const body = await read(opened.stream(0, opened.size - 1));
    expect(body.length).toBe(1000);
    expect(body.every((b) => b === 1)).toBe(true);
    // A range of the file now at the path.
    const again = openForServing(file);
    expect(again.size).toBe(300);
    expect((await read(again.stream(100, 199))).length).toBe(100);
    // Closing without reading, twice, is harmless.
    const unread = openForServing(file);
    unread.close();
    unread.close();
  });
});
