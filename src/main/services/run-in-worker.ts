/** Runs one WorkerTask in a fresh worker thread, with progress, cancellation and each finished description as it comes. */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { M3cError, type ErrorCode } from '../../shared/engine/errors.ts';
import type { ProgressListener } from '../../shared/engine/progress.ts';
import type { FinishedText } from '../pipeline/describe.ts';
import type { FromWorker, ToWorker, WorkerOutcome, WorkerTask } from './worker-tasks.ts';

/** The Electron build (scripts/build-electron.mjs) bundles worker.ts as studio-worker.js beside this module's bundle. */
const BUNDLED_WORKER_URL = new URL('./studio-worker.js', import.meta.url);

function workerBootstrap(): string {
  if (existsSync(fileURLToPath(BUNDLED_WORKER_URL))) return `import(${JSON.stringify(BUNDLED_WORKER_URL.href)})`;
  const workerUrl = new URL('./worker.ts', import.meta.url);
  const tsxApiUrl = pathToFileURL(path.join(path.dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist/esm/api/index.mjs')).href;
  // From sources the worker is TypeScript and Node 20 does not pass `--import tsx` on to worker threads, so a
  // tiny bootstrap registers tsx's loader in the worker before importing the real entry.
  return `import(${JSON.stringify(tsxApiUrl)}).then((m) => { m.register(); return import(${JSON.stringify(workerUrl.href)}); })`;
}
const BOOTSTRAP = workerBootstrap();
/** After a cancel, how long the worker gets to stop its ffmpeg children cleanly before it is terminated. */
const CANCEL_GRACE_MS = 5000;

export interface RunInWorkerOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: ProgressListener;
  /** A describe task's descriptions, in the order they finish; if it throws, the task is cancelled and fails with that error. */
  readonly onDescription?: (description: FinishedText) => void;
}

export function runInWorker<T extends WorkerTask>(task: T, options: RunInWorkerOptions = {}): Promise<WorkerOutcome<T>> {
  const { signal, onProgress, onDescription } = options;
  if (signal?.aborted) return Promise.reject(new M3cError('cancelled', 'cancelled'));
  const worker = new Worker(BOOTSTRAP, { eval: true });
  return new Promise<WorkerOutcome<T>>((resolve, reject) => {
    let settled = false;
    let killTimer: NodeJS.Timeout | undefined;
    // A listener's failure on main: the worker is cancelled, and this is what the task fails with.
    let failure: unknown;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      if (killTimer) clearTimeout(killTimer);
      fn();
      void worker.terminate();
    };
    const onAbort = (): void => {
      if (killTimer) return;
      worker.postMessage({ type: 'cancel' } satisfies ToWorker);
      killTimer = setTimeout(() => finish(() => reject(failure ?? new M3cError('cancelled', 'cancelled'))), CANCEL_GRACE_MS);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (m: FromWorker) => {
      if (m.type === 'progress') onProgress?.({ stage: m.stage, done: m.done, total: m.total });
      else if (m.type === 'description') {
        if (failure !== undefined) return;
        try {
          onDescription?.(m.description);
        } catch (e) {
          failure = e;
          onAbort();
        }
      } else if (failure !== undefined) finish(() => reject(failure));
      else if (m.type === 'result') finish(() => resolve(m.value as WorkerOutcome<T>));
      else finish(() => reject(new M3cError(m.code as ErrorCode, m.message)));
    });
    worker.on('error', (e) => finish(() => reject(new M3cError('internal', `the studio worker failed: ${e.message}`, { cause: e }))));
    worker.on('exit', (code) => finish(() => reject(new M3cError('internal', `the studio worker exited (${code}) before it answered`))));
    worker.postMessage({ type: 'run', task } satisfies ToWorker);
  });
}
