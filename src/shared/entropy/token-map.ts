/**
 * Lossless coding of a grid of VQ token indices (e.g. 32x20 or 64x40 tokens from a 256-entry
 * codebook). Each token is predicted from its causal neighbours: a flag says "same as left",
 * "same as above" or "other" (adaptive models selected by how the neighbours agree), and only
 * "other" tokens are coded with the symbol model, which may start from a learned count table.
 * The output has no header: the caller stores width and height.
 */
import { AdaptiveModel, ContextModels } from './models.ts';
import { RangeDecoder, RangeEncoder } from './range-coder.ts';

export interface TokenMapOptions {
  /** Number of distinct token values (default 256). */
  readonly alphabetSize?: number;
  /** Integer counts (one per token value) to initialise the token model, e.g. learned offline. */
  readonly prior?: ArrayLike<number>;
}

export type TokenMapDecodeResult = { ok: true; tokens: Uint8Array } | { ok: false; message: string };

/** Largest grid this coder accepts (a 4096 x 4096 token map). */
export const MAX_TOKEN_MAP_CELLS = 1 << 24;

const FLAG_LEFT = 0;
const FLAG_ABOVE = 1;
const FLAG_OTHER = 2;
/** With one candidate (left equals above, or only one exists) the flag is binary: same / other. */
const FLAG_SAME = 0;
const FLAG_NEW = 1;
const NEIGHBOUR_CONTEXTS = 8;
const SYMBOL_LIMIT = 1 << 16;
/**
 * A 640-token map sees each of 256 symbols only a few times, so the token model adapts slowly
 * (flat start of 16 per symbol, +4 per use): uniform maps stay near 8 bits per token while a
 * recurring palette still gets cheaper. A prior's own scale sets its weight against the +4 steps.
 */
const FLAT_COUNT = 16;
const SYMBOL_INCREMENT = 4;

interface Models {
  readonly pair: ContextModels<AdaptiveModel>;
  readonly single: ContextModels<AdaptiveModel>;
  readonly symbol: AdaptiveModel;
}

function checkGeometry(width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 0 || height < 0) {
    throw new RangeError(`token map size ${width}x${height} must be non-negative integers`);
  }
  if (width * height > MAX_TOKEN_MAP_CELLS) {
    throw new RangeError(`token map ${width}x${height} exceeds ${MAX_TOKEN_MAP_CELLS} tokens`);
  }
}

function alphabetOf(options: TokenMapOptions): number {
  const n = options.alphabetSize ?? 256;
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new RangeError(`alphabetSize ${n} outside 1..256`);
  return n;
}

function createModels(options: TokenMapOptions): Models {
  const n = alphabetOf(options);
  if (options.prior && options.prior.length !== n) {
    throw new RangeError(`prior has ${options.prior.length} counts, expected ${n}`);
  }
  return {
    pair: new ContextModels(NEIGHBOUR_CONTEXTS, () => new AdaptiveModel(3, { increment: 32, limit: 4096 })),
    single: new ContextModels(NEIGHBOUR_CONTEXTS, () => new AdaptiveModel(2, { increment: 32, limit: 4096 })),
    symbol: new AdaptiveModel(n, {
      increment: SYMBOL_INCREMENT,
      limit: SYMBOL_LIMIT,
      initialCounts: options.prior ?? new Array<number>(n).fill(FLAT_COUNT),
    }),
  };
}

/**
 * Neighbour agreement pattern. Bits: above-left equals left, above-left equals above, above-right
 * equals above. Regions of constant tokens light them up; texture does not.
 */
function neighbourContext(t: Uint8Array, i: number, x: number, y: number, width: number, left: number, above: number): number {
  const aboveLeft = x > 0 && y > 0 ? t[i - width - 1] : -1;
  const aboveRight = y > 0 && x + 1 < width ? t[i - width + 1] : -1;
  return (aboveLeft >= 0 && aboveLeft === left ? 1 : 0) | (aboveLeft >= 0 && aboveLeft === above ? 2 : 0) |
    (aboveRight >= 0 && aboveRight === above ? 4 : 0);
}

export function encodeTokenMap(tokens: Uint8Array, width: number, height: number, options: TokenMapOptions = {}): Uint8Array {
  checkGeometry(width, height);
  if (tokens.length !== width * height) {
    throw new RangeError(`token map has ${tokens.length} tokens, expected ${width}x${height}`);
  }
  const models = createModels(options);
  const enc = new RangeEncoder();
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i++) {
      const token = tokens[i];
      if (token >= models.symbol.size) throw new RangeError(`token ${token} at ${x},${y} outside the alphabet`);
      const left = x > 0 ? tokens[i - 1] : -1;
      const above = y > 0 ? tokens[i - width] : -1;
      if (left < 0 && above < 0) {
        enc.encode(models.symbol, token);
        continue;
      }
      const ctx = neighbourContext(tokens, i, x, y, width, left, above);
      if (left < 0 || above < 0 || left === above) {
        const candidate = left >= 0 ? left : above;
        const same = token === candidate;
        enc.encode(models.single.at(ctx), same ? FLAG_SAME : FLAG_NEW);
        if (!same) enc.encode(models.symbol, token);
      } else {
        const flag = token === left ? FLAG_LEFT : token === above ? FLAG_ABOVE : FLAG_OTHER;
        enc.encode(models.pair.at(ctx), flag);
        if (flag === FLAG_OTHER) enc.encode(models.symbol, token);
      }
    }
  }
  return enc.finish();
}

/** Never throws on corrupt bytes: returns a message instead (it still throws on invalid arguments). */
export function decodeTokenMap(bytes: Uint8Array, width: number, height: number, options: TokenMapOptions = {}): TokenMapDecodeResult {
  checkGeometry(width, height);
  const models = createModels(options);
  const dec = new RangeDecoder(bytes);
  const tokens = new Uint8Array(width * height);
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i++) {
      const left = x > 0 ? tokens[i - 1] : -1;
      const above = y > 0 ? tokens[i - width] : -1;
      if (left < 0 && above < 0) {
        tokens[i] = dec.decode(models.symbol);
        continue;
      }
      const ctx = neighbourContext(tokens, i, x, y, width, left, above);
      if (left < 0 || above < 0 || left === above) {
        const flag = dec.decode(models.single.at(ctx));
        tokens[i] = flag === FLAG_SAME ? (left >= 0 ? left : above) : dec.decode(models.symbol);
      } else {
        const flag = dec.decode(models.pair.at(ctx));
        tokens[i] = flag === FLAG_LEFT ? left : flag === FLAG_ABOVE ? above : dec.decode(models.symbol);
      }
    }
  }
  if (!dec.endsCleanly()) {
    return { ok: false, message: `token map ${width}x${height}: ${bytes.length} bytes do not form a valid stream` };
  }
  return { ok: true, tokens };
}
