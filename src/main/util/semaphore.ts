import { cancelled } from '../../shared/engine/errors.ts';

export interface SemaphoreOptions {
  /** How many callers may wait for a slot; past that, acquire() rejects with `busy()` at once (default: no bound). */
  readonly maxWaiting?: number;
  /** The error for a full wait list. */
  readonly busy?: () => Error;
}

/**
 * Counting semaphore: bounds how many tasks run at once (requests to one LMM server, ffmpeg previews),
 * optionally with a bounded wait list. A slot passes straight to the next waiter, in order.
 */
export class Semaphore {
  private available: number;
  private readonly waiters: Array<() => void> = [];

  constructor(
    readonly limit: number,
    private readonly options: SemaphoreOptions = {},
  ) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`concurrency must be a positive integer, got ${limit}`);
    this.available = limit;
  }

  /** Tasks holding a slot now. */
  get running(): number {
    return this.limit - this.available;
  }

  /** Callers waiting for a slot now. */
  get queued(): number {
    return this.waiters.length;
  }

  /** Runs `task` in a slot, released however the task ends. */
  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const release = await this.acquire(signal);
    try {
      return await task();
    } finally {
      release();
    }
  }

  /** Resolves with a release function once a slot is free; rejects with `cancelled` if `signal` aborts first. */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(cancelled());
    if (this.available > 0) {
      this.available--;
      return Promise.resolve(this.releaser());
    }
    if (this.waiters.length >= (this.options.maxWaiting ?? Infinity)) {
      return Promise.reject(this.options.busy?.() ?? new RangeError(`all ${this.limit} slots are busy and ${this.waiters.length} callers wait`));
    }
    return new Promise((resolve, reject) => {
      const grant = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve(this.releaser());
      };
      const onAbort = (): void => {
        const i = this.waiters.indexOf(grant);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(cancelled());
      };
      this.waiters.push(grant);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      // The slot passes straight to the next waiter, so `available` only grows when nobody waits.
      if (next) next();
      else this.available++;
    };
  }
}

/** setTimeout as a promise that rejects with `cancelled` when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(cancelled());
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(cancelled());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
