import { describe, expect, it } from 'vitest';
import { makePlane, type Plane } from '../../../src/shared/vision/plane.ts';
import { DenseFlowEstimator } from '../../../src/shared/vision/dense-flow.ts';
import { medianShift, regionsOfTrack, trackBox, type Box } from '../../../src/shared/roi/track.ts';
import { parseRegion } from '../../../src/shared/roi/index.ts';

const W = 128;
const H = 96;
const SIDE = 24;

/** A smooth-textured square on a flat grey background, its top-left corner at (x0, y0). */
function sceneAt(x0: number, y0: number): Plane {
  const p = makePlane(W, H);
  p.data.fill(0.5);
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      p.data[(y0 + y) * W + x0 + x] = 0.5 + 0.3 * Math.sin(x * 0.35) * Math.cos(y * 0.3) + 0.1 * Math.sin((x + 2 * y) * 0.3);
    }
  }
  return p;
}

describe('region tracking', () => {
  const est = new DenseFlowEstimator({ workingWidth: W });
  const flow = (a: Plane, b: Plane) => est.estimatePlanes(a, b);

  it('follows a textured square moved by known steps to within 2 px', () => {
    const steps = [
      [2, 1],
      [3, 0],
      [2, 2],
      [1, 3],
      [3, 1],
      [2, -1],
    ];
    const pos: [number, number][] = [[20, 20]];
    for (const [dx, dy] of steps) pos.push([pos[pos.length - 1][0] + dx, pos[pos.length - 1][1] + dy]);
    const planes = pos.map(([x, y]) => sceneAt(x, y));
    const start: Box = [20 / W, 20 / H, SIDE / W, SIDE / H];
    const boxes = trackBox(planes, start, flow);
    expect(boxes).toHaveLength(planes.length);
    for (let i = 0; i < boxes.length; i++) {
      expect(Math.abs(boxes[i][0] * W - pos[i][0])).toBeLessThanOrEqual(2);
      expect(Math.abs(boxes[i][1] * H - pos[i][1])).toBeLessThanOrEqual(2);
      expect(boxes[i][2]).toBeCloseTo(SIDE / W, 9);
    }
    // It really moved (a tracker that stands still fails the line above by the last frame: 13 px right).
    expect(boxes[boxes.length - 1][0] * W - 20).toBeGreaterThan(10);
  });

  it('stays put on a still scene', () => {
    const planes = [sceneAt(30, 30), sceneAt(30, 30), sceneAt(30, 30)];
    const boxes = trackBox(planes, [30 / W, 30 / H, SIDE / W, SIDE / H], flow);
    for (const b of boxes) expect(Math.abs(b[0] * W - 30)).toBeLessThan(0.5);
  });

  it('median shift ignores a minority of outliers', () => {
    const u = new Float32Array(16).fill(2);
    const v = new Float32Array(16).fill(-1);
    u[0] = 50;
    v[5] = 40;
    const s = medianShift({ width: 4, height: 4, u, v }, [0, 0, 1, 1]);
    expect(s.dx * 4).toBeCloseTo(2, 6);
    expect(s.dy * 4).toBeCloseTo(-1, 6);
  });

  it('runs of the same quantised box become one region each, valid for parseRegion', () => {
    const b = (x: number): Box => [x, 0.1, 0.25, 0.25];
    const regions = regionsOfTrack([b(0.1), b(0.1001), b(0.1), b(0.2), b(0.2), b(0.8)], 10, { weight: 2, label: 'ball', source: 'hand' }, 1 / 100);
    expect(regions.map((r) => r.frames)).toEqual([
      [10, 12],
      [13, 14],
      [15, 15],
    ]);
    expect(regions[2].box[0]).toBeCloseTo(0.75, 9); // kept inside the frame
    for (const r of regions) expect(parseRegion(r, 'r')).toMatchObject({ weight: 2, label: 'ball', source: 'hand' });
  });
});
