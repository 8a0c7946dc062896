/**
 * Just enough of the AV1 bitstream syntax (spec section 5.5) to read the frame size from the
 * sequence header of a still picture, so a decoder can check a payload before handing it to ffmpeg.
 */
import { M3cError } from '../../shared/engine/errors.ts';

const OBU_SEQUENCE_HEADER = 1;

function corrupt(why: string): M3cError {
  return new M3cError('corrupt-bitstream', `keyframe payload is not an AV1 still picture: ${why}`);
}

class BitReader {
  private pos = 0;
  constructor(
    private readonly bytes: Uint8Array,
    private readonly end: number,
  ) {}
  read(n: number): number {
    let v = 0;
    for (let i = 0; i < n; i++) {
      const byte = this.pos >> 3;
      if (byte >= this.end) throw corrupt('sequence header is truncated');
      v = v * 2 + ((this.bytes[byte] >> (7 - (this.pos & 7))) & 1);
      this.pos++;
    }
    return v;
  }
}

/**
 * Reads the first OBU, which must be a sequence header with reduced_still_picture_header set (what
 * libaom writes with -still-picture 1), and returns its max frame size, which is the coded size.
 */
export function av1StillPictureSize(obus: Uint8Array): { width: number; height: number } {
  if (obus.length < 2) throw corrupt('too short');
  const header = obus[0];
  const type = (header >> 3) & 0x0f;
  if (header & 0x80 || type !== OBU_SEQUENCE_HEADER) throw corrupt(`first OBU has type ${type}, not a sequence header`);
  if (header & 0x04) throw corrupt('extension OBU headers are not used by this format');
  if (!(header & 0x02)) throw corrupt('sequence header has no size field');
  let size = 0;
  let at = 1;
  for (let i = 0; ; i++) {
    if (i === 8 || at >= obus.length) throw corrupt('bad OBU size field');
    const b = obus[at++];
    size += (b & 0x7f) * 2 ** (7 * i);
    if (!(b & 0x80)) break;
  }
  if (at + size > obus.length) throw corrupt('sequence header runs past the end of the payload');
  const r = new BitReader(obus.subarray(at), size);
  r.read(3); // seq_profile
  r.read(1); // still_picture
  if (r.read(1) !== 1) throw corrupt('sequence header is not the reduced still-picture form');
  r.read(5); // seq_level_idx[0]
  const widthBits = r.read(4) + 1;
  const heightBits = r.read(4) + 1;
  return { width: r.read(widthBits) + 1, height: r.read(heightBits) + 1 };
}
