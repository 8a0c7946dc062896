/**
 * The M3-CVC decoder: open and check the .m3c, decode its keyframes and texts, rebuild every clip
 * and stream the frames out (to an mp4 with decodeToMp4).
 */
import type { RgbFrame } from '../../shared/engine/frame.ts';
import type { ProgressListener } from '../../shared/engine/progress.ts';
import { roiSpecOf, type M3cFile } from '../../shared/bitstream/index.ts';
import type { RoiSpec } from '../../shared/roi/index.ts';
import { encodeMp4 } from '../media/index.ts';
import { StageTimer } from '../util/stage-timer.ts';
import { restoresGuided, type Engine } from './engine.ts';
import { M3cError } from '../../shared/engine/errors.ts';
import { keyframeDecoder } from './keyframes.ts';
import { reconstructClips } from './reconstruct.ts';
import { ClipTextWindow } from './texts.ts';

export { geometryOf, MODEL_FREE_PACKS, openBitstream, type OpenOptions } from './container.ts';
export { clipTexts, clipTextsOf } from './texts.ts';

export interface DecodeOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: ProgressListener;
  /** Milliseconds per stage ('keyframe-decoding', 'guide-decoding', 'reconstruction'), accumulated. */
  readonly timings?: Record<string, number>;
}

/** Every frame of the video, in order. Deterministic: the same file yields the same bytes. */
export async function* decodeVideoFrames(engine: Engine, file: M3cFile, options: DecodeOptions = {}): AsyncGenerator<RgbFrame> {
  const { signal, onProgress } = options;
  const timer = new StageTimer(options.timings);
  const decodeKeyframe = keyframeDecoder(engine, file, { timer, signal });
  const reconstructor = engine.reconstructorById(file.header.reconstructorId);
  const texts = new ClipTextWindow(file);
  const restorer = restoresGuided(file.header.reconstructorId) ? engine.restorer : undefined;
  if (restoresGuided(file.header.reconstructorId) && !restorer) throw new M3cError('model', `this .m3c needs the guide-restore model, which model pack ${engine.manifest.packId} does not have`);
  const restore = restorer ? (f: RgbFrame, s?: AbortSignal) => restorer.restore(f, s) : undefined;
  yield* reconstructClips(file, { decodeKeyframe, reconstructor, detailFlow: engine.detailFlow, restore, texts, timer, signal, onProgress });
}

/** The regions of interest a file records (issue 14), boxes as the file quantised them; undefined when it has none. */
export function decodedRegions(file: M3cFile): RoiSpec | undefined {
  return file.roi ? roiSpecOf(file.roi) : undefined;
}

export interface DecodeToMp4Result {
  readonly frames: number;
  readonly bytes: number;
  /** The file's regions of interest, for outlining them (absent when it has none). */
  readonly regions?: RoiSpec;
  /** Milliseconds: 'keyframe-decoding', 'reconstruction', 'total' and 'mp4-encoding' (the rest of the total). */
  readonly timings: Record<string, number>;
}

export async function decodeToMp4(engine: Engine, file: M3cFile, outPath: string, options: DecodeOptions = {}): Promise<DecodeToMp4Result> {
  const timer = new StageTimer();
  const { timings } = timer;
  const r = await timer.time('total', () =>
    encodeMp4(decodeVideoFrames(engine, file, { ...options, timings }), outPath, {
      fpsNum: file.header.fpsNum,
      fpsDen: file.header.fpsDen,
      signal: options.signal,
      totalFrames: file.header.frameCount,
    }),
  );
  timings['mp4-encoding'] = timings.total - (timings['keyframe-decoding'] ?? 0) - (timings['guide-decoding'] ?? 0) - (timings.reconstruction ?? 0);
  const regions = decodedRegions(file);
  return { frames: r.frames, bytes: r.bytes, timings, ...(regions ? { regions } : {}) };
}
