/**
 * Value rules shared by the writer (which throws a RangeError: bad input there is our own bug)
 * and the parser (which reports 'out-of-range'). Each check returns a problem or null.
 */
import { LIMITS, STRATEGY_CODES } from './types.ts';
import { GUIDE_CODEC_IDS } from './types.ts';
import type { CodingParams, DecodeLimits, M3cClip, M3cGuide, M3cHeader } from './types.ts';

export type Problem = string | null;

function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}

export function uint32Problem(name: string, v: unknown): Problem {
  return isInt(v) && v >= 0 && v <= LIMITS.maxUint32 ? null : `${name} must be an integer in 0..${LIMITS.maxUint32} (got ${String(v)})`;
}

export function dimensionProblem(name: string, v: unknown): Problem {
  return isInt(v) && v >= LIMITS.minDimension && v <= LIMITS.maxDimension && v % 2 === 0
    ? null
    : `${name} must be an even integer in ${LIMITS.minDimension}..${LIMITS.maxDimension} (got ${String(v)})`;
}

export function fpsTermProblem(name: string, v: unknown, max: number): Problem {
  return isInt(v) && v >= 1 && v <= max ? null : `${name} must be an integer in 1..${max} (got ${String(v)})`;
}

export const fpsNumProblem = (name: string, v: unknown): Problem => fpsTermProblem(name, v, LIMITS.maxFpsNum);
export const fpsDenProblem = (name: string, v: unknown): Problem => fpsTermProblem(name, v, LIMITS.maxFpsDen);

/** Both terms already valid; integer arithmetic keeps the check exact: 0.1 <= num/den <= 240. */
export function fpsRatioProblem(num: number, den: number): Problem {
  if (num > LIMITS.maxFps * den) return `frame rate ${num}/${den} exceeds ${LIMITS.maxFps} fps`;
  return num * 10 >= LIMITS.minFpsTenths * den ? null : `frame rate ${num}/${den} is below ${LIMITS.minFpsTenths / 10} fps`;
}

/** The format's whole frame-rate rule, for callers that take a rate from a user (e.g. `--fps`). */
export function frameRateProblem(num: number, den: number): Problem {
  return fpsNumProblem('fps numerator', num) ?? fpsDenProblem('fps denominator', den) ?? fpsRatioProblem(num, den);
}

export function frameCountProblem(name: string, v: unknown): Problem {
  return isInt(v) && v >= 1 && v <= LIMITS.maxFrameCount ? null : `${name} must be an integer in 1..${LIMITS.maxFrameCount} (got ${String(v)})`;
}

export function clipCountProblem(count: number, frameCount: number): Problem {
  return count >= 1 && count <= frameCount ? null : `clip count must be in 1..${frameCount} (the frame count), got ${count}`;
}

export function isPrintableAscii(code: number): boolean {
  return code >= 0x20 && code <= 0x7e;
}

export function idLengthProblem(name: string, length: number): Problem {
  return length >= 1 && length <= LIMITS.maxIdLength ? null : `${name} must be 1..${LIMITS.maxIdLength} characters long (got ${length})`;
}

export function idProblem(name: string, v: unknown): Problem {
  if (typeof v !== 'string') return `${name} must be a string`;
  const lengthProblem = idLengthProblem(name, v.length);
  if (lengthProblem) return lengthProblem;
  for (let i = 0; i < v.length; i++) {
    if (!isPrintableAscii(v.charCodeAt(i))) return `${name} must be printable ASCII (character ${i} is code ${v.charCodeAt(i)})`;
  }
  return null;
}

export function strategyCodeProblem(code: number): Problem {
  return code < STRATEGY_CODES.length ? null : `selection strategy code ${code} is unknown (0..${STRATEGY_CODES.length - 1} are defined)`;
}

/** The interval belongs to the fixed strategy alone, so it is 0 elsewhere and a real interval there. */
export function intervalProblem(strategy: string, interval: number): Problem {
  if (strategy === 'fixed') return interval >= 1 ? null : `the fixed strategy needs an interval of at least 1 frame (got ${interval})`;
  return interval === 0 ? null : `interval must be 0 for the ${strategy} strategy (got ${interval})`;
}

function bytesProblem(name: string, v: unknown): Problem {
  return v instanceof Uint8Array ? null : `${name} must be a Uint8Array`;
}

function paramsProblem(p: CodingParams | undefined): Problem {
  if (typeof p !== 'object' || p === null) return 'header.params must be an object';
  if (!STRATEGY_CODES.includes(p.strategy)) return `header.params.strategy must be one of ${STRATEGY_CODES.join(', ')} (got ${String(p.strategy)})`;
  return (
    uint32Problem('header.params.lambda1Milli', p.lambda1Milli) ??
    uint32Problem('header.params.lambda2Milli', p.lambda2Milli) ??
    uint32Problem('header.params.thresholdMilli', p.thresholdMilli) ??
    uint32Problem('header.params.interval', p.interval) ??
    intervalProblem(p.strategy, p.interval) ??
    uint32Problem('header.params.keyframeBudgetBytes', p.keyframeBudgetBytes)
  );
}

export function headerProblem(h: M3cHeader | undefined): Problem {
  if (typeof h !== 'object' || h === null) return 'header must be an object';
  return (
    dimensionProblem('header.width', h.width) ??
    dimensionProblem('header.height', h.height) ??
    fpsNumProblem('header.fpsNum', h.fpsNum) ??
    fpsDenProblem('header.fpsDen', h.fpsDen) ??
    fpsRatioProblem(h.fpsNum, h.fpsDen) ??
    frameCountProblem('header.frameCount', h.frameCount) ??
    idProblem('header.modelPackId', h.modelPackId) ??
    bytesProblem('header.modelPackHash', h.modelPackHash) ??
    (h.modelPackHash.length === LIMITS.modelPackHashBytes
      ? null
      : `header.modelPackHash must be exactly ${LIMITS.modelPackHashBytes} bytes (got ${h.modelPackHash.length})`) ??
    idProblem('header.keyframeCodecId', h.keyframeCodecId) ??
    idProblem('header.reconstructorId', h.reconstructorId) ??
    idProblem('header.textCoderId', h.textCoderId) ??
    paramsProblem(h.params)
  );
}

/** Clips must tile 0..frameCount-1 in order, each at least one frame long. */
export function clipsProblem(clips: readonly M3cClip[] | undefined, frameCount: number): Problem {
  if (!Array.isArray(clips)) return 'clips must be an array';
  const countProblem = clipCountProblem(clips.length, frameCount);
  if (countProblem) return countProblem;
  let next = 0;
  for (let i = 0; i < clips.length; i++) {
    const c = clips[i];
    const at = `clips[${i}]`;
    if (typeof c !== 'object' || c === null) return `${at} must be an object`;
    if (c.firstFrame !== next) return `${at}.firstFrame must be ${next} (clips are contiguous from frame 0), got ${String(c.firstFrame)}`;
    if (!isInt(c.length) || c.length < 1) return `${at}.length must be an integer >= 1 (got ${String(c.length)})`;
    if (c.mode !== 'prediction' && c.mode !== 'interpolation' && c.mode !== 'guided') return `${at}.mode must be 'prediction', 'interpolation' or 'guided' (got ${String(c.mode)})`;
    const payloadProblem = bytesProblem(`${at}.keyframe`, c.keyframe) ?? bytesProblem(`${at}.keyframeText`, c.keyframeText) ?? bytesProblem(`${at}.clipText`, c.clipText);
    if (payloadProblem) return payloadProblem;
    next += c.length;
    if (next > frameCount) return `${at} ends at frame ${next - 1}, past the last frame ${frameCount - 1}`;
  }
  return next === frameCount ? null : `clips cover ${next} frames but header.frameCount is ${frameCount}`;
}

/** A guide's fields: a known codec, a size and rate within the header's, ids as ids. */
export function guideProblem(g: M3cGuide, h: Pick<M3cHeader, 'width' | 'height' | 'fpsNum' | 'fpsDen'>): Problem {
  if (typeof g !== 'object' || g === null) return 'guide must be an object';
  return (
    idProblem('guide.codecId', g.codecId) ??
    (GUIDE_CODEC_IDS.includes(g.codecId) ? null : `guide.codecId "${g.codecId}" is not a known guide codec (${GUIDE_CODEC_IDS.join(', ')})`) ??
    guideSizeProblem(g, h) ??
    uint32Problem('guide.quantizer', g.quantizer) ??
    idProblem('guide.encoder', g.encoder) ??
    bytesProblem('guide.stream', g.stream)
  );
}

/** Size and rate of a guide against its header's (both already in the format's ranges where they come from the parser). */
export function guideSizeProblem(g: Pick<M3cGuide, 'width' | 'height' | 'fpsNum' | 'fpsDen'>, h: Pick<M3cHeader, 'width' | 'height' | 'fpsNum' | 'fpsDen'>): Problem {
  return (
    dimensionProblem('guide width', g.width) ??
    dimensionProblem('guide height', g.height) ??
    (g.width <= h.width && g.height <= h.height ? null : `guide size ${g.width}x${g.height} is larger than the video's ${h.width}x${h.height}`) ??
    fpsNumProblem('guide fps numerator', g.fpsNum) ??
    fpsDenProblem('guide fps denominator', g.fpsDen) ??
    fpsRatioProblem(g.fpsNum, g.fpsDen) ??
    (g.fpsNum * h.fpsDen <= h.fpsNum * g.fpsDen ? null : `guide frame rate ${g.fpsNum}/${g.fpsDen} is above the video's ${h.fpsNum}/${h.fpsDen}`)
  );
}

/**
 * A header (already valid for the format) beyond a decoder's resource limits; the message says
 * what to do about it. Integer arithmetic: the duration check is frameCount * fpsDen <= max * fpsNum.
 */
export function limitsProblem(h: Pick<M3cHeader, 'width' | 'height' | 'fpsNum' | 'fpsDen' | 'frameCount'>, limits: DecodeLimits): Problem {
  const { width, height, fpsNum, fpsDen, frameCount } = h;
  if (width > limits.maxDimension || height > limits.maxDimension) {
    return `the video is ${width}x${height}, larger than the ${limits.maxDimension} pixels per side this decoder allows`;
  }
  if (width * height > limits.maxPixels) {
    return `the video is ${width}x${height} (${width * height} pixels a frame), more than the ${limits.maxPixels} this decoder allows`;
  }
  if (frameCount > limits.maxFrameCount) return `the video has ${frameCount} frames, more than the ${limits.maxFrameCount} this decoder allows`;
  if (frameCount * fpsDen > limits.maxDurationSec * fpsNum) {
    const seconds = Math.ceil((frameCount * fpsDen * 10) / fpsNum) / 10;
    return `the video lasts ${seconds.toFixed(1)} s (${frameCount} frames at ${fpsNum}/${fpsDen} fps), longer than the ${limits.maxDurationSec} s this decoder allows`;
  }
  return null;
}
