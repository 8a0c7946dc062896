/** Small deterministic PRNG (xorshift32 seeded through a multiplicative hash) for property tests. */
export class Prng {
  private state: number;

  constructor(seed: number) {
    this.state = (Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) >>> 0) || 0x6d2b79f5;
  }

  /** Uniform 32-bit unsigned integer. */
  next(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state;
  }

  /** Uniform integer in 0..n-1 (n <= 2^32). */
  int(n: number): number {
    return Math.floor((this.next() / 0x100000000) * n);
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.next() & 0xff;
    return out;
  }
}
