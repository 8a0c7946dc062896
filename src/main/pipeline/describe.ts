/**
 * The describe stage (the paper's D^F and D^C): the one adapter between the pipeline and the LMM dialogue
 * (src/main/lmm). It decodes the video once more, keeps only the frames shown to the model, and describes
 * the whole selection or chosen items. Used by `m3c describe`, `m3c encode --describe`, bench latency and
 * the studio's describe worker task. A descriptions file is a Describer too, so the encoder has one path.
 */
import path from 'node:path';
import type { RgbFrame } from '../../shared/engine/frame.ts';
import type { DescribeRequest, Describer, ItemDescriptions } from '../../shared/engine/interfaces.ts';
import type { ProgressListener } from '../../shared/engine/progress.ts';
import { encodeText } from '../../shared/text/index.ts';
import {
  clipFramesShown,
  describeItem,
  describeVideo,
  type DescribeContext,
  type DescribeOptions,
  type DescribeProgress,
  type DescribeVideoResult,
  type ItemKind,
  type LmmRecords,
  type PromptConfig,
  type GroundedRegion,
  type RegionsOutcome,
} from '../lmm/index.ts';
import type { RoiRegion } from '../../shared/roi/index.ts';
import { pickFrames } from '../media/pick-frames.ts';
import { assignDescriptions, clipEnd, type DescriptionsFile } from './descriptions-file.ts';
import { workingFrames, type WorkingGeometry } from './working-frames.ts';

/** The keyframes and the frame count of the selection being described. */
export type Selection = Pick<DescribeRequest, 'keyframes' | 'frameCount'>;

/** One finished description: item `index` of the selection, whose clip spans [frame, end). */
export interface FinishedText {
  readonly kind: ItemKind;
  readonly index: number;
  readonly frame: number;
  readonly end: number;
  readonly text: string;
  /** A keyframe's grounding round, when it was asked. */
  readonly regions?: RegionsOutcome;
}

/** A keyframe's grounded regions as regions of interest over its clip [frame, end). */
export function clipRegions(regions: readonly GroundedRegion[], frame: number, end: number): RoiRegion[] {
  return regions.map((r) => ({ frames: [frame, end - 1] as const, box: r.box, weight: r.weight, label: r.label, source: 'lmm' as const }));
}

export interface LmmDescribeOptions {
  readonly lmm: DescribeOptions;
  readonly prompts?: PromptConfig;
  readonly records?: LmmRecords;
  readonly projectId?: number;
  readonly sourceId?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: ProgressListener;
  /** Each description as soon as it is finished. */
  readonly onDescription?: (finished: FinishedText) => void;
}

function contextOf(options: LmmDescribeOptions): DescribeContext {
  return {
    options: options.lmm,
    prompts: options.prompts,
    store: options.records,
    projectId: options.projectId,
    sourceId: options.sourceId,
    textCoder: encodeText,
    signal: options.signal,
    onProgress: (e: DescribeProgress) => options.onProgress?.({ stage: 'describing', done: e.itemsDone, total: e.itemsTotal, message: `${e.kind} ${e.index + 1} round ${e.round}/${e.rounds}` }),
  };
}

/** Describes every keyframe and clip of the selection. */
export async function describeWithLmm(input: string, geometry: WorkingGeometry, selection: Selection, options: LmmDescribeOptions): Promise<{ texts: ItemDescriptions[]; result: DescribeVideoResult }> {
  const { keyframes, frameCount } = selection;
  const result = await describeVideo({
    ...contextOf(options),
    frames: workingFrames(input, geometry, options.signal),
    keyframes,
    frameCount,
    onDescription: (d) =>
      options.onDescription?.({
        kind: d.kind,
        index: d.index,
        frame: d.keyframeIndex,
        end: d.keyframeIndex + d.clipLength,
        text: d.description.text,
        ...(d.description.regions ? { regions: d.description.regions } : {}),
      }),
  });
  return { texts: result.items.map((it) => ({ keyframe: it.keyframe.text, clip: it.clip.text })), result };
}

/** The LMM dialogue as the encoder's Describer, bound to one video; the request's signal and progress win over the options'. */
export function lmmDescriber(input: string, geometry: WorkingGeometry, options: LmmDescribeOptions): Describer {
  return {
    id: 'lmm-dialogue-v1',
    describe: async ({ keyframes, frameCount, signal, onProgress }) =>
      (await describeWithLmm(input, geometry, { keyframes, frameCount }, { ...options, signal: signal ?? options.signal, onProgress: onProgress ?? options.onProgress })).texts,
  };
}

/** The texts of a descriptions file (or none) as a Describer. */
export function fileDescriber(file: DescriptionsFile | undefined): Describer {
  return {
    id: 'descriptions-file-v1',
    describe: async ({ keyframes, frameCount }) => assignDescriptions(file, keyframes, frameCount),
  };
}

/**
 * Re-runs the dialogue of chosen items (e.g. after a prompt edit), keyframes before their clips, one at a
 * time. One decoding pass keeps only the frames they show the model: each keyframe, the previous keyframe
 * for a keyframe's comparison, a clip's sampled frames. `keyframeText(frame)` gives the stored D^F of a
 * keyframe, which a clip's dialogue and a keyframe's {{previous_description}} use.
 */
export async function describeChosen(
  input: string,
  geometry: WorkingGeometry,
  selection: Selection,
  wanted: readonly { kind: ItemKind; index: number }[],
  keyframeText: (frame: number) => string,
  options: LmmDescribeOptions,
): Promise<void> {
  const { keyframes, frameCount } = selection;
  const shown = (i: number): number[] => clipFramesShown(options.lmm, clipEnd(keyframes, i, frameCount) - keyframes[i]).map((k) => keyframes[i] + k);
  const needed = new Set<number>();
  for (const w of wanted) {
    needed.add(keyframes[w.index]);
    if (w.kind === 'keyframe' && w.index > 0) needed.add(keyframes[w.index - 1]);
    if (w.kind === 'clip') for (const f of shown(w.index)) needed.add(f);
  }
  const kept = new Map<number, RgbFrame>();
  const frames = workingFrames(input, geometry, options.signal);
  for await (const { index, frame } of pickFrames(frames, needed, { signal: options.signal, what: path.basename(input) })) kept.set(index, frame);
  // pickFrames has failed unless every needed frame is here.
  const frame = (n: number): RgbFrame => kept.get(n) as RgbFrame;

  const context = contextOf(options);
  const ordered = [...wanted].sort((x, y) => x.index - y.index || (x.kind === 'keyframe' ? -1 : 1));
  let done = 0;
  for (const w of ordered) {
    const kf = keyframes[w.index];
    const end = clipEnd(keyframes, w.index, frameCount);
    const common = { ...context, index: w.index, itemCount: keyframes.length, keyframeIndex: kf };
    const d =
      w.kind === 'keyframe'
        ? await describeItem({
            ...common,
            kind: 'keyframe',
            keyframe: frame(kf),
            previousKeyframe: w.index > 0 ? frame(keyframes[w.index - 1]) : undefined,
            previousDescription: w.index > 0 ? keyframeText(keyframes[w.index - 1]) : undefined,
          })
        : await describeItem({
            ...common,
            kind: 'clip',
            clipLength: end - kf,
            clipFrames: new Map(shown(w.index).map((f) => [f - kf, frame(f)])),
            keyframeDescription: keyframeText(kf),
          });
    options.onDescription?.({ kind: w.kind, index: w.index, frame: kf, end, text: d.text, ...(d.regions ? { regions: d.regions } : {}) });
    options.onProgress?.({ stage: 'describing', done: ++done, total: ordered.length });
  }
}
