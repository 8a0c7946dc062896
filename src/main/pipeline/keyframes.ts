/**
 * Stage 3, code keyframes: the encoder's second decoding pass, which keeps only the selected
 * frames and codes each with the engine's keyframe codec, and the decoder's keyframe decoding
 * with the codec the file names and a seed derived from the bitstream.
 */
import type { RgbFrame } from '../../shared/engine/frame.ts';
import type { ProgressListener } from '../../shared/engine/progress.ts';
import type { M3cFile } from '../../shared/bitstream/index.ts';
import { fnv1a32 } from '../../shared/util/fnv.ts';
import { pickFrames } from '../media/index.ts';
import type { StageTimer } from '../util/stage-timer.ts';
import { geometryOf } from './container.ts';
import type { Engine } from './engine.ts';
import { workingFrames, type WorkingGeometry } from './working-frames.ts';

/** One payload per keyframe, in order; the source is read again, up to the last keyframe. */
export async function encodeKeyframes(
  engine: Engine,
  input: string,
  geometry: WorkingGeometry,
  keyframes: readonly number[],
  options: { budgetBytes: number; signal?: AbortSignal; onProgress?: ProgressListener },
): Promise<Uint8Array[]> {
  const { budgetBytes, signal, onProgress } = options;
  const payloads: Uint8Array[] = [];
  for await (const { frame } of pickFrames(workingFrames(input, geometry, signal), keyframes, { signal, what: input })) {
    payloads.push(await engine.keyframeCodec.encode(frame, { budgetBytes, signal }));
    onProgress?.({ stage: 'keyframe coding', done: payloads.length, total: keyframes.length });
  }
  return payloads;
}

/** Seed of clip i's stochastic decoding (its keyframe and its reconstruction): a hash of its keyframe payload. */
export function clipSeed(file: M3cFile, i: number): number {
  return fnv1a32(file.clips[i].keyframe, (0x9e3779b9 ^ i) >>> 0);
}

/** Decodes clip i's keyframe given its keyframe text; the time goes to 'keyframe-decoding'. */
export type KeyframeDecoder = (i: number, text: string) => Promise<RgbFrame>;

/** Fails with a 'model' error when this installation lacks the keyframe codec the file names. */
export function keyframeDecoder(engine: Engine, file: M3cFile, options: { timer: StageTimer; signal?: AbortSignal }): KeyframeDecoder {
  const { timer, signal } = options;
  const codec = engine.keyframeCodecById(file.header.keyframeCodecId);
  const geometry = geometryOf(file);
  return (i, text) => timer.time('keyframe-decoding', () => codec.decode(file.clips[i].keyframe, geometry, { seed: clipSeed(file, i), text, signal }));
}
