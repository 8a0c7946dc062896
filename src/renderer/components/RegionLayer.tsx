/**
 * Regions of interest over a frame (issue 14): the boxes covering the current frame, drawn over the picture;
 * on a keyframe (`editable`) a drag on the picture draws a new box, a drag on a box moves it, its corner
 * handle resizes it, and the selected box's weight and label are edited in small fields below (Delete removes
 * it). LMM regions are dashed and labelled "LMM"; editing one makes it a hand region (main does that).
 * `RegionOutlines` is the read-only drawing Compare uses.
 */
import { useCallback, useEffect, useRef, useState, type KeyboardEvent, type PointerEvent, type ReactNode } from 'react';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import type { RegionInfo, RegionInput } from '../../shared/api/contract.ts';
import type { RoiRegion } from '../../shared/roi/index.ts';

type BoxT = readonly [number, number, number, number];

/** The smallest box a drag makes (of the frame's side); parseRegion refuses under 1/64. */
const MIN_SIDE = 1 / 32;
const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

/** Where the picture lies in the frame view, in fractions of the view (x, y, width, height). */
type Rect = readonly [number, number, number, number];
const FULL: Rect = [0, 0, 1, 1];

/**
 * The picture's rectangle inside `area`: a picture shown with `object-fit: contain` in a box of another aspect
 * (the Timeline's preview, capped in height) is letterboxed, and boxes are fractions of the picture, not of
 * its element. The whole view when nothing is laid out yet (or in jsdom, which lays nothing out).
 */
function pictureRect(area: HTMLElement): Rect {
  const el = area.querySelector('img, video') as (HTMLImageElement | HTMLVideoElement) | null;
  if (!el || area.clientWidth <= 0 || area.clientHeight <= 0) return FULL;
  const nw = el instanceof HTMLImageElement ? el.naturalWidth : el.videoWidth;
  const nh = el instanceof HTMLImageElement ? el.naturalHeight : el.videoHeight;
  const cw = el.clientWidth;
  const ch = el.clientHeight;
  if (!(nw > 0 && nh > 0 && cw > 0 && ch > 0)) return FULL;
  const fit = getComputedStyle(el).objectFit;
  const scale = fit === 'contain' ? Math.min(cw / nw, ch / nh) : fit === 'cover' ? Math.max(cw / nw, ch / nh) : NaN;
  const [dw, dh] = Number.isFinite(scale) ? [nw * scale, nh * scale] : [cw, ch];
  const left = el.offsetLeft + el.clientLeft + (cw - dw) / 2;
  const top = el.offsetTop + el.clientTop + (ch - dh) / 2;
  return [left / area.clientWidth, top / area.clientHeight, dw / area.clientWidth, dh / area.clientHeight];
}

function regionStyle(source: string | undefined, selected: boolean): Record<string, string | number> {
  const lmm = source === 'lmm';
  return {
    position: 'absolute',
    boxSizing: 'border-box',
    border: `2px ${lmm ? 'dashed' : 'solid'} ${lmm ? '#4fc3f7' : '#ffeb3b'}`,
    outline: selected ? '2px solid white' : 'none',
    background: selected ? 'rgba(255,235,59,0.12)' : 'transparent',
  };
}

function boxCss(b: BoxT): Record<string, string> {
  return { left: `${b[0] * 100}%`, top: `${b[1] * 100}%`, width: `${b[2] * 100}%`, height: `${b[3] * 100}%` };
}

const tagOf = (r: { source?: string; label: string }): string => (r.source === 'lmm' ? `LMM${r.label ? `: ${r.label}` : ''}` : r.label || 'region');

/** Read-only outlines of the regions covering `frame` (Compare's players). */
export function RegionOutlines(props: { regions: readonly RoiRegion[]; frame: number; label: string }): ReactNode {
  const shown = props.regions.filter((r) => r.frames[0] <= props.frame && props.frame <= r.frames[1]);
  return (
    <Box aria-label={props.label} role="group" sx={{ position: 'absolute', inset: 0, pointerEvents: 'none' }}>
      {shown.map((r, i) => (
        <Box key={i} data-region-outline={r.source ?? 'hand'} aria-label={`Region ${tagOf(r)}`} sx={{ ...regionStyle(r.source, false), ...boxCss(r.box) }} />
      ))}
    </Box>
  );
}

type Drag =
  | { kind: 'draw'; x0: number; y0: number; box: BoxT }
  | { kind: 'move'; id: number; px: number; py: number; start: BoxT; box: BoxT }
  | { kind: 'resize'; id: number; px: number; py: number; start: BoxT; box: BoxT };

export interface RegionLayerProps {
  readonly regions: readonly RegionInfo[];
  readonly frame: number;
  /** Boxes can be drawn and changed (the current frame is a keyframe). */
  readonly editable: boolean;
  readonly busy?: boolean;
  readonly onAdd: (region: RegionInput) => void;
  /** `track`: the box was moved or resized on its first frame, so main re-tracks it through the clip. */
  readonly onUpdate: (regionId: number, region: RegionInput, track: boolean) => void;
  readonly onDelete: (regionId: number) => void;
  /** The picture. */
  readonly children: ReactNode;
}

export function RegionLayer(props: RegionLayerProps): ReactNode {
  const { regions, frame, editable } = props;
  const area = useRef<HTMLDivElement>(null);
  const [drag, setDrag] = useState<Drag | null>(null);
  const [selectedId, setSelectedId] = useState<number | null>(null);
  const [picture, setPicture] = useState<Rect>(FULL);
  const shown = regions.filter((r) => r.frames[0] <= frame && frame <= r.frames[1]);
  const selected = shown.find((r) => r.id === selectedId) ?? null;

  // The picture's place in the view, measured again when a picture loads and when the view is resized.
  const measure = useCallback((): void => {
    const a = area.current;
    if (!a) return;
    const next = pictureRect(a);
    setPicture((prev) => (prev.every((v, i) => Math.abs(v - next[i]!) < 1e-6) ? prev : next));
  }, []);
  useEffect(() => {
    const a = area.current;
    if (!a) return;
    measure();
    a.addEventListener('load', measure, true);
    a.addEventListener('loadedmetadata', measure, true);
    const observer = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(measure);
    observer?.observe(a);
    return () => {
      a.removeEventListener('load', measure, true);
      a.removeEventListener('loadedmetadata', measure, true);
      observer?.disconnect();
    };
  }, [measure]);

  const point = (e: PointerEvent): [number, number] => {
    const rect = area.current!.getBoundingClientRect();
    // Measured now, not from the last load or resize: the picture may have been laid out again since (a
    // notice above it appearing or going), and a stale place would store the box elsewhere than drawn.
    const [px, py, pw, ph] = pictureRect(area.current!);
    const x = ((e.clientX - rect.left) / (rect.width || 1) - px) / pw;
    const y = ((e.clientY - rect.top) / (rect.height || 1) - py) / ph;
    return [clamp(x, 0, 1), clamp(y, 0, 1)];
  };

  const onAreaDown = (e: PointerEvent): void => {
    if (!editable || e.button !== 0) return;
    measure();
    const [x, y] = point(e);
    area.current?.setPointerCapture?.(e.pointerId);
    setSelectedId(null);
    setDrag({ kind: 'draw', x0: x, y0: y, box: [x, y, 0, 0] });
  };

  const onBoxDown = (e: PointerEvent, r: RegionInfo, kind: 'move' | 'resize'): void => {
    e.stopPropagation();
    setSelectedId(r.id);
    if (!editable || e.button !== 0) return;
    const [px, py] = point(e);
    area.current?.setPointerCapture?.(e.pointerId);
    setDrag({ kind, id: r.id, px, py, start: r.box, box: r.box });
  };

  const onMove = (e: PointerEvent): void => {
    if (!drag) return;
    const [x, y] = point(e);
    if (drag.kind === 'draw') {
      setDrag({ ...drag, box: [Math.min(drag.x0, x), Math.min(drag.y0, y), Math.abs(x - drag.x0), Math.abs(y - drag.y0)] });
    } else if (drag.kind === 'move') {
      const [sx, sy, w, h] = drag.start;
      setDrag({ ...drag, box: [clamp(sx + x - drag.px, 0, 1 - w), clamp(sy + y - drag.py, 0, 1 - h), w, h] });
    } else {
      const [sx, sy, w, h] = drag.start;
      setDrag({ ...drag, box: [sx, sy, clamp(w + x - drag.px, MIN_SIDE, 1 - sx), clamp(h + y - drag.py, MIN_SIDE, 1 - sy)] });
    }
  };

  const onUp = (): void => {
    const d = drag;
    setDrag(null);
    if (!d) return;
    if (d.kind === 'draw') {
      if (d.box[2] >= MIN_SIDE && d.box[3] >= MIN_SIDE) props.onAdd({ frames: [frame, frame], box: d.box, weight: 1, label: '' });
      return;
    }
    const r = regions.find((x) => x.id === d.id);
    if (!r || d.box.every((v, i) => Math.abs(v - d.start[i]) < 1e-4)) return;
    props.onUpdate(r.id, { frames: r.frames, box: d.box, weight: r.weight, label: r.label }, r.frames[0] === frame);
  };

  const onKeyDown = (e: KeyboardEvent): void => {
    if ((e.key === 'Delete' || e.key === 'Backspace') && selected && editable) {
      e.preventDefault();
      e.stopPropagation();
      props.onDelete(selected.id);
      setSelectedId(null);
    }
  };

  const commitField = (r: RegionInfo, change: { weight?: number; label?: string }): void => {
    const weight = change.weight ?? r.weight;
    const label = change.label ?? r.label;
    if (weight === r.weight && label === r.label && r.source !== 'lmm') return;
    props.onUpdate(r.id, { frames: r.frames, box: r.box, weight, label }, false);
  };

  return (
    <Box>
      <Box
        ref={area}
        role="application"
        aria-label={editable ? `Regions on frame ${frame}: drag to draw a box` : `Regions on frame ${frame}`}
        tabIndex={0}
        onPointerDown={onAreaDown}
        onPointerMove={onMove}
        onPointerUp={onUp}
        onKeyDown={onKeyDown}
        sx={{ position: 'relative', cursor: editable ? 'crosshair' : 'default', touchAction: 'none', userSelect: 'none' }}
      >
        {props.children}
        <Box data-picture-rect sx={{ position: 'absolute', ...boxCss(picture) }}>
          {shown.map((r) => {
            const b = drag && drag.kind !== 'draw' && drag.id === r.id ? drag.box : r.box;
            return (
              <Box
                key={r.id}
                data-region={r.id}
                data-region-source={r.source}
                role="button"
                aria-label={`Region ${tagOf(r)}, weight ${r.weight}`}
                aria-pressed={r.id === selectedId}
                onPointerDown={(e) => onBoxDown(e, r, 'move')}
                sx={{ ...regionStyle(r.source, r.id === selectedId), ...boxCss(b), cursor: editable ? 'move' : 'pointer' }}
              >
                <Typography component="span" variant="caption" sx={{ position: 'absolute', top: -18, left: 0, px: 0.5, bgcolor: 'rgba(0,0,0,0.6)', color: 'white', whiteSpace: 'nowrap' }}>
                  {tagOf(r)}
                </Typography>
                {editable ? (
                  <Box
                    role="button"
                    aria-label={`Resize region ${tagOf(r)}`}
                    onPointerDown={(e) => onBoxDown(e, r, 'resize')}
                    sx={{ position: 'absolute', right: -5, bottom: -5, width: 10, height: 10, bgcolor: 'white', border: '1px solid black', cursor: 'nwse-resize' }}
                  />
                ) : null}
              </Box>
            );
          })}
          {drag?.kind === 'draw' ? <Box data-region-draft sx={{ ...regionStyle('hand', true), ...boxCss(drag.box) }} /> : null}
        </Box>
      </Box>
      <Stack direction="row" spacing={1} sx={{ mt: 1, flexWrap: 'wrap', alignItems: 'center' }} aria-label="Regions of interest" role="group">
        <Typography variant="body2" color="text.secondary" aria-live="polite">
          {shown.length} region{shown.length === 1 ? '' : 's'} here{props.busy ? ' · tracking…' : ''}
          {!editable && shown.length === 0 ? ' · step to a keyframe to draw one' : ''}
        </Typography>
        {selected ? (
          <>
            <TextField
              key={`w${selected.id}-${selected.weight}`}
              size="small"
              type="number"
              label="Weight"
              defaultValue={selected.weight}
              slotProps={{ htmlInput: { 'aria-label': 'Region weight', min: 0.1, max: 100, step: 0.5 } }}
              onBlur={(e) => {
                const w = Number(e.target.value);
                if (w > 0 && w <= 100) commitField(selected, { weight: w });
              }}
              sx={{ width: 100 }}
            />
            <TextField
              key={`l${selected.id}-${selected.label}`}
              size="small"
              label="Label"
              defaultValue={selected.label}
              slotProps={{ htmlInput: { 'aria-label': 'Region label', maxLength: 64 } }}
              onBlur={(e) => commitField(selected, { label: e.target.value })}
              sx={{ width: 160 }}
            />
            <Button size="small" color="error" variant="outlined" aria-label="Delete region" onClick={() => (props.onDelete(selected.id), setSelectedId(null))}>
              Delete region
            </Button>
          </>
        ) : null}
      </Stack>
    </Box>
  );
}
