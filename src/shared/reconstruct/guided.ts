/**
 * "Guided" mode (issue 10): each frame of a clip is the guide track's base frame (the decoded guide,
 * interpolated between coded frames and upscaled) plus, when the clip's keyframe carries an enhancement
 * layer, that layer's detail carried along the guide's motion.
 *
 * The enhancement layer of a guided keyframe is the residual of the source frame over the guide's base
 * frame at that frame (what the guide lacks), coded by the file's keyframe codec as an image offset by
 * 128 (see pipeline/guide-keyframes.ts). At the keyframe it is added as is; at frame j of the clip it is
 * backward-warped by the flow from the guide at j to the guide at the keyframe (estimated at the guide's
 * size, where the decoder has both), and weighted per pixel by how well the warped guide matches
 * (occlusions and new content get none) and by DETAIL_DECAY^(j - keyframe), so that detail fades rather
 * than drifts as the warp error grows.
 */
import type { RgbFrame } from '../engine/frame.ts';
import { makeFrame } from '../engine/frame.ts';
import type { FlowEstimator } from '../engine/interfaces.ts';
import { throwIfAborted } from '../engine/errors.ts';
import { lumaOf } from '../vision/plane.ts';
import { upsampleFlow } from '../vision/flow-field.ts';
import { resizeBilinear } from '../vision/resize.ts';
import { warpPlaneInto } from '../vision/sample.ts';
import type { GuideFrame } from './guide-track.ts';

/** Weight of the carried detail per frame of distance from the keyframe. */
export const DETAIL_DECAY = 0.85;
/** Luma mismatch (0..1 scale) of the warped guide at which the detail's weight falls to 1/e. */
const MATCH_SCALE = 0.04;

export interface Enhancement {
  /** The decoded layer at the working size: residual + 128. */
  readonly layer: RgbFrame;
  /** The guide at the keyframe, at the guide's size. */
  readonly small: RgbFrame;
}

/** base + (layer - 128), clamped: the keyframe itself. */
export function applyLayer(base: RgbFrame, layer: RgbFrame): RgbFrame {
  const out = new Uint8Array(base.data.length);
  const b = base.data;
  const l = layer.data;
  for (let i = 0; i < out.length; i++) {
    const v = b[i] + l[i] - 128;
    out[i] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
  return makeFrame(base.width, base.height, out);
}

/** The residual of `frame` over `base`, offset by 128 and clamped: the layer the encoder codes. */
export function residualLayer(frame: RgbFrame, base: RgbFrame): RgbFrame {
  const out = new Uint8Array(frame.data.length);
  const f = frame.data;
  const b = base.data;
  for (let i = 0; i < out.length; i++) {
    const v = f[i] - b[i] + 128;
    out[i] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
  return makeFrame(frame.width, frame.height, out);
}

/** Frame `distance` frames after the keyframe: base plus the layer's detail carried by the guide's motion. */
export async function carryDetail(g: GuideFrame, e: Enhancement, distance: number, flow: FlowEstimator, signal?: AbortSignal): Promise<RgbFrame> {
  throwIfAborted(signal);
  if (distance === 0) return applyLayer(g.base, e.layer);
  const decay = Math.pow(DETAIL_DECAY, distance);
  const { width, height } = g.base;
  const f = await flow.estimate(g.small, e.small, signal);
  // Match of the keyframe's guide warped onto this frame's guide, on the flow's grid.
  const a = lumaOf(g.small);
  const k = lumaOf(e.small);
  const grid = upsampleFlow(f, a.width, a.height);
  const warped = new Float32Array(a.width * a.height);
  const inside = new Uint8Array(a.width * a.height);
  warpPlaneInto(k.data, k.width, k.height, grid.u, grid.v, warped, inside);
  const weightSmall = new Float32Array(a.width * a.height);
  for (let i = 0; i < weightSmall.length; i++) {
    const d = (warped[i] - a.data[i]) / MATCH_SCALE;
    weightSmall[i] = inside[i] ? decay * Math.exp(-d * d) : 0;
  }
  const weight = resizeBilinear({ width: a.width, height: a.height, data: weightSmall }, width, height).data;
  const full = upsampleFlow(f, width, height);
  const out = new Uint8Array(width * height * 3);
  const b = g.base.data;
  const l = e.layer.data;
  const xmax = width - 1;
  const ymax = height - 1;
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i++) {
      const w = weight[i];
      const o = i * 3;
      if (w < 1e-3) {
        out[o] = b[o];
        out[o + 1] = b[o + 1];
        out[o + 2] = b[o + 2];
        continue;
      }
      let sx = x + full.u[i];
      let sy = y + full.v[i];
      sx = sx < 0 ? 0 : sx > xmax ? xmax : sx;
      sy = sy < 0 ? 0 : sy > ymax ? ymax : sy;
      let x0 = sx | 0;
      let y0 = sy | 0;
      if (x0 >= xmax) x0 = xmax - 1;
      if (y0 >= ymax) y0 = ymax - 1;
      const fx = sx - x0;
      const fy = sy - y0;
      const j = (y0 * width + x0) * 3;
      const dx = 3;
      const dy = width * 3;
      for (let c = 0; c < 3; c++) {
        const r = l[j + c] * (1 - fx) * (1 - fy) + l[j + dx + c] * fx * (1 - fy) + l[j + dy + c] * (1 - fx) * fy + l[j + dx + dy + c] * fx * fy - 128;
        const v = Math.round(b[o + c] + w * r);
        out[o + c] = v < 0 ? 0 : v > 255 ? 255 : v;
      }
    }
  }
  return makeFrame(width, height, out);
}
