import { describe, expect, it } from 'vitest';
import { makeFrame } from '../../../src/shared/engine/frame.ts';
import { parseM3c, writeM3c, type M3cGuide } from '../../../src/shared/bitstream/index.ts';
import { axisWarp, mapAxis, warpFromGuide, warpToGuide, WARP_MAX_FRACTION } from '../../../src/shared/reconstruct/roi-warp.ts';
import { roiSection, roiWarp, warpMovedShare } from '../../../src/main/pipeline/roi.ts';
import { typicalFile } from '../bitstream/fixtures.ts';

const quarter = { regions: [{ frames: [0, 9] as const, box: [0.25, 0.25, 0.5, 0.5] as const, weight: 1, label: 'q' }] };

describe('the foveated guide (regions of interest)', () => {
  it('magnifies the regions box, keeps the frame borders and is invertible', () => {
    const w = axisWarp(64, 192, 1.5);
    expect(w).toEqual({ a: 64, b: 192, A: 32, B: 224 });
    expect(mapAxis(w, 0)).toBe(0);
    expect(mapAxis(w, 1)).toBe(1);
    expect(mapAxis(w, 0.25)).toBe(0.125);
    for (const t of [0.1, 0.3, 0.5, 0.8]) expect(mapAxis(w, mapAxis(w, t), true)).toBeCloseTo(t, 12);
    // Never more than WARP_MAX_FRACTION of the side; an edge on the border stays there.
    expect(axisWarp(0, 200, 3).B - axisWarp(0, 200, 3).A).toBeLessThanOrEqual(Math.round(WARP_MAX_FRACTION * 256));
    expect(axisWarp(0, 100, 1.5)).toMatchObject({ A: 0 });
    expect(axisWarp(156, 256, 1.5)).toMatchObject({ B: 256 });
    expect(axisWarp(0, 256, 2)).toEqual({ a: 0, b: 256, A: 0, B: 256 });
    expect(roiWarp(quarter).x).toEqual(w);
    expect(warpMovedShare(roiWarp(quarter))).toBeCloseTo(0.75 * 0.75 - 0.25, 12);
  });

  it('a flat picture stays flat both ways, and an edge inside the box comes back in place', () => {
    const flat = makeFrame(64, 40, new Uint8Array(64 * 40 * 3).fill(77));
    const warp = roiWarp(quarter);
    expect(warpToGuide(flat, warp, 32, 20).data.every((v) => v === 77)).toBe(true);
    expect(warpFromGuide(flat, warp, 128, 80).data.every((v) => v === 77)).toBe(true);
    // A vertical edge at x = 32 of 64 (the frame's middle) maps to the guide's middle and back.
    const edge = makeFrame(64, 40);
    for (let y = 0; y < 40; y++) for (let x = 32; x < 64; x++) edge.data.fill(200, (y * 64 + x) * 3, (y * 64 + x) * 3 + 3);
    const g = warpToGuide(edge, warp, 64, 40);
    expect(g.data[(20 * 64 + 30) * 3]).toBe(0);
    expect(g.data[(20 * 64 + 33) * 3]).toBe(200);
    const back = warpFromGuide(g, warp, 64, 40);
    expect(back.data[(20 * 64 + 30) * 3]).toBe(0);
    expect(back.data[(20 * 64 + 33) * 3]).toBe(200);
  });

  it('the warp rides in the regions section and round-trips; a bad one is out-of-range', () => {
    const f = typicalFile();
    const guide: M3cGuide = { codecId: 'av1-obu', width: 128, height: 80, fpsNum: 4, fpsDen: 1, quantizer: 60, encoder: 'libsvtav1 preset 6', stream: new Uint8Array(300) };
    const file = { header: f.header, guide, clips: f.clips.map((c) => ({ ...c, mode: 'guided' as const })), roi: roiSection({ regions: [{ ...quarter.regions[0], frames: [0, 79] }] }, { warp: roiWarp(quarter) }) };
    const bytes = writeM3c(file);
    const r = parseM3c(bytes);
    expect(r.ok && r.file.roi).toEqual(file.roi);
    expect(() => writeM3c({ ...file, roi: { ...file.roi, warp: { x: { a: 64, b: 192, A: 0, B: 224 }, y: file.roi.warp!.y } } })).toThrow(/not a monotone map/);
  });
});
