/**
 * SVG views of a whole video against frame index: the keyframe track (markers and clip spans) and line plots
 * with threshold and keyframe lines. Drawn in a fixed 1000-unit-wide viewBox stretched to the container, so no
 * layout measurement is needed and the path size stays bounded whatever the frame count.
 */
import { useMemo, type MouseEvent, type ReactNode } from 'react';
import Box from '@mui/material/Box';
import Typography from '@mui/material/Typography';
import { useStudio } from '../context.tsx';
import { seriesPath, type ClipSpan, type TimelineMarker } from '../timeline/model.ts';

const W = 1000;

function frameX(frame: number, frameCount: number): number {
  return frameCount > 0 ? ((frame + 0.5) / frameCount) * W : 0;
}

function frameFromClick(e: MouseEvent<SVGSVGElement>, frameCount: number): number {
  const box = e.currentTarget.getBoundingClientRect();
  const t = box.width > 0 ? (e.clientX - box.left) / box.width : 0;
  return Math.min(frameCount - 1, Math.max(0, Math.floor(t * frameCount)));
}

export function MarkerTrack(props: {
  frameCount: number;
  markers: readonly TimelineMarker[];
  clips: readonly ClipSpan[];
  current: number;
  onSeek: (frame: number) => void;
}): ReactNode {
  const { colours } = useStudio();
  const { frameCount, markers, clips, current, onSeek } = props;
  return (
    <svg
      role="img"
      aria-label="Keyframe markers"
      viewBox={`0 0 ${W} 28`}
      preserveAspectRatio="none"
      width="100%"
      height={28}
      style={{ display: 'block', cursor: 'pointer' }}
      onClick={(e) => onSeek(frameFromClick(e, frameCount))}
    >
      {clips.map((c) => (
        <rect
          key={`c${c.index}`}
          data-clip={c.index}
          x={(c.start / frameCount) * W}
          y={0}
          width={((c.end - c.start) / frameCount) * W}
          height={28}
          fill={c.index % 2 === 0 ? colours.auto : colours.cursor}
          opacity={0.08}
        />
      ))}
      {markers.map((m) => (
        <line
          key={`m${m.frame}`}
          data-marker={m.kind}
          data-frame={m.frame}
          x1={frameX(m.frame, frameCount)}
          x2={frameX(m.frame, frameCount)}
          y1={m.kind === 'removed' ? 14 : 2}
          y2={26}
          stroke={colours[m.kind]}
          strokeWidth={m.kind === 'auto' ? 2 : 3}
          strokeDasharray={m.kind === 'removed' ? '3 2' : undefined}
          vectorEffect="non-scaling-stroke"
        />
      ))}
      <line x1={frameX(current, frameCount)} x2={frameX(current, frameCount)} y1={0} y2={28} stroke={colours.cursor} strokeWidth={1} vectorEffect="non-scaling-stroke" />
    </svg>
  );
}

export interface PlotLine {
  readonly value: number;
  readonly label: string;
}

export function SeriesPlot(props: {
  title: string;
  values: ArrayLike<number>;
  yMin: number;
  yMax: number;
  /** Horizontal reference lines (the threshold). */
  lines?: readonly PlotLine[];
  markers?: readonly TimelineMarker[] | readonly number[];
  current?: number;
  onSeek?: (frame: number) => void;
  height?: number;
  summary?: string;
}): ReactNode {
  const { colours } = useStudio();
  const { title, values, yMin, yMax, lines = [], markers = [], current, onSeek } = props;
  const h = props.height ?? 80;
  const n = values.length;
  const span = yMax - yMin || 1;
  const y = (v: number): number => h - ((Math.min(yMax, Math.max(yMin, v)) - yMin) / span) * h;
  // Moving the cursor must not rebuild the path.
  const path = useMemo(() => seriesPath(values, W, h, yMin, yMax), [values, h, yMin, yMax]);
  return (
    <Box>
      <Box sx={{ display: 'flex', justifyContent: 'space-between' }}>
        <Typography variant="caption" component="span">
          {title}
        </Typography>
        <Typography variant="caption" component="span" color="text.secondary">
          {props.summary ?? `${yMin.toFixed(2)} … ${yMax.toFixed(2)}`}
        </Typography>
      </Box>
      <svg
        role="img"
        aria-label={`${title} plot`}
        viewBox={`0 0 ${W} ${h}`}
        preserveAspectRatio="none"
        width="100%"
        height={h}
        style={{ display: 'block', cursor: onSeek ? 'pointer' : undefined }}
        onClick={onSeek && n > 0 ? (e) => onSeek(frameFromClick(e, n)) : undefined}
      >
        <rect x={0} y={0} width={W} height={h} fill="none" stroke={colours.cursor} strokeOpacity={0.2} vectorEffect="non-scaling-stroke" />
        {markers.map((m) => {
          const frame = typeof m === 'number' ? m : m.frame;
          const kind = typeof m === 'number' ? 'auto' : m.kind;
          if (kind === 'removed') return null;
          const x = frameX(frame, n);
          return <line key={frame} x1={x} x2={x} y1={0} y2={h} stroke={colours[kind]} strokeOpacity={0.35} vectorEffect="non-scaling-stroke" />;
        })}
        {lines.map((l) =>
          l.value >= yMin && l.value <= yMax ? (
            <line key={l.label} data-threshold={l.label} x1={0} x2={W} y1={y(l.value)} y2={y(l.value)} stroke={colours.threshold} strokeDasharray="6 4" vectorEffect="non-scaling-stroke">
              <title>{l.label}</title>
            </line>
          ) : null,
        )}
        <path d={path} fill="none" stroke={colours.auto} strokeWidth={1.5} vectorEffect="non-scaling-stroke" />
        {current !== undefined && n > 0 ? (
          <line x1={frameX(current, n)} x2={frameX(current, n)} y1={0} y2={h} stroke={colours.cursor} vectorEffect="non-scaling-stroke" />
        ) : null}
      </svg>
    </Box>
  );
}
