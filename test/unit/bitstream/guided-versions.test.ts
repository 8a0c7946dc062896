import { describe, expect, it } from 'vitest';
import { describeSections, M3C_VERSION_1, M3C_VERSION_2, parseM3c, writeM3c, type M3cGuide } from '../../../src/shared/bitstream/index.ts';
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

describe('bitstream versions 2 and 3 (guide section, guided clips; version 3 codes the ids)', () => {
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

  it.each([3, 2] as const)('a guided file round-trips in version %i: guide fields, stream, per-clip modes', (version) => {
    const input = guidedFile();
    const bytes = writeM3c(input, { version });
    expect(bytes[3]).toBe(version);
    const r = parseM3c(bytes);
    if (!r.ok) throw new Error(r.error.message);
    expect(r.file.version).toBe(version);
    const { stream, ...fields } = r.file.guide!;
    const { stream: want, ...wantFields } = guide;
    expect(fields).toEqual(wantFields);
    expect(Buffer.from(stream).equals(Buffer.from(want))).toBe(true);
    expect(r.file.clips.map((c) => c.mode)).toEqual(['guided', 'prediction', 'guided', 'prediction', 'guided']);
    expect(writeM3c(r.file, { version })).toEqual(bytes);
    const layout = describeSections(bytes);
    expect(layout.sections.map((s) => s.name).slice(0, 4)).toEqual(['preamble', 'header', 'guide', 'clip 1']);
    expect(layout.ok && layout.sections[2].fields.find((f) => f.name === 'guide stream')!.size).toBe(1500);
  });

  it('version 3 spends a byte or two where version 2 spelled ids out, and an id no table lists still round-trips', () => {
    const input = guidedFile();
    const h = input.header;
    // Version 2: each id as its length and characters. Version 3: a listed id is its code (1 byte); an unlisted
    // one code 0 and then as before; the encoder "libsvtav1 preset 6" is a code and its setting (2 bytes).
    const listed = ['m3c-classical-1', 'classical-av1-v1'];
    expect([h.modelPackId, h.keyframeCodecId].every((id) => listed.includes(id))).toBe(true);
    expect(listed.includes(h.reconstructorId) || listed.includes(h.textCoderId)).toBe(false);
    const saved = h.modelPackId.length + h.keyframeCodecId.length - 2 + guide.codecId.length + (1 + guide.encoder.length - 2);
    const v2 = writeM3c(input, { version: M3C_VERSION_2 });
    const v3 = writeM3c(input);
    expect(v2.length - v3.length).toBe(saved);
    const r = parseM3c(v3);
    if (!r.ok) throw new Error(r.error.message);
    expect([r.file.header.modelPackId, r.file.header.reconstructorId, r.file.guide!.codecId, r.file.guide!.encoder]).toEqual([h.modelPackId, h.reconstructorId, 'av1-obu', 'libsvtav1 preset 6']);
    expect(writeM3c(r.file)).toEqual(v3);
    // An encoder string that only looks like a listed form is written out and reads back as it was.
    const odd = parseM3c(writeM3c({ ...input, guide: { ...guide, encoder: 'libsvtav1 preset 06' } }));
    expect(odd.ok && odd.file.guide!.encoder).toBe('libsvtav1 preset 06');
    // The ids of a guided encode today: 103 bytes spelled out, 7 as codes.
    const today = { ...input, header: { ...h, modelPackId: 'm3c-learned-2', reconstructorId: 'guided-restore-v2', textCoderId: 'text-raw-lzw-cm-v1' }, guide: { ...guide, codecId: 'av1-obu-lean', encoder: 'libaom-av1 cpu-used 3' } };
    expect(writeM3c(today, { version: M3C_VERSION_2 }).length - writeM3c(today).length).toBe(103 - 7);
  });

  it('version 3 refuses an unknown id code and a listed id written out (one spelling per id), at their offsets', () => {
    const bytes = writeM3c(guidedFile());
    const layout = describeSections(bytes);
    const g = layout.sections.find((s) => s.name === 'guide')!;
    const code = g.fields.find((f) => f.name === 'guide codec id code')!;
    const bad = bytes.slice();
    bad[code.offset] = 9;
    reseal(bad, g.offset, g.offset + g.size - 4);
    const r = parseM3c(bad);
    expect(!r.ok && [r.error.kind, r.error.offset]).toEqual(['out-of-range', code.offset]);
    expect(!r.ok && r.error.message).toMatch(/guide codec id code 9 is not one this build knows/);

    // The header's model pack id written out although "m3c-learned-2" has code 3.
    const listed = guidedFile();
    listed.header = { ...listed.header, modelPackId: 'm3c-learned-2' };
    const f = writeM3c(listed);
    const h = describeSections(f).sections.find((s) => s.name === 'header')!;
    const at = h.fields.find((x) => x.name === 'model pack id code')!.offset;
    const fields = [...f.subarray(h.fields[0].offset + h.fields[0].size, at), 0, 13, ...new TextEncoder().encode('m3c-learned-2'), ...f.subarray(at + 1, h.offset + h.size - 4)];
    const body = Uint8Array.from([fields.length, ...fields]);
    const c = crc32(body);
    const forged = Uint8Array.from([...f.subarray(0, h.offset), ...body, c & 0xff, (c >>> 8) & 0xff, (c >>> 16) & 0xff, c >>> 24, ...f.subarray(h.offset + h.size)]);
    const w = parseM3c(forged);
    expect(!w.ok && [w.error.kind, w.error.offset]).toEqual(['out-of-range', at]);
    expect(!w.ok && w.error.message).toMatch(/model pack id "m3c-learned-2" is written out although its code is 3/);
  });

  it('the writer refuses a guided clip without a guide and a guide larger or faster than the video', () => {
    const f = typicalFile();
    expect(() => writeM3c({ header: f.header, clips: f.clips.map((c) => ({ ...c, mode: 'guided' as const })) })).toThrow(/guided clip needs a guide/);
    expect(() => writeM3c({ ...guidedFile(), guide: { ...guide, width: 1024 } })).toThrow(/larger than the video/);
    expect(() => writeM3c({ ...guidedFile(), guide: { ...guide, fpsNum: 30 } })).toThrow(/above the video/);
    expect(() => writeM3c({ ...guidedFile(), guide: { ...guide, codecId: 'h264' } })).toThrow(/not a known guide codec/);
    expect(() => writeM3c(typicalFile(), { version: 3 })).toThrow(/guided file only/);
  });

  it('the parser refuses an undefined mode code and an unknown guide codec, at their offsets', () => {
    const bytes = writeM3c(guidedFile(), { version: M3C_VERSION_2 });
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
