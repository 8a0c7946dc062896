/**
 * Probability models for the range coder. All state is integer: frequencies and 16-bit
 * probabilities, so an encoder and a decoder fed the same symbols stay identical everywhere.
 */

/** Probabilities of binary models are P(bit = 1) scaled to this many bits. */
export const BIT_PROB_BITS = 16;
/** Largest total frequency a model may present to the coder (keeps range/total >= 256). */
export const MAX_TOTAL_FREQ = 1 << 16;
/** Largest alphabet a frequency model supports. */
export const MAX_ALPHABET = 1 << 15;
/** Largest single count accepted in a table of learned counts (keeps count * total < 2^53). */
export const MAX_COUNT = 2 ** 36;

/** What the coder needs from a multi-symbol model: cumulative frequencies and adaptation. */
export interface FrequencyModel {
  readonly size: number;
  readonly total: number;
  /** Sum of the frequencies of the symbols below `symbol`. */
  low(symbol: number): number;
  freq(symbol: number): number;
  /** The symbol s with low(s) <= target < low(s) + freq(s); 0 <= target < total. */
  find(target: number): number;
  /** Called by the coder after each coded symbol. */
  update(symbol: number): void;
}

function checkAlphabet(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > MAX_ALPHABET) {
    throw new RangeError(`alphabet size ${n} outside 1..${MAX_ALPHABET}`);
  }
}

/**
 * Scales a table of non-negative integer counts so that its sum is at most `maxTotal`, keeping
 * every non-zero count (and, with `minFreq` 1, every count) at least 1. Integer arithmetic only.
 */
export function normalizeCounts(counts: ArrayLike<number>, maxTotal: number, minFreq: 0 | 1): Uint32Array {
  const n = counts.length;
  checkAlphabet(n);
  let sum = 0;
  let floorCount = 0;
  for (let i = 0; i < n; i++) {
    const c = counts[i];
    if (!Number.isInteger(c) || c < 0 || c > MAX_COUNT) {
      throw new RangeError(`count ${c} at index ${i} is not an integer in 0..2^36`);
    }
    sum += Math.max(c, minFreq);
    if (c > 0 || minFreq === 1) floorCount++;
  }
  if (sum === 0) throw new RangeError('a frequency table needs at least one non-zero count');
  if (floorCount > maxTotal / 2) throw new RangeError(`too many symbols (${floorCount}) for a total of ${maxTotal}`);
  const out = new Uint32Array(n);
  if (sum <= maxTotal) {
    for (let i = 0; i < n; i++) out[i] = Math.max(counts[i], minFreq);
    return out;
  }
  // Reserve one unit per symbol for the floor of 1 so the scaled sum cannot exceed maxTotal.
  const budget = maxTotal - floorCount;
  for (let i = 0; i < n; i++) {
    const c = Math.max(counts[i], minFreq);
    out[i] = c === 0 ? 0 : Math.max(1, Math.floor((c * budget) / sum));
  }
  return out;
}

export interface AdaptiveModelOptions {
  /** Added to a symbol's frequency each time it is coded (default 24). */
  readonly increment?: number;
  /** Frequencies are halved when their total exceeds this (default and maximum 2^16). */
  readonly limit?: number;
  /** Learned integer counts to start from instead of a flat distribution (every symbol keeps >= 1). */
  readonly initialCounts?: ArrayLike<number>;
}

/** Adaptive frequency model over a Fenwick tree, so large alphabets stay O(log n) per symbol. */
export class AdaptiveModel implements FrequencyModel {
  readonly size: number;
  private totalFreq = 0;
  private readonly freqs: Uint32Array;
  private readonly tree: Uint32Array;
  private readonly increment: number;
  private readonly limit: number;
  private readonly topStep: number;

  constructor(nsymbols: number, options: AdaptiveModelOptions = {}) {
    checkAlphabet(nsymbols);
    const limit = options.limit ?? MAX_TOTAL_FREQ;
    if (!Number.isInteger(limit) || limit < 2 * nsymbols || limit > MAX_TOTAL_FREQ) {
      throw new RangeError(`limit ${limit} outside ${2 * nsymbols}..${MAX_TOTAL_FREQ}`);
    }
    const increment = options.increment ?? 24;
    if (!Number.isInteger(increment) || increment < 1 || increment > limit / 4) {
      throw new RangeError(`increment ${increment} outside 1..${limit / 4}`);
    }
    if (options.initialCounts && options.initialCounts.length !== nsymbols) {
      throw new RangeError(`initialCounts has ${options.initialCounts.length} entries, expected ${nsymbols}`);
    }
    this.size = nsymbols;
    this.increment = increment;
    this.limit = limit;
    this.freqs = options.initialCounts
      ? normalizeCounts(options.initialCounts, limit, 1)
      : new Uint32Array(nsymbols).fill(1);
    this.tree = new Uint32Array(nsymbols + 1);
    let step = 1;
    while (step * 2 <= nsymbols) step *= 2;
    this.topStep = step;
    this.rebuild();
  }

  get total(): number {
    return this.totalFreq;
  }

  low(symbol: number): number {
    let sum = 0;
    for (let i = symbol; i > 0; i -= i & -i) sum += this.tree[i];
    return sum;
  }

  freq(symbol: number): number {
    return this.freqs[symbol];
  }

  find(target: number): number {
    let pos = 0;
    let rest = target;
    for (let step = this.topStep; step > 0; step >>= 1) {
      const next = pos + step;
      if (next <= this.size && this.tree[next] <= rest) {
        pos = next;
        rest -= this.tree[next];
      }
    }
    return pos;
  }

  update(symbol: number): void {
    this.freqs[symbol] += this.increment;
    this.totalFreq += this.increment;
    if (this.totalFreq > this.limit) {
      this.rescale();
      return;
    }
    for (let i = symbol + 1; i <= this.size; i += i & -i) this.tree[i] += this.increment;
  }

  private rescale(): void {
    do {
      for (let i = 0; i < this.size; i++) this.freqs[i] = (this.freqs[i] + 1) >>> 1;
      this.rebuild();
    } while (this.totalFreq > this.limit);
  }

  private rebuild(): void {
    const n = this.size;
    this.tree.fill(0);
    let total = 0;
    for (let i = 1; i <= n; i++) {
      this.tree[i] += this.freqs[i - 1];
      total += this.freqs[i - 1];
      const parent = i + (i & -i);
      if (parent <= n) this.tree[parent] += this.tree[i];
    }
    this.totalFreq = total;
  }
}

/**
 * Fixed model from a table of integer counts (for instance learned offline). Symbols with count 0
 * cannot be coded; counts are scaled down to the coder's maximum total when needed.
 */
export class StaticModel implements FrequencyModel {
  readonly size: number;
  readonly total: number;
  private readonly freqs: Uint32Array;
  private readonly cum: Uint32Array;

  constructor(freqs: ArrayLike<number>) {
    this.freqs = normalizeCounts(freqs, MAX_TOTAL_FREQ, 0);
    this.size = this.freqs.length;
    this.cum = new Uint32Array(this.size + 1);
    for (let i = 0; i < this.size; i++) this.cum[i + 1] = this.cum[i] + this.freqs[i];
    this.total = this.cum[this.size];
  }

  low(symbol: number): number {
    return this.cum[symbol];
  }

  freq(symbol: number): number {
    return this.freqs[symbol];
  }

  find(target: number): number {
    // Largest s with cum[s] <= target; it always has a non-zero frequency since cum[size] > target.
    let lo = 0;
    let hi = this.size - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.cum[mid] <= target) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  update(): void {
    // A static model does not adapt.
  }
}

export interface BinaryModelOptions {
  /** Adaptation speed: the probability moves by 1/2^shift of its error per bit (default 4). */
  readonly shift?: number;
  /** Initial P(bit = 1) in 1..65535 (default 32768). */
  readonly p1?: number;
}

/** Adaptive model for one binary decision (flags), an exponentially decaying 16-bit estimate. */
export class BinaryModel {
  private prob: number;
  private readonly shift: number;

  constructor(options: BinaryModelOptions = {}) {
    const shift = options.shift ?? 4;
    if (!Number.isInteger(shift) || shift < 1 || shift > 10) throw new RangeError(`shift ${shift} outside 1..10`);
    const p1 = options.p1 ?? 1 << (BIT_PROB_BITS - 1);
    if (!Number.isInteger(p1) || p1 < 1 || p1 >= 1 << BIT_PROB_BITS) {
      throw new RangeError(`p1 ${p1} outside 1..${(1 << BIT_PROB_BITS) - 1}`);
    }
    this.shift = shift;
    this.prob = p1;
  }

  /** P(bit = 1) scaled to 2^16; never 0 or 2^16 because the update leaves a margin of 2^shift - 1. */
  get p1(): number {
    return this.prob;
  }

  update(bit: number): void {
    if (bit) this.prob += ((1 << BIT_PROB_BITS) - this.prob) >> this.shift;
    else this.prob -= this.prob >> this.shift;
  }
}

/** A family of models selected by a small integer context (for example a neighbourhood pattern). */
export class ContextModels<M> {
  private readonly models: M[];

  constructor(count: number, create: (context: number) => M) {
    if (!Number.isInteger(count) || count < 1) throw new RangeError(`context count ${count} must be a positive integer`);
    this.models = Array.from({ length: count }, (_, i) => create(i));
  }

  get size(): number {
    return this.models.length;
  }

  at(context: number): M {
    const m = this.models[context];
    if (m === undefined) throw new RangeError(`context ${context} outside 0..${this.models.length - 1}`);
    return m;
  }
}
