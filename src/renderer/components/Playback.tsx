/** The Timeline's forward player and its Play/Pause button (see hooks/usePlayback.ts for the keys). */
import { useEffect, useRef, useState, type CSSProperties, type ReactNode } from 'react';
import IconButton from '@mui/material/IconButton';
import Typography from '@mui/material/Typography';
import type { Playback } from '../hooks/usePlayback.ts';
import { PauseIcon, PlayIcon } from './icons.tsx';

/**
 * Plays `src` (a video at the working frame rate) from `startFrame` at `speed`, reporting the frame shown
 * on every animation frame. The first play of a video may wait while the studio makes its proxy.
 */
export function ForwardPlayer(props: {
  src: string;
  startFrame: number;
  fps: number;
  speed: number;
  label: string;
  style: CSSProperties;
  onFrame: (frame: number) => void;
  onEnd: () => void;
}): ReactNode {
  const { src, fps, speed } = props;
  const video = useRef<HTMLVideoElement>(null);
  const [state, setState] = useState<'preparing' | 'playing' | 'failed'>('preparing');
  const start = useRef(props.startFrame);
  const callbacks = useRef({ onFrame: props.onFrame, onEnd: props.onEnd });
  callbacks.current = { onFrame: props.onFrame, onEnd: props.onEnd };

  useEffect(() => {
    const v = video.current;
    if (!v) return;
    let raf = 0;
    const follow = (): void => {
      // The middle of frame n is at (n + 0.5) / fps: floor recovers n without rounding at frame edges.
      callbacks.current.onFrame(Math.floor(v.currentTime * fps));
      raf = requestAnimationFrame(follow);
    };
    const onLoaded = (): void => {
      v.currentTime = (start.current + 0.5) / fps;
      v.play().then(
        () => {
          setState('playing');
          raf = requestAnimationFrame(follow);
        },
        () => setState('failed'),
      );
    };
    const onEnded = (): void => callbacks.current.onEnd();
    const onError = (): void => setState('failed');
    v.addEventListener('loadedmetadata', onLoaded);
    v.addEventListener('ended', onEnded);
    v.addEventListener('error', onError);
    return () => {
      cancelAnimationFrame(raf);
      v.removeEventListener('loadedmetadata', onLoaded);
      v.removeEventListener('ended', onEnded);
      v.removeEventListener('error', onError);
      if (!v.paused) v.pause();
    };
  }, [fps]);

  useEffect(() => {
    if (video.current) video.current.playbackRate = speed;
  }, [speed, state]);

  return (
    <>
      <video ref={video} src={src} muted playsInline preload="auto" aria-label={props.label} style={props.style} />
      <Typography variant="caption" color={state === 'failed' ? 'error' : 'text.secondary'} aria-live="polite" aria-label="Playback state">
        {state === 'preparing' ? 'Preparing playback…' : state === 'failed' ? 'This video cannot be played here; step through its frames instead.' : `Playing ${speed}x (Space pauses, L faster)`}
      </Typography>
    </>
  );
}

export function PlayButton(props: { playback: Playback }): ReactNode {
  const { mode, toggle } = props.playback;
  const playing = mode !== 'stopped';
  return (
    <IconButton aria-label={playing ? 'Pause' : 'Play'} title={playing ? 'Pause (Space)' : 'Play (Space); L plays faster, J backward'} onClick={toggle}>
      {playing ? <PauseIcon /> : <PlayIcon />}
    </IconButton>
  );
}

/** True for key events a text field, button, slider or tab should keep (Space types, presses or scrolls there). */
export function keyBelongsToControl(target: EventTarget | null): boolean {
  if (!(target instanceof Element)) return false;
  return target.closest('input, textarea, select, button, a, [contenteditable="true"], [role="slider"], [role="tab"], [role="textbox"]') !== null;
}
