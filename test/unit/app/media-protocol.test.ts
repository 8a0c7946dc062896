/** The Electron media scheme's responses (mediaResponse), on real files: length, Range, and a rename over the path. */
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mediaResponse } from '../../../src/main/app/media-protocol.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'm3c-media-protocol-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('mediaResponse', () => {
  it('answers a file whole, a range of it, and 416 past its end; a file renamed over the path later does not change the body', async () => {
    const file = path.join(dir, '3.jpg');
    writeFileSync(file, Buffer.from(Array.from({ length: 500 }, (_, i) => i % 251)));
    const whole = mediaResponse({ kind: 'file', path: file, contentType: 'image/jpeg' }, null);
    writeFileSync(path.join(dir, 'next'), Buffer.alloc(40));
    renameSync(path.join(dir, 'next'), file);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('Content-Length')).toBe('500');
    const body = new Uint8Array(await whole.arrayBuffer());
    expect(body.length).toBe(500);
    expect(body[250]).toBe(250 % 251);
    const part = mediaResponse({ kind: 'file', path: file, contentType: 'image/jpeg' }, 'bytes=10-19');
    expect([part.status, part.headers.get('Content-Range'), (await part.arrayBuffer()).byteLength]).toEqual([206, 'bytes 10-19/40', 10]);
    expect(mediaResponse({ kind: 'file', path: file, contentType: 'image/jpeg' }, 'bytes=100-').status).toBe(416);
    const bytes = mediaResponse({ kind: 'bytes', bytes: Uint8Array.of(1, 2, 3), contentType: 'application/octet-stream' }, 'bytes=1-');
    expect(Array.from(new Uint8Array(await bytes.arrayBuffer()))).toEqual([2, 3]);
  });
});
