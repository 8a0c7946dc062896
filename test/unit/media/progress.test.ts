import { describe, expect, it } from 'vitest';
import { ProgressTracker, parseClock, parseProgressLine } from '../../../src/main/media/progress.ts';

// Lines captured from Debian's ffmpeg 5.1 (stats lines end with spaces before the \r).
const STATS_FIRST = 'frame=    1 fps=0.0 q=0.0 size=       0kB time=00:00:00.00 bitrate=N/A speed=   0x    ';
const STATS_MID = 'frame=  146 fps=139 q=25.0 size=     512kB time=00:00:05.64 bitrate= 743.7kbits/s speed=5.36x    ';
const STATS_LAST = 'frame=  250 fps=0.0 q=-1.0 Lsize=    1416kB time=00:00:09.96 bitrate=1165.0kbits/s speed=15.4x    ';
const STATS_AUDIO = 'size=      18kB time=00:00:02.02 bitrate=  74.4kbits/s speed=21.7x    ';

const BLOCK = [
  'frame=32',
  'fps=0.00',
  'stream_0_0_q=-0.0',
  'bitrate=N/A',
  'total_size=N/A',
  'out_time_us=4000000',
  'out_time_ms=4000000',
  'out_time=00:00:04.000000',
  'dup_frames=0',
  'drop_frames=0',
  'speed=44.3x',
  'progress=continue',
];

describe('parseProgressLine', () => {
  it('reads classic stats lines', () => {
    expect(parseProgressLine(STATS_FIRST)).toEqual({ frame: 1, timeSec: 0, speed: 0 });
    expect(parseProgressLine(STATS_MID)).toEqual({ frame: 146, timeSec: 5.64, speed: 5.36 });
    expect(parseProgressLine(STATS_LAST)).toEqual({ frame: 250, timeSec: 9.96, speed: 15.4 });
    expect(parseProgressLine(STATS_AUDIO)).toEqual({ timeSec: 2.02, speed: 21.7 });
  });

  it('treats N/A values as unknown, not zero', () => {
    expect(parseProgressLine('frame=    0 fps=0.0 q=0.0 size=       0kB time=N/A bitrate=N/A speed=N/A')).toEqual({ frame: 0 });
    expect(parseProgressLine('out_time_us=N/A')).toEqual({});
    expect(parseProgressLine('out_time=N/A')).toEqual({});
    expect(parseProgressLine('speed=N/A')).toEqual({});
    expect(parseProgressLine('bitrate=N/A')).toEqual({});
  });

  it('reads -progress key=value lines', () => {
    expect(parseProgressLine('frame=32')).toEqual({ frame: 32 });
    expect(parseProgressLine('out_time_us=1021678')).toEqual({ timeSec: 1.021678 });
    expect(parseProgressLine('out_time=00:00:01.021678')).toEqual({ timeSec: 1.021678 });
    expect(parseProgressLine('speed=   0x')).toEqual({ speed: 0 });
    expect(parseProgressLine('speed=11.8x')).toEqual({ speed: 11.8 });
    expect(parseProgressLine('progress=continue')).toEqual({ end: false });
    expect(parseProgressLine('progress=end')).toEqual({ end: true });
    expect(parseProgressLine('dup_frames=0')).toEqual({});
  });

  it('ignores everything else', () => {
    expect(parseProgressLine('/tmp/nodir/a.mp4: No such file or directory')).toBeNull();
    expect(parseProgressLine("[AVFilterGraph @ 0x55ace44e1500] No such filter: 'nosuchfilter'")).toBeNull();
    expect(parseProgressLine('')).toBeNull();
    expect(parseProgressLine('Input #0, mov,mp4,m4a,3gp,3g2,mj2, from \'bikes.mp4\':')).toBeNull();
  });

  it('parses clock times, including the negative ones ffmpeg prints at a stream start', () => {
    expect(parseClock('01:02:03.5')).toBeCloseTo(3723.5, 9);
    expect(parseClock('-00:00:00.04')).toBeCloseTo(-0.04, 9);
    expect(parseClock('N/A')).toBeNull();
  });
});

describe('ProgressTracker', () => {
  it('reports a -progress block once, on its closing line, with a fraction of the duration', () => {
    const t = new ProgressTracker({ durationSec: 8 });
    const reports = BLOCK.map((l) => t.feed(l)).filter((r) => r !== null);
    expect(reports).toEqual([{ frame: 32, timeSec: 4, speed: 44.3, fraction: 0.5, done: false }]);
    expect(t.finish()).toMatchObject({ frame: 32, fraction: 1, done: true });
  });

  it('prefers the frame count when the total frames are known, and clamps to 1', () => {
    const t = new ProgressTracker({ totalFrames: 100, durationSec: 1000 });
    expect(t.feed(STATS_MID)).toMatchObject({ frame: 146, fraction: 1, done: false });
    const u = new ProgressTracker({ totalFrames: 500 });
    expect(u.feed(STATS_LAST)?.fraction).toBeCloseTo(0.5, 9);
  });

  it('leaves the fraction out when the total is unknown, and never says done before finish()', () => {
    const t = new ProgressTracker();
    for (const l of BLOCK.slice(0, -1)) expect(t.feed(l)).toBeNull();
    const r = t.feed('progress=end');
    expect(r).toEqual({ frame: 32, timeSec: 4, speed: 44.3, done: false });
  });

  it('keeps earlier values when a later block lacks them', () => {
    const t = new ProgressTracker({ durationSec: 10 });
    t.feed(STATS_MID);
    expect(t.feed('speed=N/A')).toBeNull();
    expect(t.feed('progress=continue')).toMatchObject({ frame: 146, timeSec: 5.64 });
  });
});
