/**
 * Re-encoding with new texts: a finished .m3c keeps its header and every keyframe payload byte for
 * byte; only each clip's keyframe text D^F and clip text D^C are coded afresh (stage 4) and the
 * container is written again (stage 6). No analysis, no selection, no keyframe coding.
 */
import type { ItemDescriptions } from '../../shared/engine/interfaces.ts';
import { throwIfAborted } from '../../shared/engine/errors.ts';
import type { M3cClip } from '../../shared/bitstream/index.ts';
import { StageTimer } from '../util/stage-timer.ts';
import type { Engine } from './engine.ts';
import { openBitstream, writeBitstream, type BitstreamSummary, type OpenOptions } from './container.ts';
import { assignDescriptions, type DescriptionsFile } from './descriptions-file.ts';
import { encodeTexts } from './texts.ts';

export interface RetextOptions extends OpenOptions {
  readonly signal?: AbortSignal;
}

export interface RetextResult extends BitstreamSummary {
  readonly m3c: Uint8Array;
  /** The keyframes of the file (each clip's first frame), unchanged. */
  readonly keyframes: number[];
  /** The texts now in the file, clip by clip. */
  readonly descriptions: ItemDescriptions[];
  /** Milliseconds per stage: 'open', 'text-coding', 'container'. */
  readonly timings: Record<string, number>;
}

/**
 * The .m3c `bytes` with each clip's texts replaced by those `descriptions` assigns to it (a clip
 * without a text gets the file's default, or an empty text), everything else as it was.
 */
export function retextBitstream(engine: Engine, bytes: Uint8Array, descriptions: DescriptionsFile | undefined, options: RetextOptions = {}): RetextResult {
  const timer = new StageTimer();
  const file = timer.timeSync('open', () => openBitstream(engine, bytes, options));
  const keyframes = file.clips.map((c) => c.firstFrame);
  const texts = assignDescriptions(descriptions, keyframes, file.header.frameCount);
  const coded = timer.timeSync('text-coding', () => texts.map(encodeTexts));
  const clips: M3cClip[] = file.clips.map((c, i) => ({ ...c, keyframeText: coded[i].keyframeText, clipText: coded[i].clipText }));
  throwIfAborted(options.signal);
  const { m3c, summary } = timer.timeSync('container', () => writeBitstream(file.header, clips, file.guide));
  return { ...summary, m3c, keyframes, descriptions: texts, timings: timer.timings };
}
