/**
 * Stage 5, reconstruct: rebuilds every clip, in order, from its decoded keyframe, the next one
 * (interpolation), the previous one (prediction's motion) and its clip text. Only the previous,
 * current and next decoded keyframes are held in memory.
 */
import type { RgbFrame } from '../../shared/engine/frame.ts';
import type { ClipReconstructor } from '../../shared/engine/interfaces.ts';
import type { ProgressListener } from '../../shared/engine/progress.ts';
import { M3cError, throwIfAborted } from '../../shared/engine/errors.ts';
import type { M3cFile } from '../../shared/bitstream/index.ts';
import type { StageTimer } from '../util/stage-timer.ts';
import { clipSeed, type KeyframeDecoder } from './keyframes.ts';
import type { ClipTextWindow } from './texts.ts';

export interface ReconstructInputs {
  readonly decodeKeyframe: KeyframeDecoder;
  readonly reconstructor: ClipReconstructor;
  readonly texts: ClipTextWindow;
  /** Receives 'reconstruction': the reconstructor's time, not the consumer's. */
  readonly timer: StageTimer;
  readonly signal?: AbortSignal;
  readonly onProgress?: ProgressListener;
}

/** Every frame of the video, in order; a clip that yields other than its length is an 'internal' error. */
export async function* reconstructClips(file: M3cFile, inputs: ReconstructInputs): AsyncGenerator<RgbFrame> {
  const { decodeKeyframe, reconstructor, texts, timer, signal, onProgress } = inputs;
  const keyframeOf = (i: number): Promise<RgbFrame> => decodeKeyframe(i, texts.of(i).keyframe);
  let emitted = 0;
  let previous: { frame: RgbFrame; distance: number } | undefined;
  let current = await keyframeOf(0);
  for (let i = 0; i < file.clips.length; i++) {
    throwIfAborted(signal);
    const clip = file.clips[i];
    const next = i + 1 < file.clips.length ? await keyframeOf(i + 1) : undefined;
    let t0 = performance.now();
    let produced = 0;
    // The guide stream (issue 10) plugs in here: its decoded frames for this clip join the request.
    for await (const frame of reconstructor.reconstruct({
      mode: clip.mode,
      first: current,
      next: clip.mode === 'interpolation' ? next : undefined,
      previous,
      length: clip.length,
      text: texts.of(i).clip,
      seed: clipSeed(file, i),
      signal,
    })) {
      timer.add('reconstruction', t0);
      produced++;
      emitted++;
      onProgress?.({ stage: 'decoding', done: emitted, total: file.header.frameCount });
      yield frame;
      t0 = performance.now();
    }
    if (produced !== clip.length) {
      throw new M3cError('internal', `reconstructor produced ${produced} frames for clip ${i}, expected ${clip.length}`);
    }
    texts.release(i);
    previous = { frame: current, distance: clip.length };
    if (next) current = next;
  }
}
