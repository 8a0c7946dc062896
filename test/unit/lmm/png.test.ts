import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encodePng, pngDataUrl } from '../../../src/main/lmm/png.ts';
import { crc32 } from '../../../src/shared/bitstream/crc32.ts';

function gradient(width: number, height: number): { width: number; height: number; data: Uint8Array } {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    data[i * 3] = (i * 7) & 255;
    data[i * 3 + 1] = (i * 13 + 5) & 255;
    data[i * 3 + 2] = (i >> 3) & 255;
  }
  return { width, height, data };
}

describe('PNG encoder', () => {
  it('computes the standard CRC-32', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new TextEncoder().encode('56789'), crc32(new TextEncoder().encode('1234')))).toBe(0xcbf43926);
  });

  it('writes a PNG that ffmpeg decodes back to the same pixels', () => {
    const frame = gradient(37, 11);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'm3c-png-'));
    try {
      const file = path.join(dir, 'f.png');
      writeFileSync(file, encodePng(frame));
      const out = execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1']);
      expect(new Uint8Array(out)).toEqual(frame.data);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('builds a base64 data URL and refuses inconsistent frames', () => {
    const url = pngDataUrl(gradient(4, 2));
    expect(url.startsWith('data:image/png;base64,iVBORw0KGgo')).toBe(true);
    expect(() => encodePng({ width: 4, height: 2, data: new Uint8Array(5) })).toThrow(/expected 24/);
    expect(() => encodePng({ width: 0, height: 2, data: new Uint8Array(0) })).toThrow(RangeError);
  });
});
