/**
 * What startEncode accepts (the mode, the guided rate, per-clip modes, the keyframe codec and budget) checked
 * into the parameters an encode records, and the guide of a finished guided encode as the library shows it.
 */
import { readFileSync } from 'node:fs';
import { M3cError } from '../../../shared/engine/errors.ts';
import { RECONSTRUCTION_MODES, type ReconstructionMode } from '../../../shared/engine/interfaces.ts';
import type { GuidedEncodeInfo, KeyframeCodecKind, KeyframeCodecsInfo } from '../../../shared/api/contract.ts';
import { parseM3c } from '../../../shared/bitstream/index.ts';
import { checkTargetKbps, DEFAULT_TARGET_KBPS } from '../../pipeline/guided-encode.ts';
import type { GuidedSummary } from '../../pipeline/encode.ts';
import type { EncodeMetrics, EncodeRecord } from '../../store/index.ts';
import { DEFAULT_DENOISER_STEPS, MAX_DENOISER_STEPS } from '../../codecs/learned/index.ts';
import * as v from '../validate.ts';

export interface EncodeRequest {
  readonly mode: ReconstructionMode;
  /** Set for guided files only. */
  readonly targetKbps: number | undefined;
  /** Absent when no clip has its own mode. */
  readonly clipModes: (ReconstructionMode | null)[] | undefined;
  readonly keyframeBudgetBytes: number | null;
  readonly keyframeCodec: KeyframeCodecKind;
  readonly denoiserSteps: number;
  /** The file has a guide stream (its mode or one of its clips is guided). */
  readonly guided: boolean;
  /** Whether the source's stored regions of interest steer the encode (guided only; "useRegions": false turns them off). */
  readonly useRegions: boolean;
}

const bad = (msg: string): M3cError => new M3cError('usage', msg);

/** `clipCount`: clips of the saved selection (null when there is none yet). */
export function encodeRequest(p: Record<string, unknown>, clipCount: number | null, codecs: KeyframeCodecsInfo): EncodeRequest {
  const mode = p.mode === undefined || p.mode === null ? 'guided' : v.oneOf(p, 'mode', RECONSTRUCTION_MODES);
  const clipModes = clipModesOf(p.clipModes, clipCount);
  const guided = mode === 'guided' || !!clipModes?.includes('guided');
  let targetKbps: number | undefined;
  if (p.targetKbps !== undefined && p.targetKbps !== null) {
    if (typeof p.targetKbps !== 'number') throw bad('"targetKbps" must be a number of kbit/s');
    checkTargetKbps(p.targetKbps);
    if (!guided) throw bad('"targetKbps" sets the rate of a guided encode: use it with mode "guided" (or a guided clip)');
    targetKbps = p.targetKbps;
  } else if (guided) targetKbps = DEFAULT_TARGET_KBPS;
  const budget = v.optInt(p, 'keyframeBudgetBytes', 16, 1_000_000) ?? null;
  if (guided && budget !== null) throw bad('"keyframeBudgetBytes" does not apply to a guided encode: its keyframes get what the rate split leaves (set "targetKbps")');
  const asked = p.keyframeCodec === undefined || p.keyframeCodec === null ? undefined : v.oneOf(p, 'keyframeCodec', ['learned', 'classical'] as const);
  if (guided && asked === 'learned') throw bad('a guided encode codes its keyframes with the classical codec: choose mode "interpolation" or "prediction" for learned keyframes');
  // A guided file's keyframes are classical whatever the default.
  const keyframeCodec: KeyframeCodecKind = guided ? 'classical' : (asked ?? codecs.default);
  if (keyframeCodec === 'learned' && codecs.learnedUnavailable) throw new M3cError('model', codecs.learnedUnavailable);
  const denoiserSteps = v.optInt(p, 'denoiserSteps', 0, MAX_DENOISER_STEPS) ?? DEFAULT_DENOISER_STEPS;
  if (p.useRegions !== undefined && p.useRegions !== null && typeof p.useRegions !== 'boolean') throw bad('"useRegions" must be true or false');
  const useRegions = guided && p.useRegions !== false;
  return { mode, targetKbps, clipModes, keyframeBudgetBytes: budget, keyframeCodec, denoiserSteps, guided, useRegions };
}

function clipModesOf(value: unknown, clipCount: number | null): (ReconstructionMode | null)[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw bad('"clipModes" must be an array with a mode or null per clip');
  const modes = value.map((m, i) => {
    if (m === null || m === undefined) return null;
    if (typeof m !== 'string' || !(RECONSTRUCTION_MODES as readonly string[]).includes(m)) throw bad(`"clipModes[${i}]" must be null or one of ${RECONSTRUCTION_MODES.join(', ')}`);
    return m as ReconstructionMode;
  });
  if (modes.every((m) => m === null)) return undefined;
  if (clipCount === null) throw bad('"clipModes" names clips of the saved selection: save a selection on the timeline first');
  if (modes.length > clipCount) throw bad(`"clipModes" has ${modes.length} entries but the saved selection has ${clipCount} clip${clipCount === 1 ? '' : 's'}`);
  return modes;
}

/** What a finished encode stores in its metrics besides EncodeMetrics: the guide summary of a guided file. */
export type StudioEncodeMetrics = EncodeMetrics & { readonly guided?: GuidedSummary };

export function guidedInfoOf(s: GuidedSummary): GuidedEncodeInfo {
  return { width: s.width, height: s.height, fps: s.fpsNum / s.fpsDen, crf: s.crf, encoder: s.encoder, targetBytes: s.split.targetBytes, guideBytes: s.split.guideBytes };
}

/**
 * The guide of a finished encode: from its metrics when the studio made it, else (an encode recorded by
 * `m3c encode --project`) read from the file's guide section, once per encode. Null for files without one.
 */
export class GuidedInfoReader {
  private readonly fromFiles = new Map<number, GuidedEncodeInfo | null>();

  of(e: EncodeRecord): GuidedEncodeInfo | null {
    if (e.status !== 'done') return null;
    const m = (e.metrics ?? null) as Partial<StudioEncodeMetrics> | null;
    if (m?.guided) return guidedInfoOf(m.guided);
    if (!m?.sections?.guide) return null;
    if (!this.fromFiles.has(e.id)) this.fromFiles.set(e.id, readGuide(e.path));
    return this.fromFiles.get(e.id) ?? null;
  }

  forget(encodeId: number): void {
    this.fromFiles.delete(encodeId);
  }
}

function readGuide(file: string): GuidedEncodeInfo | null {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(file));
  } catch {
    return null;
  }
  const r = parseM3c(bytes);
  const g = r.ok ? r.file.guide : undefined;
  return g ? { width: g.width, height: g.height, fps: g.fpsNum / g.fpsDen, crf: g.quantizer, encoder: g.encoder, targetBytes: null, guideBytes: g.stream.length } : null;
}
