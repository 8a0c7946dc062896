/**
 * The LMM dialogue inside the codec: decodes the frames of every clip once more and asks the
 * model for each keyframe's and clip's description (src/main/lmm). Used by `m3c describe`,
 * `m3c encode --describe` and the studio.
 */
import type { Geometry } from '../../shared/engine/frame.ts';
import type { Describer, ItemDescriptions } from '../../shared/engine/interfaces.ts';
import type { ProgressListener } from '../../shared/engine/progress.ts';
import { encodeText } from '../../shared/text/index.ts';
import { describeVideo, type DescribeOptions, type DescribeVideoResult, type LmmRecords, type PromptConfig } from '../lmm/index.ts';
import { decodeFrames } from '../media/index.ts';

export interface LmmDescribeOptions {
  readonly lmm: DescribeOptions;
  readonly prompts?: PromptConfig;
  readonly records?: LmmRecords;
  readonly projectId?: number;
  readonly sourceId?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: ProgressListener;
}

export async function describeWithLmm(input: string, geometry: Geometry, keyframes: readonly number[], options: LmmDescribeOptions): Promise<{ texts: ItemDescriptions[]; result: DescribeVideoResult }> {
  const result = await describeVideo({
    frames: decodeFrames(input, { ...geometry, signal: options.signal }),
    keyframes,
    options: options.lmm,
    prompts: options.prompts,
    store: options.records,
    projectId: options.projectId,
    sourceId: options.sourceId,
    textCoder: encodeText,
    signal: options.signal,
    onProgress: (e) => options.onProgress?.({ stage: 'describing', done: e.itemsDone, total: e.itemsTotal, message: `${e.kind} ${e.index + 1} round ${e.round}/${e.rounds}` }),
  });
  return { texts: result.items.map((it) => ({ keyframe: it.keyframe.text, clip: it.clip.text })), result };
}

/** The LMM dialogue as the encoder's Describer, bound to one video; the request's signal and progress win over the options'. */
export function lmmDescriber(input: string, geometry: Geometry, options: LmmDescribeOptions): Describer {
  return {
    id: 'lmm-dialogue-v1',
    describe: async ({ keyframes, signal, onProgress }) =>
      (await describeWithLmm(input, geometry, keyframes, { ...options, signal: signal ?? options.signal, onProgress: onProgress ?? options.onProgress })).texts,
  };
}
