/**
 * Context-mixing byte coder for short English descriptions.
 *
 * Bits are predicted MSB-first from hashed contexts (orders 0-4 and 6, the current word, the
 * current and previous word); each context slot holds a 16-bit probability with a use count that
 * slows its adaptation. A gated logistic mixer (weights chosen by the partial byte) combines the
 * stretched predictions; the mix drives the range coder. The model is primed once with a
 * built-in prior text (see cm-prior.ts) and every text starts from that state (restored from an
 * undo log afterwards, which is cheaper than copying megabytes of tables per text), so a
 * 300-character description already knows English and video vocabulary.
 *
 * Everything is integer: hashes use Math.imul, the logistic functions are integer tables, and
 * products stay below 2^53, so encoder and decoder agree on every engine.
 */
import { StaticModel } from '../entropy/models.ts';
import { RangeDecoder, RangeEncoder } from '../entropy/range-coder.ts';
import { CM_PRIOR_TEXT } from './cm-prior.ts';
import { utf8Encode } from './utf8.ts';

export type CmDecodeResult = { ok: true; bytes: Uint8Array } | { ok: false; message: string };

/** The coded length field allows up to 2^17 - 1 bytes; decoders are given a tighter cap. */
const MAX_LENGTH_BITS = 17;
const TABLE_BITS = 21;
const TABLE_SIZE = 1 << TABLE_BITS;
const INPUTS = 8;
/** Mixer inputs: the context predictions plus a constant bias. */
const MIX_INPUTS = INPUTS + 1;
const BIAS_INPUT = 256;
const COUNT_LIMIT = 60;
/** Mixer step: weight += input * error * MIXER_RATE / 2^13 (small steps suit 256 weight sets). */
const MIXER_RATE = 5;
const WEIGHT_LIMIT = 1 << 22;
const INITIAL_WEIGHT = Math.floor(65536 * 0.3);

/** 4096/(1+e^(-d/256)) at d = -2048, -1920, ..., 2048 (rounded once, offline; a constant). */
const SQUASH_POINTS = [
  1, 2, 4, 6, 10, 17, 27, 45, 74, 120, 194, 311, 488, 747, 1102, 1546, 2048, 2550, 2994, 3349, 3608, 3785, 3902,
  3976, 4022, 4051, 4069, 4079, 4086, 4090, 4092, 4094, 4095,
];

/** Logistic function on the integer domain -2047..2047 (stretch units), output a 12-bit probability. */
function squash(d: number): number {
  if (d > 2047) return 4095;
  if (d < -2047) return 1;
  const w = d & 127;
  const i = (d >> 7) + 16;
  return (SQUASH_POINTS[i] * (128 - w) + SQUASH_POINTS[i + 1] * w + 64) >> 7;
}

/** Inverse of squash, tabulated by walking squash over its domain (integer only). */
const STRETCH = (() => {
  const t = new Int16Array(4096);
  let pi = 0;
  for (let x = -2047; x <= 2047; x++) {
    const v = squash(x);
    for (let j = pi; j <= v; j++) t[j] = x;
    pi = v + 1;
  }
  for (let j = pi; j < 4096; j++) t[j] = 2047;
  return t;
})();

/** Adaptation rate by use count: about 1/(n + 1.5), scaled by 1024. */
const RATE = (() => {
  const t = new Int32Array(COUNT_LIMIT + 1);
  for (let n = 0; n <= COUNT_LIMIT; n++) t[n] = Math.floor(2048 / (2 * n + 3));
  return t;
})();

function isLetter(b: number): boolean {
  return (b >= 0x61 && b <= 0x7a) || (b >= 0x41 && b <= 0x5a) || b >= 0x80;
}

function mixHash(h: number, v: number): number {
  h = Math.imul(h ^ v, 0x85ebca6b);
  return (h ^ (h >>> 15)) >>> 0;
}

class CmModel {
  private readonly probs: Uint16Array;
  private readonly counts: Uint8Array;
  private readonly weights: Int32Array;
  private readonly contexts = new Uint32Array(INPUTS);
  private readonly slots = new Int32Array(INPUTS);
  private readonly inputs = new Int32Array(MIX_INPUTS);
  private history: Uint8Array = new Uint8Array(8);
  private c0 = 1;
  private word = 0;
  private previousWord = 0;
  private pr = 2048;
  private weightBase = 0;

  /** Undo log of slot writes while a text is coded, so the primed state is restored, not copied. */
  private logSlots = new Int32Array(0);
  private logProbs = new Uint16Array(0);
  private logCounts = new Uint8Array(0);
  private logLength = -1;
  private saved: { weights: Int32Array; history: Uint8Array; c0: number; word: number; previousWord: number } | null = null;

  constructor() {
    this.probs = new Uint16Array(TABLE_SIZE).fill(32768);
    this.counts = new Uint8Array(TABLE_SIZE);
    this.weights = new Int32Array(256 * MIX_INPUTS).fill(INITIAL_WEIGHT);
    this.updateContexts();
  }

  /** Starts coding one text from the current (primed) state; `restore` puts that state back. */
  checkpoint(): void {
    this.saved = {
      weights: this.weights.slice(),
      history: this.history.slice(),
      c0: this.c0,
      word: this.word,
      previousWord: this.previousWord,
    };
    this.logLength = 0;
  }

  restore(): void {
    const saved = this.saved;
    if (!saved) return;
    for (let j = this.logLength - 1; j >= 0; j--) {
      this.probs[this.logSlots[j]] = this.logProbs[j];
      this.counts[this.logSlots[j]] = this.logCounts[j];
    }
    this.weights.set(saved.weights);
    this.history = saved.history;
    this.c0 = saved.c0;
    this.word = saved.word;
    this.previousWord = saved.previousWord;
    this.updateContexts();
    this.saved = null;
    this.logLength = -1;
  }

  private log(slot: number): void {
    const n = this.logLength;
    if (n === this.logSlots.length) {
      const size = Math.max(4096, n * 2);
      const slots = new Int32Array(size);
      slots.set(this.logSlots);
      const probs = new Uint16Array(size);
      probs.set(this.logProbs);
      const counts = new Uint8Array(size);
      counts.set(this.logCounts);
      this.logSlots = slots;
      this.logProbs = probs;
      this.logCounts = counts;
    }
    this.logSlots[n] = slot;
    this.logProbs[n] = this.probs[slot];
    this.logCounts[n] = this.counts[slot];
    this.logLength = n + 1;
  }

  /** P(next bit = 1) as a 12-bit probability in 1..4095. */
  predict(): number {
    const c0mix = Math.imul(this.c0, 0x2f0b4ad3);
    let dot = 0;
    this.weightBase = this.c0 * MIX_INPUTS;
    for (let i = 0; i < INPUTS; i++) {
      const slot = Math.imul(this.contexts[i] ^ c0mix, 0x9e3779b1) >>> (32 - TABLE_BITS);
      this.slots[i] = slot;
      const st = STRETCH[this.probs[slot] >>> 4];
      this.inputs[i] = st;
      dot += this.weights[this.weightBase + i] * st;
    }
    this.inputs[INPUTS] = BIAS_INPUT;
    dot += this.weights[this.weightBase + INPUTS] * BIAS_INPUT;
    let p = squash(Math.floor(dot / 65536));
    if (p < 1) p = 1;
    else if (p > 4095) p = 4095;
    this.pr = p;
    return p;
  }

  update(bit: number): void {
    const err = ((bit << 12) - this.pr) * MIXER_RATE;
    for (let i = 0; i < MIX_INPUTS; i++) {
      const k = this.weightBase + i;
      let w = this.weights[k] + ((this.inputs[i] * err) >> 13);
      if (w > WEIGHT_LIMIT) w = WEIGHT_LIMIT;
      else if (w < -WEIGHT_LIMIT) w = -WEIGHT_LIMIT;
      this.weights[k] = w;
    }
    const target = bit ? 65535 : 0;
    const logging = this.logLength >= 0;
    for (let i = 0; i < INPUTS; i++) {
      const slot = this.slots[i];
      if (logging) this.log(slot);
      const n = this.counts[slot];
      const p = this.probs[slot];
      this.probs[slot] = p + (((target - p) * RATE[n]) >> 10);
      if (n < COUNT_LIMIT) this.counts[slot] = n + 1;
    }
    this.c0 = (this.c0 << 1) | bit;
    if (this.c0 >= 256) {
      this.endByte(this.c0 & 0xff);
      this.c0 = 1;
    }
  }

  private endByte(b: number): void {
    this.history.copyWithin(1, 0, 7);
    this.history[0] = b;
    if (isLetter(b)) {
      // Case-folded so "The" and "the" share statistics.
      this.word = mixHash(this.word + 1, b >= 0x41 && b <= 0x5a ? b + 32 : b);
    } else if (this.word !== 0) {
      this.previousWord = this.word;
      this.word = 0;
    }
    this.updateContexts();
  }

  private updateContexts(): void {
    const h = this.history;
    // Order k hashes the last k bytes; slot 5 skips order 5 and uses order 6.
    let ctx = 0;
    for (let k = 0; k <= 6; k++) {
      if (k < 5) this.contexts[k] = mixHash(ctx, k + 1);
      else if (k === 6) this.contexts[5] = mixHash(ctx, k + 1);
      ctx = mixHash(ctx, h[k] + 1);
    }
    this.contexts[6] = mixHash(mixHash(this.word, 0x77), h[0]);
    this.contexts[7] = mixHash(mixHash(this.word, this.previousWord), 0x99);
  }
}

let primed: CmModel | undefined;

/** The model after reading the built-in prior, built once per process. */
function primedModel(): CmModel {
  if (!primed) {
    const m = new CmModel();
    for (const b of utf8Encode(CM_PRIOR_TEXT)) {
      for (let i = 7; i >= 0; i--) {
        m.predict();
        m.update((b >> i) & 1);
      }
    }
    primed = m;
  }
  return primed;
}

/** Builds the primed model now instead of on first use (for timing or warm-up). */
export function primeCmCoder(): void {
  primedModel();
}

/** Bit lengths of typical description lengths (100-600 bytes) are cheap; anything up to 2^17 - 1 is codable. */
const LENGTH_CLASS_COUNTS = [1, 1, 1, 1, 2, 4, 8, 30, 90, 140, 90, 20, 4, 2, 1, 1, 1, 1];

function lengthClassModel(): StaticModel {
  return new StaticModel(LENGTH_CLASS_COUNTS);
}

function bitLength(n: number): number {
  return n === 0 ? 0 : 32 - Math.clz32(n);
}

export function cmEncode(data: Uint8Array): Uint8Array {
  if (data.length >= 2 ** MAX_LENGTH_BITS) {
    throw new RangeError(`text of ${data.length} bytes exceeds the context-mixing coder's ${2 ** MAX_LENGTH_BITS - 1}`);
  }
  const enc = new RangeEncoder();
  const k = bitLength(data.length);
  enc.encode(lengthClassModel(), k);
  if (k > 1) enc.encodeBits(data.length - 2 ** (k - 1), k - 1);
  const m = primedModel();
  m.checkpoint();
  try {
    for (const b of data) {
      for (let i = 7; i >= 0; i--) {
        const bit = (b >> i) & 1;
        enc.encodeBitProb(bit, m.predict() << 4);
        m.update(bit);
      }
    }
  } finally {
    m.restore();
  }
  return enc.finish();
}

/** Never throws on corrupt input; refuses a declared length above `maxOutput`. */
export function cmDecode(bytes: Uint8Array, maxOutput: number): CmDecodeResult {
  const dec = new RangeDecoder(bytes);
  const k = dec.decode(lengthClassModel());
  const length = k > 1 ? 2 ** (k - 1) + dec.decodeBits(k - 1) : k;
  if (length > maxOutput) return { ok: false, message: `declared text length ${length} exceeds ${maxOutput} bytes` };
  const out = new Uint8Array(length);
  const m = primedModel();
  m.checkpoint();
  try {
    for (let j = 0; j < length; j++) {
      let c = 0;
      for (let i = 0; i < 8; i++) {
        const bit = dec.decodeBitProb(m.predict() << 4);
        m.update(bit);
        c = (c << 1) | bit;
      }
      out[j] = c;
      if (dec.overrun > 4) return { ok: false, message: 'context-mixing stream ends before the text does' };
    }
  } finally {
    m.restore();
  }
  if (!dec.endsCleanly()) return { ok: false, message: 'context-mixing stream is corrupt or has trailing bytes' };
  return { ok: true, bytes: out };
}
