/**
 * Playback of the Timeline: Space plays and pauses, L plays forward (again: 2x, 4x), J plays backward (again:
 * 2x, 4x); K stays "add or remove a keyframe here". Forward play runs the source's proxy mp4 (at the working
 * geometry and frame rate, so frame n starts at n / fps) in a <video> and follows its frames; backward play
 * steps the frame at the frame rate (a browser video cannot play backwards). Any step or seek by the user
 * stops playback.
 */
import { useCallback, useEffect, useRef, useState } from 'react';

export type PlaybackMode = 'stopped' | 'forward' | 'reverse';

export interface Playback {
  readonly mode: PlaybackMode;
  readonly speed: number;
  /** Space / the Play button: stopped -> forward at 1x; playing -> stopped. */
  readonly toggle: () => void;
  /** L (1) and J (-1): start that way at 1x, or double the speed (up to 4x) when already going that way. */
  readonly shuttle: (direction: 1 | -1) => void;
  readonly stop: () => void;
  /** For the forward player: the frame its video shows now. */
  readonly onVideoFrame: (frame: number) => void;
  /** For the forward player: the video ended or failed. */
  readonly onVideoEnd: () => void;
}

export const MAX_SPEED = 4;

export function usePlayback(frameCount: number, fps: number, current: number, onCurrent: (frame: number) => void): Playback {
  const [state, setState] = useState<{ mode: PlaybackMode; speed: number }>({ mode: 'stopped', speed: 1 });
  const latest = useRef({ current, onCurrent, frameCount });
  latest.current = { current, onCurrent, frameCount };

  const stop = useCallback(() => setState((s) => (s.mode === 'stopped' ? s : { mode: 'stopped', speed: 1 })), []);
  const toggle = useCallback(() => {
    setState((s) => {
      if (s.mode !== 'stopped') return { mode: 'stopped', speed: 1 };
      // From the last frame, play starts again at the beginning.
      if (latest.current.current >= latest.current.frameCount - 1) latest.current.onCurrent(0);
      return { mode: 'forward', speed: 1 };
    });
  }, []);
  const shuttle = useCallback((direction: 1 | -1) => {
    const mode: PlaybackMode = direction === 1 ? 'forward' : 'reverse';
    setState((s) => (s.mode === mode ? { mode, speed: Math.min(MAX_SPEED, s.speed * 2) } : { mode, speed: 1 }));
  }, []);

  // Backward: one frame per 1 / (fps * speed) s, stopping at frame 0.
  useEffect(() => {
    if (state.mode !== 'reverse') return;
    const timer = setInterval(() => {
      const f = latest.current.current;
      if (f <= 0) {
        setState({ mode: 'stopped', speed: 1 });
        return;
      }
      latest.current.onCurrent(f - 1);
    }, 1000 / (fps * state.speed));
    return () => clearInterval(timer);
  }, [state, fps]);

  const onVideoFrame = useCallback((frame: number) => {
    const f = Math.min(latest.current.frameCount - 1, Math.max(0, frame));
    if (f !== latest.current.current) latest.current.onCurrent(f);
  }, []);

  return { mode: state.mode, speed: state.speed, toggle, shuttle, stop, onVideoFrame, onVideoEnd: stop };
}
