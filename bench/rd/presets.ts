/**
 * The point grids of `m3c bench rd`: quick (CI), full (a dense look at one clip) and report (what
 * `npm run report` runs over the five evaluation clips, sized to take 30-45 minutes on the 2-core
 * build machine; docs/rd.md gives the measurement). Per preset: the forced-down anchor grid, the
 * full-size classical sweeps and our series, among them the ablations of the paper's Table I.
 */
import { DEFAULT_SELECTION, type SelectionParams, type SelectionStrategy } from '../../src/shared/keyframes/index.ts';
import type { ReconstructionMode } from '../../src/shared/engine/interfaces.ts';
import { aspectSizes, MIN_ANCHOR_SIZE, type AnchorGrid } from '../../src/main/codecs/anchor-search.ts';
import { DEFAULT_GEOMETRY, LEARNED_DEFAULT_BUDGET, type KeyframeCodecChoice } from '../../src/main/pipeline/engine.ts';
import type { ClassicalSweep } from './classical.ts';

export type PointsPreset = 'quick' | 'full' | 'report' | 'guided';
export const POINTS_PRESETS: readonly PointsPreset[] = ['quick', 'full', 'report', 'guided'];

/** The anchor grids: quick for CI (2 sizes x 1 rate x 2 CRF), full for one clip, report for the five. */
export const ANCHOR_GRIDS: Record<PointsPreset, AnchorGrid> = {
  quick: {
    sizes: [MIN_ANCHOR_SIZE, { width: 128, height: 80 }],
    fps: [{ num: 4, den: 1 }],
    crfs: [63, 50],
  },
  full: {
    sizes: aspectSizes(DEFAULT_GEOMETRY, MIN_ANCHOR_SIZE.width, 7),
    fps: [{ num: 8, den: 1 }, { num: 4, den: 1 }, { num: 2, den: 1 }],
    crfs: [63, 58, 52, 46, 40, 34],
  },
  report: {
    sizes: aspectSizes(DEFAULT_GEOMETRY, MIN_ANCHOR_SIZE.width, 4),
    fps: [{ num: 8, den: 1 }, { num: 4, den: 1 }, { num: 2, den: 1 }],
    crfs: [63, 55, 47],
  },
  // The report's anchor grid, denser in CRF where the guided rates (1.5-6 kbit/s) lie.
  guided: {
    sizes: aspectSizes(DEFAULT_GEOMETRY, MIN_ANCHOR_SIZE.width, 4),
    fps: [{ num: 8, den: 1 }, { num: 4, den: 1 }, { num: 2, den: 1 }],
    crfs: [63, 59, 55, 51, 47],
  },
};

/** Full-size classical sweeps: x264/x265 QP (up to 51), SVT-AV1 CRF (up to 63), coarsest first. */
export const CLASSICAL_SWEEPS: Record<PointsPreset, ClassicalSweep> = {
  quick: { x264: [51, 45], x265: [51, 45], 'svt-av1': [63, 55] },
  full: { x264: [51, 48, 45, 42, 39], x265: [51, 48, 45, 42, 39], 'svt-av1': [63, 59, 55, 51, 47] },
  report: { x264: [51, 45, 39], x265: [51, 45, 39], 'svt-av1': [63, 55, 47] },
  guided: { x264: [], x265: [], 'svt-av1': [] },
};

export interface OursPointConfig {
  readonly keyframeCodec: KeyframeCodecChoice;
  readonly selection: SelectionParams;
  readonly mode: ReconstructionMode;
  readonly keyframeBudgetBytes?: number;
  /** Texts on: the bench's fixed descriptions file (texts.ts); off (no texts) when absent. */
  readonly texts?: boolean;
  /** Guided mode: the file's rate target and the keyframe layers' share of the budget. */
  readonly targetKbps?: number;
  readonly layerShare?: number;
  readonly guideEncoder?: 'svt' | 'aom-slow';
  /** Guided mode: whether the pack's restoration model runs (absent: the engine's default, on when the pack has it). */
  readonly restoration?: boolean;
}

export interface OursSeriesConfig {
  readonly name: string;
  readonly description: string;
  readonly points: readonly OursPointConfig[];
  /**
   * An ablation at equal keyframe counts: each point takes the point of series `countsOf` at the
   * same index and replaces its selection by the `strategy` selection (fixed interval or semantic
   * D_th) with the nearest keyframe count on the clip (ablation.ts). `points` is then that series'.
   */
  readonly matchCounts?: { readonly countsOf: string; readonly strategy: SelectionStrategy };
}

/** One ablation of the paper's Table I: series compared against the same anchor envelope. */
export interface AblationSpec {
  readonly name: string;
  readonly series: readonly string[];
  readonly note: string;
}

export const withThreshold = (threshold: number, maxClip = DEFAULT_SELECTION.maxClip): SelectionParams => ({ ...DEFAULT_SELECTION, threshold, maxClip });

/**
 * The rate steps: D_th alone does not move the rate of a short or calm clip (one keyframe whatever
 * D_th), so the denser steps also shorten the longest clip.
 */
const FULL_STEPS: readonly SelectionParams[] = [withThreshold(0.8), withThreshold(0.4), withThreshold(0.2, 16), withThreshold(0.1, 8)];
const FULL_STEPS_TEXT = 'D_th 0.8, 0.4 (default), 0.2 with clips of at most 16 frames, 0.1 with at most 8';
const REPORT_STEPS: readonly SelectionParams[] = [withThreshold(0.4), withThreshold(0.2, 16), withThreshold(0.1, 8)];
const REPORT_STEPS_TEXT = 'D_th 0.4 (default), 0.2 with clips of at most 16 frames, 0.1 with at most 8';
/** A keyframe budget at which the learned codec's fine token grid fits on most frames (4x the default, which picks the coarse grid). */
export const FINE_GRID_BUDGET = 4 * LEARNED_DEFAULT_BUDGET;

function seriesSet(steps: readonly SelectionParams[], stepsText: string): OursSeriesConfig[] {
  const at = (p: Omit<OursPointConfig, 'selection'>): OursPointConfig[] => steps.map((selection) => ({ ...p, selection }));
  return [
    { name: 'ours-default', description: `the defaults (keyframe codec auto, motion-semantic selection, interpolation, no texts) at ${stepsText}`, points: at({ keyframeCodec: 'auto', mode: 'interpolation' }) },
    { name: 'ours-prediction', description: `prediction mode (each clip from its first keyframe only), otherwise the defaults, at ${stepsText}`, points: at({ keyframeCodec: 'auto', mode: 'prediction' }) },
    { name: 'ours-learned-fine', description: `learned keyframes with a ${FINE_GRID_BUDGET}-byte budget (the fine token grid where it fits), otherwise the defaults, at ${stepsText}`, points: at({ keyframeCodec: 'learned', mode: 'interpolation', keyframeBudgetBytes: FINE_GRID_BUDGET }) },
    { name: 'ours-classical', description: `classical AV1 keyframes (their default budget), otherwise the defaults, at ${stepsText}`, points: at({ keyframeCodec: 'classical', mode: 'interpolation' }) },
    { name: 'ours-texts', description: `texts on: the bench's fixed descriptions (no LMM; one keyframe and one clip text of realistic length per clip, see the report), otherwise the defaults, at ${stepsText}`, points: at({ keyframeCodec: 'auto', mode: 'interpolation', texts: true }) },
    { name: 'ablation-fixed', description: 'keyframes at a fixed interval, searched per clip to give the keyframe count of each ours-default point', points: at({ keyframeCodec: 'auto', mode: 'interpolation' }), matchCounts: { countsOf: 'ours-default', strategy: 'fixed' } },
    { name: 'ablation-semantic', description: 'semantic-only selection (lambda2 = 0), D_th searched per clip to give the keyframe count of each ours-default point', points: at({ keyframeCodec: 'auto', mode: 'interpolation' }), matchCounts: { countsOf: 'ours-default', strategy: 'semantic' } },
  ];
}

/** The guided mode's rate steps (kbit/s): the 1.5-6 kbit/s range. */
export const GUIDED_KBPS: readonly number[] = [1.5, 2.25, 3, 4.5, 6];

export function guidedSeries(): OursSeriesConfig[] {
  const at = (kbps: readonly number[], layerShare: number, guideEncoder: 'svt' | 'aom-slow', restoration = false): OursPointConfig[] =>
    kbps.map((targetKbps) => ({ keyframeCodec: 'auto', selection: withThreshold(0.4), mode: 'guided', targetKbps, layerShare, guideEncoder, restoration }));
  const levers = [GUIDED_KBPS[0], GUIDED_KBPS[2], GUIDED_KBPS[4]];
  return [
    { name: 'ours-guided', description: `guided mode, the default: guide size, frame rate and CRF searched per clip with SVT-AV1 preset 6, the kept guide re-coded by libaom cpu-used 3 where that measures better, interpolated between coded frames, every frame restored by the pack's guide-restore model (fidelity); keyframes without enhancement layers; at ${GUIDED_KBPS.join(', ')} kbit/s`, points: at(GUIDED_KBPS, 0, 'aom-slow', true) },
    { name: 'guided-svt', description: `lever: the default with the search's SVT-AV1 guide as is (no libaom re-code), at ${GUIDED_KBPS.join(', ')} kbit/s`, points: at(GUIDED_KBPS, 0, 'svt', true) },
    { name: 'guided-plain', description: `lever: guided-svt without the learned restoration (guide interpolated and upscaled only), at ${GUIDED_KBPS.join(', ')} kbit/s`, points: at(GUIDED_KBPS, 0, 'svt') },
    { name: 'guided-aom', description: `lever: the default without the learned restoration (guided-plain with the libaom re-code), at ${levers.join(', ')} kbit/s`, points: at(levers, 0, 'aom-slow') },
    { name: 'guided-layers', description: `lever: 25% of the bytes in keyframe enhancement layers (the residual over the guide, carried along the guide's motion), otherwise guided-plain, at ${levers.join(', ')} kbit/s`, points: at(levers, 0.25, 'svt') },
  ];
}

/** Our operating points: a series is one configuration whose rate moves with the selection. */
export const OURS_SERIES: Record<PointsPreset, readonly OursSeriesConfig[]> = {
  quick: [
    {
      name: 'ours-default',
      description: 'the defaults (keyframe codec auto, motion-semantic selection, interpolation) at D_th 0.4 (default) and 0.1',
      points: [0.4, 0.1].map((t) => ({ keyframeCodec: 'auto', selection: withThreshold(t), mode: 'interpolation' }) as const),
    },
  ],
  full: seriesSet(FULL_STEPS, FULL_STEPS_TEXT),
  report: [...guidedSeries(), ...seriesSet(REPORT_STEPS, REPORT_STEPS_TEXT)],
  guided: [...guidedSeries(), seriesSet(REPORT_STEPS, REPORT_STEPS_TEXT)[0]],
};

/** The ablations of the paper's Table I that a preset can show (those whose series it runs). */
export const ABLATIONS: readonly AblationSpec[] = [
  { name: 'keyframe strategy', series: ['ablation-fixed', 'ablation-semantic', 'ours-default'], note: 'fixed interval, semantic only and semantic + motion (ours-default) at equal keyframe counts; the counts are listed per point' },
  { name: 'reconstruction mode', series: ['ours-default', 'ours-prediction'], note: 'interpolation (ours-default) against prediction' },
  { name: 'keyframe codec', series: ['ours-default', 'ours-classical'], note: "learned (ours-default: keyframe codec auto, the learned codec when the model pack has a token grid; the tables give the codec that ran) against classical keyframes" },
];

/** Dialogue rounds 1/2/4 need an LMM; `m3c bench rd` configures none. */
export const DIALOGUE_ROUNDS_SKIPPED = 'Dialogue rounds 1, 2 and 4: skipped, no LMM is configured for the bench (its texts come from a fixed file)';
