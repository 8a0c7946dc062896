import { useCallback, useEffect, useRef, useState, type ReactNode, type RefObject } from 'react';
import IconButton from '@mui/material/IconButton';
import ToggleButton from '@mui/material/ToggleButton';
import ToggleButtonGroup from '@mui/material/ToggleButtonGroup';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import LinearProgress from '@mui/material/LinearProgress';
import MenuItem from '@mui/material/MenuItem';
import Slider from '@mui/material/Slider';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import type { ComparedEncode, Comparison, EncodeInfo } from '../../shared/api/contract.ts';
import { useStudio } from '../context.tsx';
import { formatBytes } from '../format.ts';
import { seriesMax, seriesMin } from '../timeline/model.ts';
import { EmptyState, ErrorNotice, toShownError, type ShownError } from './common.tsx';
import { NextIcon, PauseIcon, PlayIcon, PrevIcon } from './icons.tsx';
import { keyBelongsToControl } from './Playback.tsx';
import { RdChartView } from './RdChart.tsx';
import { SeriesPlot } from './Plots.tsx';
import { RegionOutlines } from './RegionLayer.tsx';

/** Drift between the two players, in frames, beyond which the reconstruction is re-aligned to the original. */
const MAX_DRIFT_FRAMES = 0.5;

/** One of the two players: muted, preloaded, scaled to its column. */
function SideVideo(props: {
  caption: string;
  label: string;
  videoRef: RefObject<HTMLVideoElement | null>;
  src: string;
  onTimeUpdate?: () => void;
  onEnded?: () => void;
  /** Drawn over the picture (the regions' outlines). */
  overlay?: ReactNode;
}): ReactNode {
  return (
    <Box>
      <Typography variant="caption">{props.caption}</Typography>
      <Box sx={{ position: 'relative' }}>
      <video
        ref={props.videoRef}
        src={props.src}
        aria-label={props.label}
        muted
        preload="auto"
        playsInline
        onTimeUpdate={props.onTimeUpdate}
        onEnded={props.onEnded}
        style={{ width: '100%', background: 'black', display: 'block' }}
      />
      {props.overlay}
      </Box>
    </Box>
  );
}

export function CompareView(props: { encodes: readonly EncodeInfo[]; encodeId: number | null; onSelect: (encodeId: number) => void }): ReactNode {
  const { client, navigate } = useStudio();
  const candidates = props.encodes.filter((e) => e.hasReconstruction);
  const encodeId = props.encodeId ?? candidates[0]?.id ?? null;
  const selected = props.encodes.find((e) => e.id === encodeId) ?? null;
  const [comparison, setComparison] = useState<Comparison | null>(null);
  const [error, setError] = useState<ShownError | null>(null);
  // "Against" (issue 14): another decoded encode of the same video in place of the original. The pick belongs
  // to the encode it was made for, so choosing another encode goes back to the original.
  const [againstPick, setAgainstPick] = useState<{ encodeId: number; against: number | null } | null>(null);
  const againstId = againstPick && againstPick.encodeId === encodeId ? againstPick.against : null;
  const [againstError, setAgainstError] = useState<{ encodeId: number; against: number; error: ShownError } | null>(null);
  const [pending, setPending] = useState(false);
  const shown = useRef<Comparison | null>(null);
  shown.current = comparison;
  const ticket = useRef(0);

  const load = useCallback(() => {
    if (encodeId === null) return;
    const now = shown.current;
    // Already on screen (a refused pick went back to what is shown): nothing to fetch.
    if (now && now.encodeId === encodeId && (now.against?.encodeId ?? null) === againstId) {
      ticket.current += 1;
      setPending(false);
      return;
    }
    const mine = ++ticket.current;
    // Another against keeps the players (and their view) until the new comparison arrives; another encode clears them.
    setComparison((prev) => (prev?.encodeId === encodeId ? prev : null));
    setPending(true);
    client.getComparison(againstId === null ? { encodeId } : { encodeId, againstEncodeId: againstId }).then(
      (c) => {
        if (mine !== ticket.current) return;
        setPending(false);
        setComparison(c);
        setError(null);
      },
      (e: unknown) => {
        if (mine !== ticket.current) return;
        setPending(false);
        const was = shown.current;
        if (againstId !== null && was && was.encodeId === encodeId) {
          // Refused (or failed) for that pick: say so where it was asked, and go back to what is shown.
          setAgainstError({ encodeId, against: againstId, error: toShownError(e) });
          setAgainstPick({ encodeId, against: was.against?.encodeId ?? null });
        } else setError(toShownError(e));
      },
    );
  }, [client, encodeId, againstId]);
  useEffect(load, [load]);

  if (encodeId === null) {
    return (
      <EmptyState title="Nothing to compare yet" action={<Button variant="contained" onClick={() => navigate('jobs')}>Go to jobs and exports</Button>}>
        Encode a video, then decode it (the Decode button in the library): the reconstruction and its per-frame quality appear here.
      </EmptyState>
    );
  }
  const againstOptions = selected ? props.encodes.filter((e) => e.sourceId === selected.sourceId && e.id !== selected.id && e.hasReconstruction) : [];
  const pick = (against: number | null): void => {
    setAgainstError(null);
    setAgainstPick({ encodeId, against });
  };
  const shownAgainstError = againstError && againstError.encodeId === encodeId ? againstError : null;
  const againstSelector = (
    <TextField
      select
      size="small"
      label="Compare against"
      value={againstId === null ? 'original' : String(againstId)}
      onChange={(e) => pick(e.target.value === 'original' ? null : Number(e.target.value))}
      disabled={againstOptions.length === 0 && againstId === null}
      title={againstOptions.length === 0 ? 'No other decoded encode of this video yet' : 'Show another encode of this video (old against new) in place of the original'}
      sx={{ minWidth: 200 }}
    >
      <MenuItem value="original">Original</MenuItem>
      {againstOptions.map((e) => (
        <MenuItem key={e.id} value={String(e.id)}>
          Encode {e.id} · {formatBytes(e.bytes)}{e.kbps !== null ? ` · ${e.kbps.toFixed(2)} kbps` : ''}
        </MenuItem>
      ))}
    </TextField>
  );
  const againstNotice = shownAgainstError ? (
    <ErrorNotice
      title={`Encode ${shownAgainstError.against} could not be compared with encode ${encodeId}`}
      error={shownAgainstError.error}
      onRetry={() => pick(shownAgainstError.against)}
      onDismiss={() => setAgainstError(null)}
    />
  ) : null;
  return (
    <Box>
      <TextField
        select
        size="small"
        label="Encode to compare"
        value={encodeId}
        onChange={(e) => props.onSelect(Number(e.target.value))}
        sx={{ minWidth: 260, mb: 2 }}
      >
        {candidates.map((e) => (
          <MenuItem key={e.id} value={e.id}>
            Encode {e.id} · {e.keyframes.length} keyframes · {e.kbps !== null ? `${e.kbps.toFixed(2)} kbps` : ''}
          </MenuItem>
        ))}
      </TextField>
      <ErrorNotice title="The comparison could not be loaded" error={error} onRetry={load} />
      {comparison ? (
        <ComparePlayers comparison={comparison} bytes={selected?.bytes ?? null} againstSelector={againstSelector} againstNotice={againstNotice} pending={pending} />
      ) : !error ? (
        <LinearProgress aria-label="Loading comparison" />
      ) : null}
      {selected ? <RdChartView sourceId={selected.sourceId} currentEncodeId={selected.id} /> : null}
    </Box>
  );
}

type CompareMode = 'side' | 'wipe' | 'zoom';
const ZOOMS = [1, 2, 4, 8] as const;

function ComparePlayers(props: {
  comparison: Comparison;
  /** The compared encode's file size (from the library). */
  bytes: number | null;
  againstSelector: ReactNode;
  againstNotice: ReactNode;
  /** Another against is being fetched. */
  pending: boolean;
}): ReactNode {
  const { comparison: c } = props;
  const a: ComparedEncode | undefined = c.against;
  const { client } = useStudio();
  const original = useRef<HTMLVideoElement>(null);
  const reconstructed = useRef<HTMLVideoElement>(null);
  const [frame, setFrame] = useState(0);
  const [playing, setPlaying] = useState(false);
  const [mode, setMode] = useState<CompareMode>('side');
  const [wipe, setWipe] = useState(50);
  const [zoom, setZoom] = useState<(typeof ZOOMS)[number]>(2);

  const pause = useCallback((): void => {
    original.current?.pause();
    reconstructed.current?.pause();
    setPlaying(false);
  }, []);
  const seek = useCallback(
    (f: number): void => {
      const clamped = Math.min(c.frames - 1, Math.max(0, f));
      const t = (clamped + 0.5) / c.fps;
      for (const v of [original.current, reconstructed.current]) if (v) v.currentTime = t;
      setFrame(clamped);
    },
    [c.frames, c.fps],
  );

  const toggle = useCallback((): void => {
    const a = original.current;
    const b = reconstructed.current;
    if (!a || !b) return;
    if (!a.paused) return pause();
    b.currentTime = a.currentTime;
    void Promise.all([a.play(), b.play()]).catch(() => setPlaying(false));
    setPlaying(true);
  }, [pause]);

  // Space plays and pauses; ←/→ step a frame (Shift: 10), pausing first; Home/End.
  const latest = useRef({ frame, seek, toggle, pause });
  latest.current = { frame, seek, toggle, pause };
  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent): void => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || keyBelongsToControl(e.target)) return;
      const l = latest.current;
      const step = (d: number): void => {
        l.pause();
        l.seek(l.frame + d);
      };
      if (e.key === ' ') l.toggle();
      else if (e.key === 'ArrowRight') step(e.shiftKey ? 10 : 1);
      else if (e.key === 'ArrowLeft') step(e.shiftKey ? -10 : -1);
      else if (e.key === 'Home') step(-Infinity);
      else if (e.key === 'End') step(Infinity);
      else return;
      e.preventDefault();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  const psnrFinite = c.psnr.map((v) => (Number.isFinite(v) ? v : 100));
  const againstPsnrFinite = a ? a.psnr.map((v) => (Number.isFinite(v) ? v : 100)) : null;
  const originalSrc = client.mediaUrl(c.originalVideo);
  const reconstructedSrc = client.mediaUrl(c.reconstructedVideo);
  // Against another encode, its reconstruction takes the original's place (and leads the clock).
  const leftSrc = a ? client.mediaUrl(a.reconstructedVideo) : originalSrc;
  const left = a ? { caption: `Encode ${a.encodeId}`, label: 'Against video', regions: `Regions on encode ${a.encodeId}` } : { caption: 'Original', label: 'Original video', regions: 'Regions on the original' };
  const rightCaption = a ? `Encode ${c.encodeId}` : 'Reconstruction';

  // Another view mounts new players: they start paused at the frame the last ones showed.
  useEffect(() => {
    setPlaying(false);
    latest.current.seek(latest.current.frame);
  }, [mode]);
  // Another video on the left (original or against) reloads it: both pause and keep the frame.
  const firstLeft = useRef(leftSrc);
  useEffect(() => {
    if (firstLeft.current === leftSrc) return;
    firstLeft.current = leftSrc;
    latest.current.pause();
    latest.current.seek(latest.current.frame);
  }, [leftSrc]);

  // The original leads: its clock drives the cursor, and the reconstruction follows when it drifts.
  const onTime = (): void => {
    const a = original.current;
    const b = reconstructed.current;
    if (!a) return;
    setFrame(Math.min(c.frames - 1, Math.floor(a.currentTime * c.fps)));
    if (b && Math.abs(b.currentTime - a.currentTime) * c.fps > MAX_DRIFT_FRAMES) b.currentTime = a.currentTime;
  };

  const psnrAll = againstPsnrFinite ? [...psnrFinite, ...againstPsnrFinite] : psnrFinite;
  const psnrMin = Math.floor(seriesMin(psnrAll, 20));
  const psnrMax = Math.ceil(seriesMax(psnrAll, 30));
  const pair = { original, reconstructed, originalSrc: leftSrc, reconstructedSrc, leftCaption: left.caption, leftLabel: left.label, rightCaption, onTime, onEnded: () => setPlaying(false) };
  return (
    <Box>
      <Stack direction="row" spacing={2} sx={{ alignItems: 'center', mb: 1, flexWrap: 'wrap' }}>
        <ToggleButtonGroup exclusive size="small" value={mode} onChange={(_e, v: CompareMode | null) => v && setMode(v)} aria-label="Compare view">
          <ToggleButton value="side">Side by side</ToggleButton>
          <ToggleButton value="wipe">Wipe</ToggleButton>
          <ToggleButton value="zoom">Zoom</ToggleButton>
        </ToggleButtonGroup>
        {mode === 'wipe' ? (
          <Slider aria-label={`Wipe position (percent of the width showing ${a ? `encode ${a.encodeId}` : 'the original'})`} min={0} max={100} value={wipe} onChange={(_e, v) => setWipe(v as number)} sx={{ maxWidth: 240 }} />
        ) : null}
        {mode === 'zoom' ? (
          <ToggleButtonGroup exclusive size="small" value={zoom} onChange={(_e, v: (typeof ZOOMS)[number] | null) => v && setZoom(v)} aria-label="Zoom factor">
            {ZOOMS.map((z) => (
              <ToggleButton key={z} value={z} aria-label={`Zoom ${z}x`}>
                {z}x
              </ToggleButton>
            ))}
          </ToggleButtonGroup>
        ) : null}
        {props.againstSelector}
      </Stack>
      {props.againstNotice}
      {props.pending ? <LinearProgress aria-label="Loading comparison" sx={{ mb: 1 }} /> : null}
      {mode === 'side' ? (
        <Box sx={{ display: 'grid', gridTemplateColumns: '1fr 1fr', gap: 1 }}>
          <SideVideo caption={left.caption} label={left.label} videoRef={original} src={leftSrc} onTimeUpdate={onTime} onEnded={() => setPlaying(false)} overlay={c.roi ? <RegionOutlines regions={c.roi.regions} frame={frame} label={left.regions} /> : null} />
          <SideVideo caption={rightCaption} label="Reconstructed video" videoRef={reconstructed} src={reconstructedSrc} overlay={c.roi ? <RegionOutlines regions={c.roi.regions} frame={frame} label="Regions on the reconstruction" /> : null} />
        </Box>
      ) : mode === 'wipe' ? (
        <WipeView {...pair} wipe={wipe} onWipe={setWipe} />
      ) : (
        <ZoomView {...pair} zoom={zoom} />
      )}
      <Stack direction="row" spacing={2} sx={{ alignItems: 'center', my: 1 }}>
        <Button variant="outlined" onClick={toggle} startIcon={playing ? <PauseIcon /> : <PlayIcon />} aria-label={playing ? 'Pause both videos' : 'Play both videos'} title="Space plays and pauses; ←/→ step a frame">
          {playing ? 'Pause' : 'Play'}
        </Button>
        <IconButton aria-label="Previous frame" title="Previous frame (←)" onClick={() => (pause(), seek(frame - 1))}>
          <PrevIcon />
        </IconButton>
        <IconButton aria-label="Next frame" title="Next frame (→)" onClick={() => (pause(), seek(frame + 1))}>
          <NextIcon />
        </IconButton>
        <Slider aria-label="Compare position (frame)" min={0} max={Math.max(0, c.frames - 1)} step={1} value={frame} onChange={(_e, v) => seek(v as number)} sx={{ flex: 1 }} />
        <Typography sx={{ minWidth: 220, fontVariantNumeric: 'tabular-nums' }} aria-label="Compare frame readout">
          Frame {frame} · PSNR {fmt(c.psnr[frame], 2)} dB · MS-SSIM {fmt(c.msssim[frame], 4)}
          {a ? ` · encode ${a.encodeId}: PSNR ${fmt(a.psnr[frame], 2)} dB · MS-SSIM ${fmt(a.msssim[frame], 4)}` : ''}
        </Typography>
      </Stack>
      <Typography variant="body2" sx={{ mb: 1 }}>
        Mean PSNR {c.meanPsnr.toFixed(2)} dB · mean MS-SSIM {c.meanMsssim.toFixed(4)} · {c.keyframes.length} keyframes
      </Typography>
      {a ? (
        <Typography variant="body2" sx={{ mb: 1 }} aria-label="Against encode">
          Against encode {a.encodeId}: mean PSNR {a.meanPsnr.toFixed(2)} dB (encode {c.encodeId} {signed(c.meanPsnr - a.meanPsnr)} dB) · mean MS-SSIM {a.meanMsssim.toFixed(4)}
          {c.roiQuality ? '' : ` · ${bytesOf(props.bytes)} against ${bytesOf(a.bytes)}`}
        </Typography>
      ) : null}
      {c.roiQuality ? (
        <Typography variant="body2" sx={{ mb: 1 }} aria-label="PSNR-Y inside and outside the regions">
          {c.roi?.regions.length ?? 0} regions{c.roiUsed === false ? ' (the source\'s regions now; this encode was made without them)' : ' (used by this encode)'} · PSNR-Y inside <output aria-label="PSNR-Y inside the regions">{c.roiQuality.psnrInside === null ? '—' : fmt(c.roiQuality.psnrInside, 2)}</output> dB · outside{' '}
          <output aria-label="PSNR-Y outside the regions">{c.roiQuality.psnrOutside === null ? '—' : fmt(c.roiQuality.psnrOutside, 2)}</output> dB (luma, pooled over the frames, at {c.roiQuality.width}x{c.roiQuality.height})
          {a ? (
            <>
              {' '}· encode {a.encodeId} on the same regions: inside <output aria-label={`PSNR-Y inside the regions, encode ${a.encodeId}`}>{pooled(a.roiQuality?.psnrInside)}</output> dB · outside{' '}
              <output aria-label={`PSNR-Y outside the regions, encode ${a.encodeId}`}>{pooled(a.roiQuality?.psnrOutside)}</output> dB · gain inside{' '}
              <output aria-label="Gain inside the regions">{gain(c.roiQuality.psnrInside, a.roiQuality?.psnrInside)}</output> dB (encode {c.encodeId} minus encode {a.encodeId}) · encode {c.encodeId}{' '}
              <output aria-label={`Bytes, encode ${c.encodeId}`}>{bytesOf(props.bytes)}</output>, encode {a.encodeId} <output aria-label={`Bytes, encode ${a.encodeId}`}>{bytesOf(a.bytes)}</output>
            </>
          ) : null}
        </Typography>
      ) : null}
      <Stack spacing={1}>
        <SeriesPlot title="PSNR per frame (dB)" values={psnrFinite} yMin={psnrMin} yMax={psnrMax} markers={c.keyframes} current={frame} onSeek={seek} />
        {a && againstPsnrFinite ? <SeriesPlot title={`PSNR per frame, encode ${a.encodeId} (dB)`} values={againstPsnrFinite} yMin={psnrMin} yMax={psnrMax} markers={c.keyframes} current={frame} onSeek={seek} /> : null}
        <SeriesPlot title="MS-SSIM per frame" values={c.msssim} yMin={Math.min(0.5, seriesMin(c.msssim, 1))} yMax={1} markers={c.keyframes} current={frame} onSeek={seek} />
      </Stack>
    </Box>
  );
}

interface PairProps {
  /** The left (leading) player: the original, or the encode compared against. */
  original: RefObject<HTMLVideoElement | null>;
  reconstructed: RefObject<HTMLVideoElement | null>;
  originalSrc: string;
  reconstructedSrc: string;
  leftCaption: string;
  leftLabel: string;
  rightCaption: string;
  onTime: () => void;
  onEnded: () => void;
}

/** The two videos stacked: the original (or the against encode) left of the wipe line, the reconstruction right of it; drag to move it. */
function WipeView(props: PairProps & { wipe: number; onWipe: (percent: number) => void }): ReactNode {
  const box = useRef<HTMLDivElement>(null);
  const moveTo = (clientX: number): void => {
    const r = box.current?.getBoundingClientRect();
    if (r && r.width > 0) props.onWipe(Math.round(Math.min(100, Math.max(0, ((clientX - r.left) / r.width) * 100))));
  };
  const layer = { position: 'absolute', inset: 0, width: '100%', height: '100%', display: 'block' } as const;
  return (
    <Box
      ref={box}
      aria-label={props.leftLabel === 'Original video' ? 'Wipe between original and reconstruction' : `Wipe between ${props.leftCaption.toLowerCase()} and ${props.rightCaption.toLowerCase()}`}
      role="group"
      sx={{ position: 'relative', width: '100%', aspectRatio: '16 / 10', bgcolor: 'black', cursor: 'ew-resize', touchAction: 'none', userSelect: 'none' }}
      onPointerDown={(e) => {
        e.currentTarget.setPointerCapture(e.pointerId);
        moveTo(e.clientX);
      }}
      onPointerMove={(e) => {
        if (e.currentTarget.hasPointerCapture(e.pointerId)) moveTo(e.clientX);
      }}
    >
      <video ref={props.reconstructed} src={props.reconstructedSrc} aria-label="Reconstructed video" muted preload="auto" playsInline style={{ ...layer, objectFit: 'contain' }} />
      <video
        ref={props.original}
        src={props.originalSrc}
        aria-label={props.leftLabel}
        muted
        preload="auto"
        playsInline
        onTimeUpdate={props.onTime}
        onEnded={props.onEnded}
        style={{ ...layer, objectFit: 'contain', clipPath: `inset(0 ${100 - props.wipe}% 0 0)` }}
      />
      <Box aria-hidden="true" sx={{ position: 'absolute', top: 0, bottom: 0, left: `${props.wipe}%`, width: '2px', ml: '-1px', bgcolor: 'warning.main' }} />
      <Typography variant="caption" sx={{ position: 'absolute', top: 4, left: 8, color: 'common.white', textShadow: '0 0 3px black' }}>
        {props.leftCaption}
      </Typography>
      <Typography variant="caption" sx={{ position: 'absolute', top: 4, right: 8, color: 'common.white', textShadow: '0 0 3px black' }}>
        {props.rightCaption}
      </Typography>
    </Box>
  );
}

/** Both videos at an integer zoom with nearest-neighbour scaling (each source pixel a square), scrolled together. */
function ZoomView(props: PairProps & { zoom: number }): ReactNode {
  const panes = [useRef<HTMLDivElement>(null), useRef<HTMLDivElement>(null)];
  const [size, setSize] = useState<{ width: number; height: number } | null>(null);
  const syncing = useRef(false);
  const follow = (from: number): void => {
    if (syncing.current) return;
    const a = panes[from].current;
    const b = panes[1 - from].current;
    if (!a || !b) return;
    syncing.current = true;
    b.scrollLeft = a.scrollLeft;
    b.scrollTop = a.scrollTop;
    requestAnimationFrame(() => (syncing.current = false));
  };
  const style = size ? { width: size.width * props.zoom, height: size.height * props.zoom, imageRendering: 'pixelated' as const, display: 'block', maxWidth: 'none' } : { display: 'block' };
  const pane = (i: number, caption: string, label: string, ref: RefObject<HTMLVideoElement | null>, src: string, lead: boolean): ReactNode => (
    <Box>
      <Typography variant="caption">
        {caption} · {props.zoom}x{size ? ` (${size.width}×${size.height} source pixels)` : ''}
      </Typography>
      <Box ref={panes[i]} onScroll={() => follow(i)} sx={{ overflow: 'auto', maxHeight: 420, bgcolor: 'black' }} aria-label={`${caption} at ${props.zoom}x`} role="region" tabIndex={0}>
        <video
          ref={ref}
          src={src}
          aria-label={label}
          muted
          preload="auto"
          playsInline
          style={style}
          onLoadedMetadata={(e) => lead && setSize({ width: e.currentTarget.videoWidth, height: e.currentTarget.videoHeight })}
          onTimeUpdate={lead ? props.onTime : undefined}
          onEnded={lead ? props.onEnded : undefined}
        />
      </Box>
    </Box>
  );
  return (
    <Box sx={{ display: 'grid', gridTemplateColumns: '1fr 1fr', gap: 1 }}>
      {pane(0, props.leftCaption, props.leftLabel, props.original, props.originalSrc, true)}
      {pane(1, props.rightCaption, 'Reconstructed video', props.reconstructed, props.reconstructedSrc, false)}
    </Box>
  );
}

function fmt(v: number | undefined, digits: number): string {
  return v === undefined ? '—' : Number.isFinite(v) ? v.toFixed(digits) : '∞';
}

/** A pooled PSNR-Y figure (null: no pixel on that side; undefined: not measured). */
function pooled(v: number | null | undefined): string {
  return v === null || v === undefined ? '—' : fmt(v, 2);
}

/** A signed difference in dB, 2 decimals ("+0.39", "-0.62"). */
function signed(d: number): string {
  if (Number.isNaN(d)) return '—';
  if (!Number.isFinite(d)) return d > 0 ? '+∞' : '-∞';
  const r = Number(d.toFixed(2));
  return r > 0 ? `+${r.toFixed(2)}` : r < 0 ? r.toFixed(2) : '0.00';
}

/** The compared encode's PSNR-Y inside the regions minus the against encode's. */
function gain(mine: number | null, theirs: number | null | undefined): string {
  return mine === null || theirs === null || theirs === undefined ? '—' : signed(mine - theirs);
}

function bytesOf(bytes: number | null): string {
  return bytes === null ? '—' : `${bytes.toLocaleString('en-US')} bytes`;
}
