import { createProgressBar } from './progress-bar.ts';
import type { ProgressListener } from '../../shared/engine/progress.ts';
import { writeStdout } from '../util/std-streams.ts';

/** What every command gets: output streams, cancellation, progress. */
export interface CommandContext {
  readonly signal: AbortSignal;
  readonly progress: ProgressListener;
  readonly json: boolean;
  out(line: string): void;
  /** With --json, the single JSON object printed as the last line of stdout. */
  result(value: unknown): void;
}

export function createContext(signal: AbortSignal, json: boolean): CommandContext & { finish(): void } {
  const bar = createProgressBar();
  return {
    signal,
    json,
    progress: bar.listener,
    out(line) {
      bar.done();
      if (!json) writeStdout(line + '\n');
    },
    result(value) {
      bar.done();
      if (json) writeStdout(JSON.stringify(value) + '\n');
    },
    finish: bar.done,
  };
}
