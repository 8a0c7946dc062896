/**
 * The learned restoration of guided frames (issue 10, point 3): a small CNN of ours (training/restore.py)
 * that takes a guided frame (the upscaled guide plus the carried keyframe detail) and returns it with the
 * guide's blur and coding artifacts reduced. Two variants share the interface: `guide-restore` (trained
 * for fidelity, L1) and `guide-restore-realism` (its output stage fine-tuned with a texture-statistics
 * loss). The decoder's fidelity/realism setting r in [0, 1] blends their outputs: (1 - r) * fidelity +
 * r * realism; r is not recorded in the .m3c (like the denoiser steps), so another r gives other frames.
 *
 * Graphs: input `base` float32 [1, 3, H, W] RGB in [0, 1], output `restored` of the same shape; H and W
 * multiples of 8 (the frame is edge-padded to that and cropped back).
 */
import type { RgbFrame } from '../../shared/engine/frame.ts';
import { makeFrame } from '../../shared/engine/frame.ts';
import { M3cError, throwIfAborted } from '../../shared/engine/errors.ts';
import { Tensor, type ModelManifest, type SessionCache } from '../inference/index.ts';
import { toPlanar } from '../inference/planar.ts';

export const RESTORE_SLOTS = { fidelity: 'guide-restore', realism: 'guide-restore-realism' } as const;
const MULTIPLE = 8;

export function hasRestoration(manifest: ModelManifest): boolean {
  return manifest.models.some((m) => m.slot === RESTORE_SLOTS.fidelity);
}

export function hasRealism(manifest: ModelManifest): boolean {
  return manifest.models.some((m) => m.slot === RESTORE_SLOTS.realism);
}

export function checkRealism(r: number): number {
  if (!(Number.isFinite(r) && r >= 0 && r <= 1)) throw new M3cError('usage', `realism must be a number in 0..1 (0 = fidelity), got ${r}`);
  return r;
}

export class GuideRestorer {
  constructor(
    private readonly cache: SessionCache,
    private readonly realism: number,
    private readonly realismAvailable: boolean,
  ) {}

  async dispose(): Promise<void> {
    await this.cache.dispose();
  }

  async restore(frame: RgbFrame, signal?: AbortSignal): Promise<RgbFrame> {
    throwIfAborted(signal);
    const { width, height } = frame;
    const pw = Math.ceil(width / MULTIPLE) * MULTIPLE;
    const ph = Math.ceil(height / MULTIPLE) * MULTIPLE;
    const base = new Tensor('float32', toPlanar(frame, { width: pw, height: ph }), [1, 3, ph, pw]);
    const r = this.realismAvailable ? this.realism : 0;
    const run = async (slot: string): Promise<Float32Array> => {
      const out = (await this.cache.run(slot, { base }, signal)).restored;
      if (out.type !== 'float32' || out.size !== 3 * pw * ph) throw new M3cError('model', `${slot} returned ${out.type} ${out.dims.join('x')}, expected float32 1x3x${ph}x${pw}`);
      return out.data as Float32Array;
    };
    const fid = r < 1 ? await run(RESTORE_SLOTS.fidelity) : undefined;
    const real = r > 0 ? await run(RESTORE_SLOTS.realism) : undefined;
    const plane = pw * ph;
    const out = makeFrame(width, height);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const s = y * pw + x;
        const d = (y * width + x) * 3;
        for (let c = 0; c < 3; c++) {
          const v = (fid ? (1 - r) * fid[c * plane + s] : 0) + (real ? r * real[c * plane + s] : 0);
          out.data[d + c] = Math.min(255, Math.max(0, Math.round(v * 255)));
        }
      }
    }
    return out;
  }
}
