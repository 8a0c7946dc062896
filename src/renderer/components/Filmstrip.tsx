/**
 * Horizontal strip of frame thumbnails, virtualised: only the items inside the viewport (plus a small overscan)
 * are mounted, so a 5-minute video (2,400 frames) costs the same as a short one. It is a listbox whose active
 * option follows the current frame; the keyboard handler is supplied by the timeline.
 */
import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import Box from '@mui/material/Box';
import { useTheme } from '@mui/material/styles';
import { useStudio } from '../context.tsx';
import { scrollToReveal, visibleRange, type MarkerKind } from '../timeline/model.ts';

export const THUMB_WIDTH = 96;
export const THUMB_HEIGHT = 60;

export interface FilmstripProps {
  frameCount: number;
  thumbnailUrl: (frame: number) => string;
  /** Kind of marker at a frame, or undefined. */
  markerAt: (frame: number) => MarkerKind | undefined;
  /** Index of the clip holding a frame (for the alternating clip band). */
  clipOf: (frame: number) => number;
  current: number;
  onSelect: (frame: number) => void;
  onKeyDown: (e: KeyboardEvent<HTMLDivElement>) => void;
  /** Used until the element has been measured (and in environments without layout). */
  initialViewportWidth?: number;
}

export function Filmstrip(props: FilmstripProps): ReactNode {
  const { colours } = useStudio();
  const theme = useTheme();
  const { frameCount, thumbnailUrl, markerAt, clipOf, current, onSelect, onKeyDown } = props;
  const ref = useRef<HTMLDivElement>(null);
  const [scrollLeft, setScrollLeft] = useState(0);
  const [viewport, setViewport] = useState(props.initialViewportWidth ?? 800);

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = (): void => {
      if (el.clientWidth > 0) setViewport(el.clientWidth);
    };
    measure();
    if (typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const target = scrollToReveal(current, scrollLeft, viewport, THUMB_WIDTH);
    if (target !== scrollLeft) {
      el.scrollLeft = target;
      setScrollLeft(target);
    }
    // Only a change of the current frame scrolls (scrollLeft and viewport are read, not watched), so free
    // scrolling by the user does not snap back.
  }, [current]);

  const { start, end } = visibleRange(scrollLeft, viewport, THUMB_WIDTH, frameCount, 3);
  // Plain elements with inline styles: these are re-rendered on every control change and frame step, and
  // styled-system props would regenerate class names for each of them.
  const items: ReactNode[] = [];
  const band = [theme.palette.action.selected, theme.palette.action.disabledBackground];
  for (let f = start; f < end; f++) {
    const kind = markerAt(f);
    const selected = f === current;
    items.push(
      <div
        key={f}
        id={`frame-option-${f}`}
        role="option"
        aria-selected={selected}
        aria-label={`Frame ${f}${kind === 'auto' ? ', keyframe' : kind === 'added' ? ', keyframe added by hand' : kind === 'removed' ? ', keyframe removed by hand' : ''}`}
        data-frame={f}
        onClick={() => onSelect(f)}
        style={{
          position: 'absolute',
          left: f * THUMB_WIDTH,
          top: 2,
          width: THUMB_WIDTH - 6,
          cursor: 'pointer',
          outline: selected ? `3px solid ${theme.palette.primary.main}` : 'none',
        }}
      >
        <img
          src={thumbnailUrl(f)}
          alt=""
          loading="lazy"
          draggable={false}
          width={THUMB_WIDTH - 6}
          height={THUMB_HEIGHT}
          style={{ display: 'block', objectFit: 'cover', background: theme.palette.action.hover }}
        />
        <div style={{ height: 4, background: band[clipOf(f) % 2] }} />
        <div style={{ display: 'flex', alignItems: 'center', gap: 4, fontSize: 11, padding: '0 4px', color: theme.palette.text.primary }}>
          {kind ? (
            <span
              data-marker={kind}
              style={{
                width: 10,
                height: 10,
                boxSizing: 'border-box',
                background: kind === 'removed' ? 'transparent' : colours[kind],
                border: `2px ${kind === 'removed' ? 'dashed' : 'solid'} ${colours[kind]}`,
                borderRadius: kind === 'added' ? 0 : '50%',
              }}
            />
          ) : null}
          <span>{f}</span>
        </div>
      </div>,
    );
  }

  return (
    <Box
      ref={ref}
      role="listbox"
      aria-label="Filmstrip"
      aria-orientation="horizontal"
      aria-activedescendant={`frame-option-${current}`}
      tabIndex={0}
      onKeyDown={onKeyDown}
      onScroll={(e) => setScrollLeft(e.currentTarget.scrollLeft)}
      sx={{ overflowX: 'auto', overflowY: 'hidden', position: 'relative', height: THUMB_HEIGHT + 40, '&:focus-visible': { outline: 2, outlineColor: 'primary.main', outlineStyle: 'solid' } }}
    >
      <Box sx={{ position: 'relative', width: frameCount * THUMB_WIDTH, height: THUMB_HEIGHT + 24 }}>{items}</Box>
    </Box>
  );
}
