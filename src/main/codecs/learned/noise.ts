/**
 * The denoiser's starting noise, a pure function of the decode seed, bit-identical on every machine.
 *
 * Generator: xoshiro128** (32-bit integer state), seeded through splitmix32. Only Math.imul, shifts
 * and xors, which JavaScript defines exactly.
 *
 * Gaussian: the Irwin-Hall sum of 12 uniforms minus 6 (mean 0, variance 1, support [-6, 6]). Each
 * uniform is a 24-bit integer, so the sum is an exact integer and the only rounding is the final
 * conversion to float32 (IEEE round-to-nearest-even, also exact in its definition). Box-Muller would
 * need Math.log/Math.cos, whose results the language leaves to the implementation. The model is
 * trained on this same distribution (training/models.py irwin_hall_noise).
 */

const UNIFORMS_PER_SAMPLE = 12;
const UNIFORM_BITS = 24;
const UNIFORM_SCALE = 2 ** UNIFORM_BITS;

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

export class Xoshiro128 {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /** `seed`: any safe integer (its low 53 bits all matter). */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`noise seed ${seed} must be a safe integer`);
    const lo = seed >>> 0;
    const hi = Math.floor(seed / 2 ** 32) >>> 0;
    let x = (lo ^ Math.imul(hi, 0x27d4eb2d)) | 0;
    const splitmix32 = (): number => {
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) | 0;
    };
    this.s0 = splitmix32();
    this.s1 = splitmix32();
    this.s2 = splitmix32();
    this.s3 = splitmix32();
    // The all-zero state is the generator's one fixed point.
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** Next value in 0..2^32-1. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9);
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result >>> 0;
  }
}

/** `count` approximately standard normal float32 values drawn from `seed`. */
export function gaussianNoise(seed: number, count: number): Float32Array {
  const rng = new Xoshiro128(seed);
  const out = new Float32Array(count);
  const offset = (UNIFORMS_PER_SAMPLE / 2) * UNIFORM_SCALE;
  for (let i = 0; i < count; i++) {
    let sum = 0;
    for (let k = 0; k < UNIFORMS_PER_SAMPLE; k++) sum += rng.nextUint32() >>> (32 - UNIFORM_BITS);
    out[i] = (sum - offset) / UNIFORM_SCALE;
  }
  return out;
}
