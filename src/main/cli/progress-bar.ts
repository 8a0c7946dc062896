import type { ProgressEvent, ProgressListener } from '../../shared/engine/progress.ts';
import { etaSeconds } from '../../shared/engine/progress.ts';

/**
 * A one-line progress bar on stderr, drawn only when stderr is a terminal (so piped output and
 * --json consumers see clean streams). Redraws at most every 100 ms.
 */
export function createProgressBar(stream: NodeJS.WriteStream = process.stderr): { listener: ProgressListener; done: () => void } {
  if (!stream.isTTY) return { listener: () => {}, done: () => {} };
  let stageStart = Date.now();
  let stage = '';
  let lastDraw = 0;
  let drawn = false;
  const listener = (e: ProgressEvent): void => {
    const now = Date.now();
    if (e.stage !== stage) {
      stage = e.stage;
      stageStart = now;
    } else if (now - lastDraw < 100 && e.done !== e.total) {
      return;
    }
    lastDraw = now;
    const width = 24;
    const frac = e.total > 0 ? Math.min(1, e.done / e.total) : 0;
    const filled = Math.round(frac * width);
    const bar = e.total > 0 ? `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.floor(frac * 100)).padStart(3)}%` : `[${e.done}]`;
    const eta = etaSeconds(now - stageStart, e.done, e.total);
    const etaText = eta === undefined ? '' : ` ETA ${eta.toFixed(0)}s`;
    const line = `${e.stage.padEnd(18)} ${bar}${etaText}${e.message ? ' ' + e.message : ''}`;
    stream.write(`\r\x1b[2K${line.slice(0, (stream.columns ?? 100) - 1)}`);
    drawn = true;
  };
  return {
    listener,
    done: () => {
      if (drawn) stream.write('\r\x1b[2K');
    },
  };
}
