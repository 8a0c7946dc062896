import { spawn, type ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';
import { M3cError, cancelled } from '../../shared/engine/errors.ts';
import { relevantErrorLine } from './ffmpeg-log.ts';
import { locateFfmpeg } from './locate.ts';
import { ProgressTracker, isProgressKeyLine, type Progress } from './progress.ts';

/** How long a process asked to stop (SIGTERM) may take before it is killed outright. */
const KILL_GRACE_MS = 300;
const KEPT_ERROR_LINES = 64;
const KEPT_STDERR_CHARS = 64 * 1024;

/**
 * Every child still running. When this process exits, however it exits (a command's end, a forced
 * exit on a second Ctrl-C/SIGTERM, an uncaught error), the survivors are killed outright so that no
 * ffmpeg outlives its parent. (SIGKILL of the parent cannot be caught: ffmpeg then ends on the
 * broken pipe, and the next run removes its partial output.)
 */
const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;

function trackChild(child: ChildProcess): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', killLiveChildren);
  }
  liveChildren.add(child);
  const forget = (): void => void liveChildren.delete(child);
  child.once('exit', forget);
  child.once('error', () => {
    if (child.pid === undefined) forget();
  });
}

/** Kills (SIGKILL) every child process still running. Synchronous, so it can run on 'exit'. */
export function killLiveChildren(): void {
  for (const child of liveChildren) {
    try {
      child.kill('SIGKILL');
    } catch {
      // Already gone.
    }
  }
  liveChildren.clear();
}

/** The pids of the children still running (for tests and diagnostics). */
export function liveChildPids(): number[] {
  return [...liveChildren].flatMap((c) => (c.pid === undefined ? [] : [c.pid]));
}

export interface JobOptions {
  tool: 'ffmpeg' | 'ffprobe';
  signal?: AbortSignal;
  /** Keep stdin as a pipe the caller writes to; otherwise it is closed. */
  stdin?: boolean;
  /** Buffer all of stdout (small outputs); otherwise the caller reads job.stdout as a stream. */
  collectStdout?: boolean;
  onProgress?: (p: Progress) => void;
  durationSec?: number;
  totalFrames?: number;
}

/**
 * One ffmpeg/ffprobe child process with the bookkeeping every caller needs: stderr split into
 * progress reports and error lines, cancellation through an AbortSignal, a kill that escalates,
 * and a single promise saying how it ended.
 */
export class MediaJob {
  readonly child: ChildProcess;
  /** Resolves when the process exits with status 0; rejects with M3cError('ffmpeg' | 'cancelled'). */
  readonly done: Promise<void>;
  /** Resolves once the process is gone and reaped, however it ended; never rejects. */
  readonly exited: Promise<void>;
  private readonly stdoutChunks: Buffer[] = [];
  private readonly errorLines: string[] = [];
  private stderrText = '';
  private stopped = false;
  private killTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly binary: string,
    args: readonly string[],
    private readonly options: JobOptions,
  ) {
    const { signal, tool } = options;
    this.child = spawn(binary, args, {
      stdio: [options.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
    trackChild(this.child);
    // A process that dies while we write to it raises EPIPE on stdin; its exit status tells the story.
    this.child.stdin?.on('error', () => undefined);

    const tracker = new ProgressTracker({ durationSec: options.durationSec, totalFrames: options.totalFrames });
    let partial = '';
    this.child.stderr!.setEncoding('utf8');
    this.child.stderr!.on('data', (chunk: string) => {
      const parts = (partial + chunk).split(/\r\n|\r|\n/);
      partial = parts.pop() ?? '';
      for (const line of parts) this.takeStderrLine(line, tracker);
    });
    if (options.collectStdout) this.child.stdout!.on('data', (c: Buffer) => this.stdoutChunks.push(c));

    const onAbort = (): void => this.stop();
    signal?.addEventListener('abort', onAbort, { once: true });

    this.done = new Promise<void>((resolve, reject) => {
      let settled = false;
      const settle = (err: M3cError | undefined): void => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        if (this.killTimer) clearTimeout(this.killTimer);
        if (err) reject(err);
        else resolve();
      };
      this.child.on('error', (e) => {
        // Only a failure to start leaves no pid; later errors (kill of a dead process) are moot.
        if (this.child.pid === undefined) {
          settle(new M3cError('ffmpeg', `cannot start ${tool} (${binary}): ${e.message}`, { cause: e }));
        }
      });
      this.child.on('close', (code, sig) => {
        if (partial) this.takeStderrLine(partial, tracker);
        partial = '';
        if (signal?.aborted || this.stopped) return settle(cancelled());
        if (code === 0) {
          options.onProgress?.(tracker.finish());
          return settle(undefined);
        }
        const why = relevantErrorLine(this.errorLines) ?? (sig ? `killed by ${sig}` : `exit status ${code}`);
        settle(new M3cError('ffmpeg', `${tool} failed: ${oneLine(why)}`));
      });
    });
    this.exited = this.done.then(
      () => undefined,
      () => undefined,
    );
  }

  get stdout(): Readable {
    return this.child.stdout!;
  }

  get stdin(): Writable {
    if (!this.child.stdin) throw new Error('job was started without a stdin pipe');
    return this.child.stdin;
  }

  get collectedStdout(): Buffer {
    return Buffer.concat(this.stdoutChunks);
  }

  /** stderr without the progress lines, truncated to its last 64 KiB. */
  get stderr(): string {
    return this.stderrText;
  }

  /** False when the binary could not be started at all (missing, not executable). */
  get started(): boolean {
    return this.child.pid !== undefined;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null && this.child.pid !== undefined;
  }

  /** Asks the process to end (SIGTERM), killing it if it has not after a short grace. Idempotent. */
  stop(): void {
    if (this.stopped || !this.running) {
      this.stopped = true;
      return;
    }
    this.stopped = true;
    // ffmpeg blocked writing to a full stdout pipe will not notice SIGTERM until the write returns.
    this.child.stdout?.destroy();
    this.child.kill('SIGTERM');
    this.killTimer = setTimeout(() => {
      if (this.running) this.child.kill('SIGKILL');
    }, KILL_GRACE_MS);
  }

  private takeStderrLine(line: string, tracker: ProgressTracker): void {
    if (line.length === 0) return;
    if (this.options.onProgress) {
      const report = tracker.feed(line);
      if (report) this.options.onProgress(report);
    }
    if (isProgressKeyLine(line)) return;
    this.errorLines.push(line);
    if (this.errorLines.length > KEPT_ERROR_LINES) this.errorLines.shift();
    this.stderrText = (this.stderrText + line + '\n').slice(-KEPT_STDERR_CHARS);
  }
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 300 ? `${flat.slice(0, 297)}...` : flat;
}

/** The flags every ffmpeg run gets: quiet apart from errors, progress machine-readable on stderr. */
export function ffmpegBaseArgs(opts: { stdin: boolean; progress: boolean }): string[] {
  return [
    '-hide_banner',
    ...(opts.stdin ? [] : ['-nostdin']),
    '-loglevel',
    'error',
    '-nostats',
    ...(opts.progress ? ['-progress', 'pipe:2'] : []),
  ];
}

export interface RunFfmpegOptions {
  signal?: AbortSignal;
  stdin?: Uint8Array;
  onProgress?: (p: Progress) => void;
  /** Length of the output in seconds, so progress can carry a fraction. */
  durationSec?: number;
  /** A file the command writes; removed when the command fails or is cancelled. */
  outputPath?: string;
}

/** Runs ffmpeg with `args` (after the standard flags) and returns its whole stdout. */
export async function runFfmpeg(
  args: string[],
  options: RunFfmpegOptions = {},
): Promise<{ stdout: Buffer; stderr: string }> {
  if (options.signal?.aborted) throw cancelled();
  const { ffmpeg } = locateFfmpeg();
  const job = new MediaJob(
    ffmpeg,
    [...ffmpegBaseArgs({ stdin: options.stdin !== undefined, progress: options.onProgress !== undefined }), ...args],
    {
      tool: 'ffmpeg',
      signal: options.signal,
      stdin: options.stdin !== undefined,
      collectStdout: true,
      onProgress: options.onProgress,
      durationSec: options.durationSec,
    },
  );
  if (options.stdin !== undefined) job.stdin.end(options.stdin);
  try {
    await job.done;
  } catch (e) {
    if (options.outputPath) await rm(options.outputPath, { force: true });
    throw e;
  }
  return { stdout: job.collectedStdout, stderr: job.stderr };
}
