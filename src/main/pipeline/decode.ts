/**
 * The M3-CVC decoder: parse and check the .m3c, decode keyframes, rebuild every clip from its
 * keyframe(s) and texts, and stream the frames out. Only the previous, current and next decoded
 * keyframes are held in memory.
 */
import type { Geometry, RgbFrame } from '../../shared/engine/frame.ts';
import type { ProgressListener } from '../../shared/engine/progress.ts';
import { M3cError, throwIfAborted } from '../../shared/engine/errors.ts';
import { DEFAULT_DECODE_LIMITS, parseM3c, parseErrorToM3cError, type DecodeLimits, type M3cFile } from '../../shared/bitstream/index.ts';
import { decodeText } from '../../shared/text/index.ts';
import { fnv1a32 } from '../../shared/util/fnv.ts';
import { encodeMp4 } from '../media/index.ts';
import { CLASSICAL_AV1_ID } from '../codecs/index.ts';
import type { Engine } from './engine.ts';

/**
 * Earlier shipped packs that held no models: a file made under one of them used only code (the
 * classical keyframe codec), so any installation still decodes it.
 */
export const MODEL_FREE_PACKS: ReadonlyMap<string, Uint8Array> = new Map([['m3c-classical-1', Uint8Array.from([0x9d, 0x80, 0x08, 0xda, 0xba, 0x22, 0x91, 0x09])]]);

export interface OpenOptions {
  /**
   * Resource limits checked right after the header, before any work (docs/bitstream.md); default
   * DEFAULT_DECODE_LIMITS. `null` keeps only the format's ranges (`m3c decode --allow-large`).
   */
  readonly limits?: DecodeLimits | null;
  /** Appended to an 'exceeds-limits' message: how this caller's user lifts the limits. */
  readonly limitHint?: string;
}

/**
 * Parses a .m3c and checks it against the installed model pack and the resource limits; errors
 * carry the CLI's codes (a file beyond the limits is 'corrupt-bitstream', exit 4).
 */
export function openBitstream(engine: Engine, bytes: Uint8Array, options: OpenOptions = {}): M3cFile {
  const known = new Map([...MODEL_FREE_PACKS, [engine.manifest.packId, engine.modelPackHash]]);
  const limits = options.limits === undefined ? DEFAULT_DECODE_LIMITS : (options.limits ?? undefined);
  const parsed = parseM3c(bytes, { knownModelPacks: known, limits });
  if (!parsed.ok) {
    const e = parsed.error;
    throw parseErrorToM3cError(e.kind === 'exceeds-limits' && options.limitHint ? { ...e, message: `${e.message}; ${options.limitHint}` } : e);
  }
  const { modelPackId, keyframeCodecId } = parsed.file.header;
  if (modelPackId !== engine.manifest.packId && keyframeCodecId !== CLASSICAL_AV1_ID) {
    throw new M3cError('model', `this .m3c names model pack ${modelPackId}, which has no models, yet keyframe codec "${keyframeCodecId}": the file is inconsistent`);
  }
  if (parsed.file.header.textCoderId !== engine.textCoderId) {
    throw new M3cError('model', `this .m3c codes its texts with "${parsed.file.header.textCoderId}", this installation has "${engine.textCoderId}"`);
  }
  return parsed.file;
}

export function geometryOf(file: M3cFile): Geometry {
  const h = file.header;
  return { width: h.width, height: h.height, fpsNum: h.fpsNum, fpsDen: h.fpsDen };
}

/** The decoded texts of clip i; a text that does not decode is 'corrupt-bitstream'. */
export function clipTextsOf(file: M3cFile, i: number): { keyframe: string; clip: string } {
  const c = file.clips[i];
  const k = decodeText(c.keyframeText);
  if (!k.ok) throw new M3cError('corrupt-bitstream', `keyframe text of clip ${i} cannot be decoded: ${k.message}`);
  const t = decodeText(c.clipText);
  if (!t.ok) throw new M3cError('corrupt-bitstream', `clip text of clip ${i} cannot be decoded: ${t.message}`);
  return { keyframe: k.text, clip: t.text };
}

/** Every clip's decoded texts (each up to MAX_TEXT_BYTES: memory grows with the clip count). */
export function clipTexts(file: M3cFile): { keyframe: string; clip: string }[] {
  return file.clips.map((_, i) => clipTextsOf(file, i));
}

export interface DecodeOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: ProgressListener;
  /** Milliseconds per stage, accumulated. */
  readonly timings?: Record<string, number>;
}

/** Every frame of the video, in order. Deterministic: the same file yields the same bytes. */
export async function* decodeVideoFrames(engine: Engine, file: M3cFile, options: DecodeOptions = {}): AsyncGenerator<RgbFrame> {
  const { signal, onProgress } = options;
  const timings = options.timings ?? {};
  const add = (k: string, t0: number): void => {
    timings[k] = (timings[k] ?? 0) + performance.now() - t0;
  };
  const geometry = geometryOf(file);
  const codec = engine.keyframeCodecById(file.header.keyframeCodecId);
  const reconstructor = engine.reconstructorById(file.header.reconstructorId);
  // Every text is checked before the first frame, yet only the texts of the clips in hand are
  // kept: a text decodes to up to MAX_TEXT_BYTES, so keeping all would grow with the clip count.
  for (let i = 0; i < file.clips.length; i++) clipTextsOf(file, i);
  const texts = new Map<number, { keyframe: string; clip: string }>();
  const textsOf = (i: number): { keyframe: string; clip: string } => {
    let t = texts.get(i);
    if (!t) {
      t = clipTextsOf(file, i);
      texts.set(i, t);
    }
    return t;
  };
  const seedOf = (i: number): number => fnv1a32(file.clips[i].keyframe, (0x9e3779b9 ^ i) >>> 0);
  const decodeKeyframe = async (i: number): Promise<RgbFrame> => {
    const t0 = performance.now();
    const frame = await codec.decode(file.clips[i].keyframe, geometry, { seed: seedOf(i), text: textsOf(i).keyframe, signal });
    add('keyframe-decoding', t0);
    return frame;
  };

  let emitted = 0;
  let previous: { frame: RgbFrame; distance: number } | undefined;
  let current = await decodeKeyframe(0);
  for (let i = 0; i < file.clips.length; i++) {
    throwIfAborted(signal);
    const clip = file.clips[i];
    const next = i + 1 < file.clips.length ? await decodeKeyframe(i + 1) : undefined;
    let t0 = performance.now();
    let produced = 0;
    for await (const frame of reconstructor.reconstruct({
      mode: clip.mode,
      first: current,
      next: clip.mode === 'interpolation' ? next : undefined,
      previous,
      length: clip.length,
      text: textsOf(i).clip,
      seed: seedOf(i),
      signal,
    })) {
      add('reconstruction', t0);
      produced++;
      emitted++;
      onProgress?.({ stage: 'decoding', done: emitted, total: file.header.frameCount });
      yield frame;
      t0 = performance.now();
    }
    if (produced !== clip.length) {
      throw new M3cError('internal', `reconstructor produced ${produced} frames for clip ${i}, expected ${clip.length}`);
    }
    texts.delete(i);
    previous = { frame: current, distance: clip.length };
    if (next) current = next;
  }
}

export interface DecodeToMp4Result {
  readonly frames: number;
  readonly bytes: number;
  readonly timings: Record<string, number>;
}

export async function decodeToMp4(engine: Engine, file: M3cFile, outPath: string, options: DecodeOptions = {}): Promise<DecodeToMp4Result> {
  const timings: Record<string, number> = {};
  const t0 = performance.now();
  const r = await encodeMp4(decodeVideoFrames(engine, file, { ...options, timings }), outPath, {
    fpsNum: file.header.fpsNum,
    fpsDen: file.header.fpsDen,
    signal: options.signal,
    totalFrames: file.header.frameCount,
  });
  timings.total = performance.now() - t0;
  timings['mp4-encoding'] = timings.total - (timings['keyframe-decoding'] ?? 0) - (timings.reconstruction ?? 0);
  return { frames: r.frames, bytes: r.bytes, timings };
}
