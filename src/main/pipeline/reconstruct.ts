/**
 * Stage 5, reconstruct: rebuilds every clip, in order. A prediction or interpolation clip comes from its
 * decoded keyframe, the next one (interpolation) and the previous one (prediction's motion); a guided
 * clip (issue 10) from the file's guide stream, with its keyframe's enhancement layer as the detail
 * reference when it carries one. Only the decoded keyframes around the current clip are held, and the
 * guide's decoded coded frames (a few KB each at the guide's size).
 */
import type { RgbFrame } from '../../shared/engine/frame.ts';
import type { ClipReconstructor, FlowEstimator } from '../../shared/engine/interfaces.ts';
import type { ProgressListener } from '../../shared/engine/progress.ts';
import { M3cError, throwIfAborted } from '../../shared/engine/errors.ts';
import type { M3cFile } from '../../shared/bitstream/index.ts';
import type { GuideTrack } from '../../shared/reconstruct/guide-track.ts';
import { carryDetail, type Enhancement } from '../../shared/reconstruct/guided.ts';
import { decodeGuide, guideFrameIndices } from '../codecs/guide-stream.ts';
import type { StageTimer } from '../util/stage-timer.ts';
import { clipSeed, type KeyframeDecoder } from './keyframes.ts';
import { guideTrack } from './guide.ts';
import { guideWarpWeightOf } from './engine.ts';
import { openInsetTrack } from './roi.ts';
import { pasteInset } from '../../shared/reconstruct/roi-inset.ts';
import { guideDomain, warpAppliesAt, warpFromGuide } from '../../shared/reconstruct/roi-warp.ts';
import type { ClipTextWindow } from './texts.ts';

export interface ReconstructInputs {
  readonly decodeKeyframe: KeyframeDecoder;
  readonly reconstructor: ClipReconstructor;
  /** Flow of the guided clips' detail (at the guide's size). */
  readonly detailFlow: FlowEstimator;
  /** Restores every guided frame (files whose reconstructor is guided-restore-v2, or v1). */
  readonly restore?: (frame: RgbFrame, signal?: AbortSignal) => Promise<RgbFrame>;
  readonly texts: ClipTextWindow;
  /** Receives 'guide-decoding' and 'reconstruction': the reconstructor's time, not the consumer's. */
  readonly timer: StageTimer;
  readonly signal?: AbortSignal;
  readonly onProgress?: ProgressListener;
}

/** The file's guide as a track of working frames, or undefined for a file without one. */
export async function openGuideTrack(file: M3cFile, signal?: AbortSignal): Promise<GuideTrack | undefined> {
  const { guide, header } = file;
  if (!guide) return undefined;
  const indices = guideFrameIndices(guide, header.frameCount, { num: header.fpsNum, den: header.fpsDen });
  const coded = await decodeGuide(guide, indices.length, { signal });
  return guideTrack(coded, indices, header.frameCount, header, guideWarpWeightOf(header.reconstructorId), guideDomain(file.roi?.warp));
}

/** Every frame of the video, in order; a clip that yields other than its length is an 'internal' error. */
export async function* reconstructClips(file: M3cFile, inputs: ReconstructInputs): AsyncGenerator<RgbFrame> {
  const { decodeKeyframe, reconstructor, detailFlow, restore, texts, timer, signal, onProgress } = inputs;
  const decoded = new Map<number, RgbFrame>();
  const keyframeOf = async (i: number): Promise<RgbFrame> => {
    let k = decoded.get(i);
    if (!k) {
      if (file.clips[i].keyframe.length === 0) throw new M3cError('corrupt-bitstream', `clip ${i + 1} is ${file.clips[i].mode === 'guided' ? 'needed as a keyframe' : `a ${file.clips[i].mode} clip`} but carries no keyframe`);
      k = await decodeKeyframe(i, texts.of(i).keyframe);
      decoded.set(i, k);
    }
    return k;
  };
  const track = await timer.time('guide-decoding', () => openGuideTrack(file, signal));
  // Regions of interest (issue 14): the inset is pasted over every guided frame before the restoration.
  const inset = await timer.time('guide-decoding', () => openInsetTrack(file, signal));
  const warp = file.roi?.warp;
  let emitted = 0;
  let previous: { frame: RgbFrame; distance: number } | undefined;
  for (let i = 0; i < file.clips.length; i++) {
    throwIfAborted(signal);
    const clip = file.clips[i];
    for (const k of decoded.keys()) if (k < i - 1) decoded.delete(k);
    let produced = 0;
    const emit = (): void => {
      produced++;
      emitted++;
      onProgress?.({ stage: 'decoding', done: emitted, total: file.header.frameCount });
    };
    if (clip.mode === 'guided') {
      if (!track) throw new M3cError('corrupt-bitstream', `clip ${i + 1} is guided but the file has no guide stream`);
      let enhancement: Enhancement | undefined;
      for (let k = 0; k < clip.length; k++) {
        let t0 = performance.now();
        const taken = await track.take(signal);
        // A foveated guide (regions of interest) is resampled back to the frame's geometry first (over its frames).
        const g = warp && warpAppliesAt(warp, clip.firstFrame + k) ? { small: taken.small, base: warpFromGuide(taken.base, warp, file.header.width, file.header.height) } : taken;
        if (k === 0 && clip.keyframe.length > 0) {
          timer.add('reconstruction', t0);
          enhancement = { layer: await keyframeOf(i), small: g.small };
          t0 = performance.now();
        }
        let guided = enhancement ? await carryDetail(g, enhancement, k, detailFlow, signal) : g.base;
        if (inset) guided = pasteInset(guided, (await inset.track.take(signal)).base, inset.rect);
        const frame = restore ? await restore(guided, signal) : guided;
        timer.add('reconstruction', t0);
        emit();
        yield frame;
      }
      previous = undefined;
    } else {
      const current = await keyframeOf(i);
      const next = clip.mode === 'interpolation' && i + 1 < file.clips.length ? await keyframeOf(i + 1) : undefined;
      let t0 = performance.now();
      for await (const frame of reconstructor.reconstruct({ mode: clip.mode, first: current, next, previous, length: clip.length, text: texts.of(i).clip, seed: clipSeed(file, i), signal })) {
        timer.add('reconstruction', t0);
        emit();
        yield frame;
        t0 = performance.now();
      }
      if (track) await track.skip(clip.length, signal);
      if (inset) await inset.track.skip(clip.length, signal);
      previous = { frame: current, distance: clip.length };
    }
    if (produced !== clip.length) {
      throw new M3cError('internal', `reconstructor produced ${produced} frames for clip ${i}, expected ${clip.length}`);
    }
    texts.release(i);
  }
}
