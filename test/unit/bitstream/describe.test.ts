import { describe, expect, it } from 'vitest';
import { describeSections, layoutTotals, writeM3c } from '../../../src/shared/bitstream/index.ts';
import { Rng, randomFile, typicalFile } from './fixtures.ts';

describe('describeSections', () => {
  it('lists preamble, header and one section per clip, tiling the file without gaps', () => {
    const rng = new Rng(99);
    for (let n = 0; n < 50; n++) {
      const input = randomFile(rng);
      const bytes = writeM3c(input);
      const layout = describeSections(bytes);
      expect(layout.ok).toBe(true);
      expect(layout.totalBytes).toBe(bytes.length);
      expect(layout.sections.map((s) => s.name)).toEqual(['preamble', 'header', ...input.clips.map((_, i) => `clip ${i + 1}`)]);
      let at = 0;
      for (const s of layout.sections) {
        expect(s.offset).toBe(at);
        let fieldAt = s.offset;
        for (const f of s.fields) {
          expect(f.offset).toBe(fieldAt);
          fieldAt += f.size;
        }
        expect(fieldAt).toBe(s.offset + s.size);
        at += s.size;
      }
      expect(at).toBe(bytes.length);
      const totals = layoutTotals(layout.sections);
      const sum = (pick: (c: (typeof input.clips)[number]) => number): number => input.clips.reduce((a, c) => a + pick(c), 0);
      expect(totals.keyframe).toBe(sum((c) => c.keyframe.length));
      expect(totals.text).toBe(sum((c) => c.keyframeText.length + c.clipText.length));
      expect(totals.framing + totals.metadata + totals.keyframe + totals.text).toBe(bytes.length);
    }
  });

  it('names the fields of a clip section with their sizes', () => {
    const bytes = writeM3c(typicalFile());
    const layout = describeSections(bytes);
    const clip = layout.sections[3];
    expect(clip.name).toBe('clip 2');
    expect(clip.fields.map((f) => [f.name, f.size, f.kind])).toEqual([
      ['section length', 2, 'framing'],
      ['length and mode', 1, 'metadata'],
      ['keyframe payload length', 2, 'framing'],
      ['keyframe payload', 600, 'keyframe'],
      ['keyframe text length', 1, 'framing'],
      ['keyframe text', 40, 'text'],
      ['clip text', 30, 'text'],
      ['crc-32', 4, 'framing'],
    ]);
    if (layout.ok) expect(layout.file.clips[1].firstFrame).toBe(16);
  });

  it('on a damaged file returns the error and the sections read before it', () => {
    const bytes = writeM3c(typicalFile());
    const clip4 = describeSections(bytes).sections[5];
    const damaged = bytes.slice();
    damaged[clip4.offset + 50] ^= 0xff;
    const layout = describeSections(damaged);
    expect(layout.ok).toBe(false);
    if (layout.ok) return;
    expect(layout.error.kind).toBe('checksum-mismatch');
    expect(layout.error.offset).toBe(clip4.offset);
    expect(layout.sections.slice(0, 5).map((s) => s.name)).toEqual(['preamble', 'header', 'clip 1', 'clip 2', 'clip 3']);
    expect(describeSections(new Uint8Array(0))).toMatchObject({ ok: false, totalBytes: 0, error: { kind: 'truncated' } });
  });
});
