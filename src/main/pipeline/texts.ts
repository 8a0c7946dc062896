/**
 * Stage 4, code texts, both ways: each item's keyframe text D^F and clip text D^C coded with the
 * installation's text coder, and a clip's texts decoded from the .m3c, checked.
 */
import type { ItemDescriptions } from '../../shared/engine/interfaces.ts';
import { M3cError } from '../../shared/engine/errors.ts';
import type { M3cFile } from '../../shared/bitstream/index.ts';
import { decodeText, encodeText } from '../../shared/text/index.ts';

export interface CodedTexts {
  readonly keyframeText: Uint8Array;
  readonly clipText: Uint8Array;
}

export function encodeTexts(texts: ItemDescriptions): CodedTexts {
  return { keyframeText: encodeText(texts.keyframe), clipText: encodeText(texts.clip) };
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

/**
 * The decoder's texts: every text is checked when this is made (before the first frame), yet only
 * the texts of the clips in hand are kept, since a text decodes to up to MAX_TEXT_BYTES and keeping
 * all would grow with the clip count.
 */
export class ClipTextWindow {
  private readonly held = new Map<number, { keyframe: string; clip: string }>();

  constructor(private readonly file: M3cFile) {
    for (let i = 0; i < file.clips.length; i++) clipTextsOf(file, i);
  }

  of(i: number): { keyframe: string; clip: string } {
    let t = this.held.get(i);
    if (!t) {
      t = clipTextsOf(this.file, i);
      this.held.set(i, t);
    }
    return t;
  }

  /** Clip i is done: its texts are no longer needed. */
  release(i: number): void {
    this.held.delete(i);
  }
}
