import type { M3cClip, M3cHeader } from '../../shared/bitstream/index.ts';

export interface SectionBytes {
  /** Keyframe payloads (the keyframe codec's bytes). */
  readonly keyframes: number;
  /** Coded keyframe descriptions D^F. */
  readonly keyframeTexts: number;
  /** Coded clip descriptions D^C. */
  readonly clipTexts: number;
  /** Magic, header, length prefixes, CRCs and per-clip fields. */
  readonly container: number;
}

export interface BitstreamSummary {
  readonly bytes: number;
  readonly bits: number;
  readonly frameCount: number;
  readonly durationSec: number;
  /** Bits per pixel over all frames at the working geometry. */
  readonly bpp: number;
  readonly kbps: number;
  readonly sections: SectionBytes;
}

export function summariseBitstream(m3c: Uint8Array, header: M3cHeader, clips: readonly M3cClip[]): BitstreamSummary {
  const sum = (f: (c: M3cClip) => Uint8Array): number => clips.reduce((a, c) => a + f(c).length, 0);
  const keyframes = sum((c) => c.keyframe);
  const keyframeTexts = sum((c) => c.keyframeText);
  const clipTexts = sum((c) => c.clipText);
  const bits = m3c.length * 8;
  const durationSec = (header.frameCount * header.fpsDen) / header.fpsNum;
  return {
    bytes: m3c.length,
    bits,
    frameCount: header.frameCount,
    durationSec,
    bpp: bits / (header.width * header.height * header.frameCount),
    kbps: bits / durationSec / 1000,
    sections: { keyframes, keyframeTexts, clipTexts, container: m3c.length - keyframes - keyframeTexts - clipTexts },
  };
}
