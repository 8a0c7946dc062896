import { describe, expect, it } from 'vitest';
import { leanObuStream, restoreTemporalDelimiters } from '../../../src/main/codecs/av1-temporal-units.ts';
import { M3cError } from '../../../src/shared/engine/errors.ts';

/** An OBU with obu_has_size_field, a one-byte size and the given payload. */
function obu(type: number, payload: number[]): number[] {
  return [(type << 3) | 0x02, payload.length, ...payload];
}
const TD = obu(2, []);
const SEQ = obu(1, [0, 0, 0, 0]);
// First payload byte of a frame header: bit 7 show_existing_frame, bits 6..5 frame_type, bit 4 show_frame.
const shown = (n: number) => obu(6, [0x10, n, n]);
const hidden = (n: number) => obu(6, [0x20, n]);
const showExisting = obu(3, [0x80]);
const metadata = obu(5, [1, 2]);

describe('av1-obu-lean: temporal delimiters left out and put back', () => {
  it('a stream with hidden frames and shown-existing frames round-trips, 2 bytes per temporal unit lighter', () => {
    const units = [[...TD, ...SEQ, ...shown(1)], [...TD, ...hidden(2), ...hidden(3), ...shown(4)], [...TD, ...showExisting], [...TD, ...shown(5)]];
    const stream = Uint8Array.from(units.flat());
    const lean = leanObuStream(stream)!;
    expect(lean).toBeDefined();
    expect(stream.length - lean.length).toBe(2 * units.length);
    expect([...lean].includes(0x12)).toBe(false);
    expect(restoreTemporalDelimiters(lean)).toEqual(stream);
  });

  it('keeps a stream as it is where the rule would not give it back', () => {
    // A metadata OBU opening a temporal unit: putting the delimiter back before the next frame would move it.
    expect(leanObuStream(Uint8Array.from([...TD, ...SEQ, ...shown(1), ...TD, ...metadata, ...shown(2)]))).toBeUndefined();
    // No delimiter where the rule wants one (two shown frames in one temporal unit).
    expect(leanObuStream(Uint8Array.from([...TD, ...SEQ, ...shown(1), ...shown(2)]))).toBeUndefined();
    // Not a low-overhead stream: an OBU without its size field, a size past the end, the forbidden bit.
    expect(leanObuStream(Uint8Array.from([0x30, 1, 2, 3]))).toBeUndefined();
    expect(leanObuStream(Uint8Array.from([...TD, 0x32, 9, 1]))).toBeUndefined();
    expect(leanObuStream(Uint8Array.from([0x92, 0]))).toBeUndefined();
    expect(leanObuStream(new Uint8Array(0))).toBeUndefined();
  });

  it('a lean stream that is not an OBU stream, or holds a delimiter, is a corrupt bitstream', () => {
    for (const bad of [Uint8Array.from([0x32, 200, 1, 2]), Uint8Array.from([...SEQ, ...TD, ...shown(1)])]) {
      let error: unknown;
      try {
        restoreTemporalDelimiters(bad);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(M3cError);
      expect((error as M3cError).code).toBe('corrupt-bitstream');
    }
  });
});
