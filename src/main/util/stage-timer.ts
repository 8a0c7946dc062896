/** Wall time per stage, accumulated in milliseconds: the one way the encoder, decoder and benchmarks time a stage. */
export class StageTimer {
  /** Milliseconds per stage name; a stage timed twice adds up. Pass an existing record to accumulate into it. */
  constructor(readonly timings: Record<string, number> = {}) {}

  /** Adds the time since `t0` (a performance.now() value) to `stage`. */
  add(stage: string, t0: number): void {
    this.timings[stage] = (this.timings[stage] ?? 0) + (performance.now() - t0);
  }

  async time<T>(stage: string, fn: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      this.add(stage, t0);
    }
  }

  timeSync<T>(stage: string, fn: () => T): T {
    const t0 = performance.now();
    try {
      return fn();
    } finally {
      this.add(stage, t0);
    }
  }
}
