import { describe, expect, it } from 'vitest';
import { crc32, describeSections, parseErrorToM3cError, parseM3c, quantiseRegion, roiSpecOf, writeM3c, type M3cGuide, type M3cInset, type M3cRoi } from '../../../src/shared/bitstream/index.ts';
import { concat, findField, Rng, typicalFile } from './fixtures.ts';

const rng = new Rng(23);
const guide: M3cGuide = { codecId: 'av1-obu', width: 128, height: 80, fpsNum: 4, fpsDen: 1, quantizer: 60, encoder: 'libsvtav1 preset 6', stream: rng.bytes(900) };
const inset: M3cInset = { ...guide, width: 96, height: 64, quantizer: 58, stream: rng.bytes(400), x: 124, y: 76, rectWidth: 264, rectHeight: 168 };

function guidedFile(roi?: M3cRoi) {
  const f = typicalFile();
  return { header: f.header, guide, clips: f.clips.map((c) => ({ ...c, mode: 'guided' as const })), ...(roi ? { roi } : {}) };
}

const regions = [
  quantiseRegion({ frames: [0, 79], box: [0.25, 0.25, 0.5, 0.5], weight: 2, label: 'face' }),
  quantiseRegion({ frames: [10, 20], box: [0.1, 0.6, 0.3, 0.301], weight: 0.5, label: 'ballon rouge' }),
];

describe('the regions section (bitstream v2, issue 14)', () => {
  it('quantises boxes outward to 1/256 and weights to 1/16', () => {
    expect(regions[0]).toEqual({ first: 0, last: 79, box: [64, 64, 192, 192], weight16: 32, label: 'face' });
    // 0.1 * 256 = 25.6 -> 25; (0.6 + 0.301) * 256 = 230.66 -> 231: the stored box contains the asked one.
    expect(regions[1].box).toEqual([25, 153, 103, 231]);
    const back = roiSpecOf({ regions }).regions[1];
    expect(back.box[0]).toBeLessThanOrEqual(0.1);
    expect(back.box[1] + back.box[3]).toBeGreaterThanOrEqual(0.901);
    expect(back.weight).toBe(0.5);
    expect(quantiseRegion({ frames: [0, 0], box: [0, 0, 1, 1], weight: 0.001, label: '' }).weight16).toBe(1);
  });

  it('round-trips regions and inset, byte for byte, and a file without regions is unchanged', () => {
    const plain = writeM3c(guidedFile());
    const bytes = writeM3c(guidedFile({ regions, inset }));
    // The section comes after the last clip: the bytes before it are those of the plain file.
    expect(Buffer.from(bytes.subarray(0, plain.length)).equals(Buffer.from(plain))).toBe(true);
    const r = parseM3c(bytes);
    if (!r.ok) throw new Error(r.error.message);
    expect(r.file.roi!.regions).toEqual(regions);
    const { stream, ...fields } = r.file.roi!.inset!;
    const { stream: want, ...wantFields } = inset;
    expect(fields).toEqual(wantFields);
    expect(Buffer.from(stream).equals(Buffer.from(want))).toBe(true);
    expect(writeM3c(r.file)).toEqual(bytes);
    const p = parseM3c(plain);
    expect(p.ok && p.file.roi).toBeUndefined();
    const layout = describeSections(bytes);
    expect(layout.sections.at(-1)!.name).toBe('regions');
    expect(layout.sections.at(-1)!.fields.find((f) => f.name === 'inset stream')!.size).toBe(400);
    // Compact: two regions (labels 4 and 12 bytes) and the inset's fields (codec and encoder as codes, 3 bytes) cost 57
    // bytes besides the stream (81 in version 2, which spelled the codec and the encoder out).
    expect(bytes.length - plain.length - 400).toBe(57);
  });

  it('regions without an inset round-trip', () => {
    const bytes = writeM3c(guidedFile({ regions }));
    const r = parseM3c(bytes);
    expect(r.ok && r.file.roi).toEqual({ regions });
  });

  it('a warp over a frame range (layer 3) round-trips; one over every frame stays layer 2', () => {
    const warp = { x: { a: 64, b: 192, A: 32, B: 224 }, y: { a: 64, b: 192, A: 32, B: 224 } };
    const all = writeM3c(guidedFile({ regions, warp }));
    const part = writeM3c(guidedFile({ regions, warp: { ...warp, frames: [10, 20] } }));
    const layer = (bytes: Uint8Array): number => {
      const f = describeSections(bytes).sections.at(-1)!.fields.find((x) => x.name.startsWith('layer'))!;
      return bytes[f.offset];
    };
    expect([layer(all), layer(part)]).toEqual([2, 3]);
    // Two varints more: the first frame and the range's length less one.
    expect(part.length - all.length).toBe(2);
    const r = parseM3c(part);
    expect(r.ok && r.file.roi!.warp).toEqual({ ...warp, frames: [10, 20] });
    const back = parseM3c(all);
    expect(back.ok && back.file.roi!.warp!.frames).toBeUndefined();
    expect(() => writeM3c(guidedFile({ regions, warp: { ...warp, frames: [10, 80] } }))).toThrow(/warp frames 10\.\.80 are not a range inside the video's 80 frames/);
    expect(() => writeM3c(guidedFile({ regions, warp: { ...warp, frames: [20, 10] } }))).toThrow(/warp frames/);
  });

  it('the writer refuses regions on a version-1 file and values out of range', () => {
    const f = typicalFile();
    expect(() => writeM3c({ ...f, roi: { regions } })).toThrow(/need a guided file/);
    expect(() => writeM3c(guidedFile({ regions: [{ ...regions[0], last: 80 }] }))).toThrow(/past the video's last frame/);
    expect(() => writeM3c(guidedFile({ regions: [] }))).toThrow(/region count/);
    expect(() => writeM3c(guidedFile({ regions, inset: { ...inset, x: 300 } }))).toThrow(/inset rectangle/);
    expect(() => writeM3c(guidedFile({ regions, inset: { ...inset, width: 300 } }))).toThrow(/larger than its rectangle/);
  });

  it('a damaged regions section is a one-line corrupt-bitstream error', () => {
    const bytes = writeM3c(guidedFile({ regions, inset }));
    const at = describeSections(bytes).sections.at(-1)!.offset;
    const flipped = Uint8Array.from(bytes);
    flipped[at + 5] ^= 0x40;
    const r = parseM3c(flipped);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.kind).toBe('checksum-mismatch');
    expect(r.error.message).toMatch(/regions section .* fails its checksum/);
    const e = parseErrorToM3cError(r.error);
    expect(e.code).toBe('corrupt-bitstream');
    expect(e.message).not.toMatch(/\n/);

    // A resealed section with a region past the video: out-of-range, naming the region.
    const { offset: lastAt, sectionOffset } = findField(bytes, 'regions', 'region 1 frame count - 1');
    const edited = Uint8Array.from(bytes);
    edited[lastAt] = 100;
    const layout = describeSections(bytes).sections.at(-1)!;
    const fieldsEnd = sectionOffset + layout.size - 4;
    const c = crc32(edited.subarray(sectionOffset, fieldsEnd));
    edited.set([c & 0xff, (c >>> 8) & 0xff, (c >>> 16) & 0xff, c >>> 24], fieldsEnd);
    const o = parseM3c(edited);
    expect(!o.ok && o.error.kind).toBe('out-of-range');
    expect(!o.ok && o.error.message).toMatch(/regions: region 1 ends at frame 100/);
  });

  it('junk after the last clip is still trailing data, and after the regions too', () => {
    const plain = writeM3c(guidedFile());
    const junk = parseM3c(concat(plain, Uint8Array.of(0)));
    expect(!junk.ok && junk.error.kind).toBe('trailing-data');
    const withRoi = writeM3c(guidedFile({ regions }));
    const after = parseM3c(concat(withRoi, Uint8Array.of(1, 2)));
    expect(!after.ok && after.error.kind).toBe('trailing-data');
    // A truncated regions section is refused too.
    const cut = parseM3c(withRoi.subarray(0, withRoi.length - 3));
    expect(cut.ok).toBe(false);
  });
});
