/**
 * Minimal PNG writer for RGB24 frames. The LMM receives images as data URLs; PNG is lossless, so the
 * model sees exactly the frame the codec works on, and it needs nothing beyond node:zlib.
 */
import { deflateSync } from 'node:zlib';
import type { RgbFrame } from '../../shared/engine/frame.ts';
import { crc32 } from '../../shared/bitstream/crc32.ts';

const SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  const typeBytes = new TextEncoder().encode(type);
  out.set(typeBytes, 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(data, crc32(typeBytes)));
  return out;
}

/** Encodes a packed RGB24 frame as an 8-bit truecolour PNG (filter 0 on every row). */
export function encodePng(frame: RgbFrame): Uint8Array {
  const { width, height, data } = frame;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new RangeError(`cannot encode a ${width}x${height} frame as PNG`);
  }
  if (data.length !== width * height * 3) {
    throw new RangeError(`frame data has ${data.length} bytes, expected ${width * height * 3} for ${width}x${height}`);
  }
  const header = new Uint8Array(13);
  const hv = new DataView(header.buffer);
  hv.setUint32(0, width);
  hv.setUint32(4, height);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type: truecolour
  // bytes 10..12: compression 0, filter method 0, no interlace

  const stride = width * 3;
  const raw = new Uint8Array((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (stride + 1)] = 0;
    raw.set(data.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  }
  const idat = new Uint8Array(deflateSync(raw));

  const parts = [SIGNATURE, chunk('IHDR', header), chunk('IDAT', idat), chunk('IEND', new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** `data:image/png;base64,...` for an OpenAI-style `image_url` content part. */
export function pngDataUrl(frame: RgbFrame): string {
  return `data:image/png;base64,${Buffer.from(encodePng(frame)).toString('base64')}`;
}
