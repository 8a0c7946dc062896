import { describe, expect, it } from 'vitest';
import { M3cError } from '../../../src/shared/engine/errors.ts';
import { makeFrame } from '../../../src/shared/engine/frame.ts';
import { boxPixels, maskedLumaSse, parseRoiJson, regionsAt, roiJson, roiMask } from '../../../src/shared/roi/index.ts';
import { cropFrame, INSET_FEATHER, insetRect, pasteInset } from '../../../src/shared/reconstruct/roi-inset.ts';
import { insetShare, MAX_INSET_SHARE, MIN_INSET_SHARE } from '../../../src/main/pipeline/roi.ts';

const quarter = parseRoiJson('{"regions": [{"frames": [0, 9], "box": [0.25, 0.25, 0.5, 0.5], "weight": 1, "label": "q"}]}', 'roi.json');

function error(f: () => unknown): M3cError {
  try {
    f();
  } catch (e) {
    if (e instanceof M3cError) return e;
    throw e;
  }
  throw new Error('no error');
}

describe('shared/roi', () => {
  it('parses a --roi file and writes it back canonically', () => {
    expect(quarter.regions[0]).toEqual({ frames: [0, 9], box: [0.25, 0.25, 0.5, 0.5], weight: 1, label: 'q', source: 'file' });
    expect(parseRoiJson(roiJson(quarter), 'again')).toEqual(quarter);
  });

  it('refuses a bad file with one line naming the file and the region', () => {
    const e = error(() => parseRoiJson('{"regions": [{"frames": [0, 1], "box": [0.8, 0, 0.5, 0.5]}]}', 'roi.json'));
    expect(e.code).toBe('input');
    expect(e.message).toMatch(/^roi\.json regions\[0\]: "box" .* is not inside the frame/);
    expect(error(() => parseRoiJson('{"regions": [{"frames": [0, 40], "box": [0, 0, 0.5, 0.5]}]}', 'r.json', { frameCount: 32 })).message).toMatch(/past the video's last frame \(31\)/);
    expect(error(() => parseRoiJson('{"regions": [{"frames": [0, 1], "box": [0, 0, 0.5, 0.5], "weight": 0}]}', 'r.json')).message).toMatch(/"weight"/);
    expect(error(() => parseRoiJson('not json', 'r.json')).message).toMatch(/^r\.json: is not JSON/);
  });

  it('regionsAt, boxPixels and roiMask agree', () => {
    expect(regionsAt(quarter, 9)).toHaveLength(1);
    expect(regionsAt(quarter, 10)).toHaveLength(0);
    expect(boxPixels(quarter.regions[0].box, 512, 320)).toEqual({ x: 128, y: 80, width: 256, height: 160 });
    const mask = roiMask(quarter, 0, 512, 320);
    expect(mask.reduce((a, b) => a + b, 0)).toBe(256 * 160);
    expect(roiMask(quarter, 10, 512, 320).every((v) => v === 0)).toBe(true);
  });

  it('maskedLumaSse splits the error inside and outside', () => {
    const a = makeFrame(4, 2);
    const b = makeFrame(4, 2);
    b.data.fill(10, 0, 3); // pixel 0 differs by 10 in every channel: luma error 10
    const mask = Uint8Array.from([1, 0, 0, 0, 0, 0, 0, 0]);
    const m = maskedLumaSse(a, b, mask);
    expect(m.inside.n).toBe(1);
    expect(m.inside.sse).toBeCloseTo(100, 6);
    expect(m.outside).toEqual({ sse: 0, n: 7 });
  });
});

describe('the inset layer', () => {
  it('its rectangle covers the regions plus the feather, on even pixels', () => {
    const r = insetRect(quarter, 512, 320);
    expect(r).toEqual({ x: 128 - INSET_FEATHER, y: 80 - INSET_FEATHER, width: 256 + 2 * INSET_FEATHER, height: 160 + 2 * INSET_FEATHER });
    const edge = insetRect(parseRoiJson('{"regions": [{"frames": [0, 0], "box": [0.98, 0.98, 0.02, 0.02]}]}', 'e'), 512, 320);
    expect(edge.x + edge.width).toBeLessThanOrEqual(512);
    expect(edge.width).toBeGreaterThanOrEqual(16);
    expect([edge.x, edge.y, edge.width, edge.height].every((v) => v % 2 === 0)).toBe(true);
  });

  it('pastes with full weight inside, a ramp at the edge and nothing outside', () => {
    const frame = makeFrame(64, 32);
    const rect = { x: 16, y: 8, width: 32, height: 16 };
    const inset = makeFrame(32, 16, new Uint8Array(32 * 16 * 3).fill(200));
    const out = pasteInset(frame, inset, rect);
    const at = (x: number, y: number): number => out.data[(y * 64 + x) * 3];
    expect(at(15, 16)).toBe(0);
    expect(at(16, 16)).toBe(50); // outermost pixel: 1/4
    expect(at(17, 16)).toBe(100);
    expect(at(16 + INSET_FEATHER, 16)).toBe(200);
    expect(at(32, 16)).toBe(200);
    expect(cropFrame(out, rect).data[(8 * 32 + 16) * 3]).toBe(200);
    // An edge on the frame's border is not feathered.
    const full = pasteInset(frame, makeFrame(64, 32, new Uint8Array(64 * 32 * 3).fill(90)), { x: 0, y: 0, width: 64, height: 32 });
    expect(full.data.every((v) => v === 90)).toBe(true);
  });

  it('its share follows area and weight, within its limits', () => {
    const s1 = insetShare(quarter, 512, 320);
    const heavy = parseRoiJson('{"regions": [{"frames": [0, 9], "box": [0.25, 0.25, 0.5, 0.5], "weight": 4}]}', 'h');
    const small = parseRoiJson('{"regions": [{"frames": [0, 9], "box": [0.45, 0.45, 0.05, 0.05]}]}', 's');
    expect(insetShare(heavy, 512, 320)).toBeGreaterThan(s1);
    expect(insetShare(small, 512, 320)).toBe(MIN_INSET_SHARE);
    expect(insetShare(parseRoiJson('{"regions": [{"frames": [0, 9], "box": [0, 0, 1, 1], "weight": 9}]}', 'f'), 512, 320)).toBe(MAX_INSET_SHARE);
  });
});
