import { createHash } from 'node:crypto';

/** How many frames a decoder gave and the SHA-256 of all their bytes, in order. */
export async function digestFrames(frames: AsyncIterable<{ data: Uint8Array }>): Promise<{ count: number; hash: string }> {
  const h = createHash('sha256');
  let count = 0;
  for await (const f of frames) {
    h.update(f.data);
    count++;
  }
  return { count, hash: h.digest('hex') };
}
