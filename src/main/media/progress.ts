/**
 * Progress of an ffmpeg job, read from its stderr. ffmpeg reports progress in two shapes:
 * the `-progress` key=value blocks (one key per line, closed by `progress=continue|end`) and
 * the classic one-line stats (`frame=  30 fps=0.0 ... time=00:00:01.00 ... speed=2.1x`).
 * Both are understood so a caller may pass either flag set to runFfmpeg.
 */
export interface Progress {
  /** Frames written to the output so far. */
  frame?: number;
  /** Output position in seconds. */
  timeSec?: number;
  /** Processing speed as a multiple of real time. */
  speed?: number;
  /** 0..1 when the job's total (duration or frame count) is known. */
  fraction?: number;
  /** True once, on the last report of a job that finished. */
  done: boolean;
}

/** What one stderr line says about progress; null when the line is not a progress line. */
export interface ProgressUpdate {
  frame?: number;
  timeSec?: number;
  speed?: number;
  /** Present on the `progress=` line that closes a `-progress` block. */
  end?: boolean;
}

// One key per line, and the value holds no further `key=`: that tells `frame=32` (a -progress
// line) from `frame=  146 fps=139 ... time=...` (a stats line).
const PROGRESS_KEY =
  /^(frame|fps|stream_\d+_\d+_q|bitrate|total_size|out_time_us|out_time_ms|out_time|dup_frames|drop_frames|speed|progress)=([^=]*)$/;

/** True for the key=value lines `-progress` emits, which callers keep out of error messages. */
export function isProgressKeyLine(line: string): boolean {
  return PROGRESS_KEY.test(line.trim());
}

/** `HH:MM:SS.micro`, possibly negative at the very start of a stream; null for N/A. */
export function parseClock(text: string): number | null {
  const m = /^(-)?(\d+):(\d{1,2}):(\d{1,2}(?:\.\d+)?)$/.exec(text.trim());
  if (!m) return null;
  const sec = Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4]);
  return m[1] ? -sec : sec;
}

function parseSpeed(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?(?:e[+-]?\d+)?)x\s*$/i.exec(text);
  return m ? Number(m[1]) : undefined;
}

function parseCount(text: string): number | undefined {
  return /^\s*\d+\s*$/.test(text) ? Number(text) : undefined;
}

function compact(u: ProgressUpdate): ProgressUpdate {
  const out: ProgressUpdate = {};
  if (u.frame !== undefined) out.frame = u.frame;
  if (u.timeSec !== undefined) out.timeSec = u.timeSec;
  if (u.speed !== undefined) out.speed = u.speed;
  if (u.end !== undefined) out.end = u.end;
  return out;
}

export function parseProgressLine(line: string): ProgressUpdate | null {
  const text = line.trim();
  const kv = PROGRESS_KEY.exec(text);
  if (kv) {
    const [, key, value] = kv;
    switch (key) {
      case 'frame':
        return compact({ frame: parseCount(value) });
      case 'out_time_us': {
        // out_time_ms is microseconds too (a long-standing ffmpeg misnomer); out_time_us is the honest one.
        const us = /^-?\d+$/.test(value) ? Number(value) : undefined;
        return compact({ timeSec: us === undefined ? undefined : us / 1e6 });
      }
      case 'out_time':
        return compact({ timeSec: parseClock(value) ?? undefined });
      case 'speed':
        return compact({ speed: parseSpeed(value) });
      case 'progress':
        return { end: value === 'end' };
      default:
        return {};
    }
  }
  // Classic stats line: several `key= value` pairs on one line, always starting with frame= or size=.
  if (!/^(frame|size)=/.test(text) || !/\btime=/.test(text)) return null;
  const field = (name: string): string | undefined => new RegExp(`\\b${name}=\\s*(\\S+)`).exec(text)?.[1];
  const time = field('time');
  const frame = field('frame');
  const speed = field('speed');
  return compact({
    frame: frame === undefined ? undefined : parseCount(frame),
    timeSec: time === undefined ? undefined : (parseClock(time) ?? undefined),
    speed: speed === undefined ? undefined : parseSpeed(speed),
  });
}

/**
 * Folds stderr lines into Progress reports. A `-progress` block is reported when its closing
 * `progress=` line arrives (so a report never mixes two blocks); a stats line is reported at once.
 * `done` comes only from finish(): ffmpeg says progress=end before it has finalised the output,
 * and the job can still fail after that.
 */
export class ProgressTracker {
  private pending: ProgressUpdate = {};
  private last: Progress = { done: false };

  constructor(private readonly total: { durationSec?: number; totalFrames?: number } = {}) {}

  /** Returns a report to deliver, or null when the line completes none. */
  feed(line: string): Progress | null {
    const u = parseProgressLine(line);
    if (!u) return null;
    const isBlockLine = isProgressKeyLine(line);
    if (u.frame !== undefined) this.pending.frame = u.frame;
    if (u.timeSec !== undefined) this.pending.timeSec = Math.max(0, u.timeSec);
    if (u.speed !== undefined) this.pending.speed = u.speed;
    if (isBlockLine && u.end === undefined) return null;
    return this.emit(false);
  }

  /** The report for a job that ended successfully, whether or not ffmpeg said progress=end. */
  finish(): Progress {
    return this.last.done ? this.last : this.emit(true);
  }

  private emit(done: boolean): Progress {
    const p: Progress = { ...this.last, ...this.pending, done };
    this.pending = {};
    const { durationSec, totalFrames } = this.total;
    if (done) p.fraction = 1;
    else if (totalFrames && totalFrames > 0 && p.frame !== undefined) p.fraction = clamp01(p.frame / totalFrames);
    else if (durationSec && durationSec > 0 && p.timeSec !== undefined) p.fraction = clamp01(p.timeSec / durationSec);
    this.last = p;
    return p;
  }
}

function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}
