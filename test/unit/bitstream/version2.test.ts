import { describe, expect, it } from 'vitest';
import { describeSections, M3C_VERSION, M3C_VERSION_1, parseM3c, writeM3c, type M3cGuide } from '../../../src/shared/bitstream/index.ts';
import { crc32 } from '../../../src/shared/bitstream/index.ts';
import { Rng, typicalFile } from './fixtures.ts';

const rng = new Rng(11);
const guide: M3cGuide = { codecId: 'av1-obu', width: 128, height: 80, fpsNum: 4, fpsDen: 1, quantizer: 60, encoder: 'libsvtav1 preset 6', stream: rng.bytes(1500) };

function guidedFile() {
  const f = typicalFile();
  return { header: f.header, guide, clips: f.clips.map((c, i) => ({ ...c, mode: i % 2 === 0 ? ('guided' as const) : ('prediction' as const) })) };
}

/** Re-seals a section whose fields were edited: its CRC over prefix and fields. */
function reseal(bytes: Uint8Array, sectionAt: number, fieldsEnd: number): void {
  const c = crc32(bytes.subarray(sectionAt, fieldsEnd));
  bytes.set([c & 0xff, (c >>> 8) & 0xff, (c >>> 16) & 0xff, c >>> 24], fieldsEnd);
}

describe('bitstream version 2 (guide section, guided clips)', () => {
  it('a file without a guide is still written as version 1, byte for byte', () => {
    const f = typicalFile();
    const bytes = writeM3c(f);
    expect(bytes[3]).toBe(M3C_VERSION_1);
    const r = parseM3c(bytes);
    expect(r.ok && r.file.version).toBe(1);
    expect(r.ok && r.file.guide).toBeUndefined();
    // Exactly the bytes of the version-1 writer: length-and-mode = length * 2 + interpolation bit.
    const layout = describeSections(bytes);
    expect(layout.ok).toBe(true);
    const clip1 = layout.sections.find((s) => s.name === 'clip 1')!;
    expect(bytes[clip1.offset + 2]).toBe(16 * 2 + 1);
  });

  it('a guided file round-trips: guide fields, stream, per-clip modes', () => {
    const input = guidedFile();
    const bytes = writeM3c(input);
    expect(bytes[3]).toBe(M3C_VERSION);
    const r = parseM3c(bytes);
    if (!r.ok) throw new Error(r.error.message);
    expect(r.file.version).toBe(2);
    const { stream, ...fields } = r.file.guide!;
    const { stream: want, ...wantFields } = guide;
    expect(fields).toEqual(wantFields);
    expect(Buffer.from(stream).equals(Buffer.from(want))).toBe(true);
    expect(r.file.clips.map((c) => c.mode)).toEqual(['guided', 'prediction', 'guided', 'prediction', 'guided']);
    expect(writeM3c(r.file)).toEqual(bytes);
    const layout = describeSections(bytes);
    expect(layout.sections.map((s) => s.name).slice(0, 4)).toEqual(['preamble', 'header', 'guide', 'clip 1']);
    expect(layout.ok && layout.sections[2].fields.find((f) => f.name === 'guide stream')!.size).toBe(1500);
  });

  it('the writer refuses a guided clip without a guide and a guide larger or faster than the video', () => {
    const f = typicalFile();
    expect(() => writeM3c({ header: f.header, clips: f.clips.map((c) => ({ ...c, mode: 'guided' as const })) })).toThrow(/guided clip needs a guide/);
    expect(() => writeM3c({ ...guidedFile(), guide: { ...guide, width: 1024 } })).toThrow(/larger than the video/);
    expect(() => writeM3c({ ...guidedFile(), guide: { ...guide, fpsNum: 30 } })).toThrow(/above the video/);
    expect(() => writeM3c({ ...guidedFile(), guide: { ...guide, codecId: 'h264' } })).toThrow(/not a known guide codec/);
  });

  it('the parser refuses an undefined mode code and an unknown guide codec, at their offsets', () => {
    const bytes = writeM3c(guidedFile());
    const layout = describeSections(bytes);
    const clip = layout.sections.find((s) => s.name === 'clip 1')!;
    const modeField = clip.fields.find((f) => f.name === 'length and mode')!;
    const bad = bytes.slice();
    bad[modeField.offset] = 16 * 4 + 3;
    const fieldsEnd = clip.offset + clip.size - 4;
    reseal(bad, clip.offset, fieldsEnd);
    const r = parseM3c(bad);
    expect(r.ok).toBe(false);
    if (!r.ok) expect([r.error.kind, r.error.message, r.error.offset]).toEqual(['out-of-range', expect.stringMatching(/mode code 3 is not defined/), modeField.offset]);

    const g = layout.sections.find((s) => s.name === 'guide')!;
    const id = g.fields.find((f) => f.name === 'guide codec id')!;
    const bad2 = bytes.slice();
    bad2[id.offset] = 'x'.charCodeAt(0);
    reseal(bad2, g.offset, g.offset + g.size - 4);
    const r2 = parseM3c(bad2);
    expect(!r2.ok && r2.error.message).toMatch(/guide: codec "xv1-obu" is not one this build decodes/);
  });

  it('a damaged guide section is a checksum error', () => {
    const bytes = writeM3c(guidedFile());
    const g = describeSections(bytes).sections.find((s) => s.name === 'guide')!;
    const bad = bytes.slice();
    bad[g.offset + 40] ^= 0xff;
    const r = parseM3c(bad);
    expect(!r.ok && r.error.kind).toBe('checksum-mismatch');
  });
});
