import { spawn } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from './media.ts';

export interface CliRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The last stdout line parsed as JSON (with --json). */
  json<T = Record<string, unknown>>(): T;
}

/** Runs the real `m3c` command (bin/m3c.js) in a child process. */
export function runCli(args: string[], options: { env?: NodeJS.ProcessEnv; onSpawn?: (pid: number, kill: (s: NodeJS.Signals) => void) => void; stdoutListener?: (chunk: string) => void; stderrListener?: (chunk: string) => void } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'm3c.js'), ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      options.stdoutListener?.(d);
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      options.stderrListener?.(d);
    });
    if (child.pid) options.onSpawn?.(child.pid, (s) => child.kill(s));
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolve({
        code,
        signal,
        stdout,
        stderr,
        json<T>() {
          const lines = stdout.trim().split('\n');
          return JSON.parse(lines[lines.length - 1]) as T;
        },
      }),
    );
  });
}
