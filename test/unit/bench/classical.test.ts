/** bench/rd/classical.ts: the full-size classical codecs' settings, skips and input checks (issue 9). */
import { describe, expect, it } from 'vitest';
import { CLASSICAL_CODECS, classicalSkipReason, encodeClassical } from '../../../bench/rd/classical.ts';
import { CLASSICAL_SWEEPS, POINTS_PRESETS } from '../../../bench/rd/presets.ts';
import { makeFrame } from '../../../src/shared/engine/frame.ts';

const GEOMETRY = { width: 64, height: 40, fpsNum: 8, fpsDen: 1 };

describe('full-size classical anchors', () => {
  it('sweep x264/x265 QP up to 51 and SVT-AV1 CRF up to 63, coarsest first, in every preset', () => {
    expect(CLASSICAL_CODECS.map((c) => [c.codec, c.knob, c.maxKnob, c.muxer])).toEqual([
      ['x264', 'qp', 51, 'h264'],
      ['x265', 'qp', 51, 'hevc'],
      ['svt-av1', 'crf', 63, 'obu'],
    ]);
    // The guided preset runs no full-size codec (the forced-down envelope is the target).
    for (const preset of POINTS_PRESETS.filter((p) => p !== 'guided')) {
      for (const c of CLASSICAL_CODECS) {
        const v = CLASSICAL_SWEEPS[preset][c.codec];
        expect(v.length).toBeGreaterThanOrEqual(2);
        expect(v[0]).toBe(c.maxKnob);
        expect([...v].sort((a, b) => b - a)).toEqual([...v]);
      }
    }
    expect(CLASSICAL_CODECS.filter((c) => c.codec !== 'svt-av1').every((c) => /veryslow/.test(c.settings))).toBe(true);
  });

  it('skip a codec the installed ffmpeg lacks, with the reason', () => {
    const have = new Set(['libx264', 'libsvtav1']);
    expect(classicalSkipReason('x264', have)).toBeUndefined();
    expect(classicalSkipReason('x265', have)).toBe('libx265 is not in the installed ffmpeg');
  });

  it('refuse a setting out of range or an empty clip before running ffmpeg', async () => {
    const f = makeFrame(64, 40, new Uint8Array(64 * 40 * 3));
    await expect(encodeClassical([f], GEOMETRY, 'x264', 52)).rejects.toMatchObject({ code: 'usage', message: expect.stringMatching(/QP must be an integer in 0\.\.51/) });
    await expect(encodeClassical([f], GEOMETRY, 'svt-av1', 64)).rejects.toMatchObject({ code: 'usage', message: expect.stringMatching(/CRF must be an integer in 0\.\.63/) });
    await expect(encodeClassical([], GEOMETRY, 'x265', 40)).rejects.toMatchObject({ code: 'input' });
  });
});
