import { memo, useCallback, useDeferredValue, useEffect, useMemo, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Alert from '@mui/material/Alert';
import Chip from '@mui/material/Chip';
import IconButton from '@mui/material/IconButton';
import LinearProgress from '@mui/material/LinearProgress';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { mediaRefs, type JobInfo, type SourceInfo } from '../../shared/api/contract.ts';
import type { KeyframeOverrides, SelectionParams } from '../../shared/keyframes/index.ts';
import { useStudio } from '../context.tsx';
import { formatEta, formatKbps, fps as fpsOf } from '../format.ts';
import { isActive } from '../hooks/useJobs.ts';
import type { TimelineHook } from '../hooks/useTimeline.ts';
import { usePlayback, type Playback } from '../hooks/usePlayback.ts';
import {
  addKeyframe,
  clearOverride,
  computeTimeline,
  estimateRate,
  itemsAt,
  neighbourKeyframe,
  overrideAt,
  overridesOf,
  movedKeyframe,
  removeKeyframe,
  seriesMax,
  type MarkerKind,
  type TimelineState,
} from '../timeline/model.ts';
import { EmptyState, ErrorNotice, toShownError, type ShownError } from './common.tsx';
import { Filmstrip } from './Filmstrip.tsx';
import { NextIcon, NextKeyIcon, PrevIcon, PrevKeyIcon } from './icons.tsx';
import { MarkerTrack, SeriesPlot } from './Plots.tsx';
import { ForwardPlayer, keyBelongsToControl, PlayButton } from './Playback.tsx';
import { SelectionControls } from './SelectionControls.tsx';
import { RegionLayer } from './RegionLayer.tsx';
import { useRegions } from '../hooks/useRegions.ts';

export interface TimelineViewProps {
  source: SourceInfo | null;
  timeline: TimelineHook;
  jobs: readonly JobInfo[];
  onJob: (job: JobInfo) => void;
  current: number;
  onCurrent: (frame: number) => void;
  onEncode: () => Promise<void>;
  /** Filmstrip width before layout (tests, first paint). */
  initialFilmstripWidth?: number;
}

export function TimelineView(props: TimelineViewProps): ReactNode {
  const { client, navigate } = useStudio();
  const { source, timeline: tl, jobs, onJob, current, onCurrent } = props;
  const [actionError, setActionError] = useState<{ title: string; error: ShownError; retry?: () => void } | null>(null);
  const [encoding, setEncoding] = useState(false);

  const analysisJobs = useMemo(() => jobs.filter((j) => j.kind === 'analysis' && source !== null && j.sourceId === source.id), [jobs, source]);
  const activeAnalysis = analysisJobs.find(isActive) ?? null;
  const lastAnalysis = analysisJobs[0] ?? null;

  const startAnalysis = useCallback(() => {
    if (!source) return;
    client.startAnalysis({ sourceId: source.id }).then(onJob, (e: unknown) =>
      setActionError({ title: 'Could not start the analysis', error: toShownError(e) }),
    );
  }, [client, source, onJob]);

  const cancel = (job: JobInfo): void => {
    client.cancelJob({ jobId: job.id }).then(onJob, (e: unknown) => setActionError({ title: 'Could not cancel the analysis', error: toShownError(e) }));
  };

  const encode = (): void => {
    setEncoding(true);
    props.onEncode().then(
      () => setEncoding(false),
      (e: unknown) => {
        setEncoding(false);
        setActionError({ title: 'Could not start the encode', error: toShownError(e), retry: encode });
      },
    );
  };

  if (!source) {
    return (
      <EmptyState title="No video open" action={<Button variant="contained" onClick={() => navigate('projects')}>Go to projects</Button>}>
        Open a project and import a video on the Projects screen; its timeline appears here.
      </EmptyState>
    );
  }

  const progress = activeAnalysis ? (
    <Paper variant="outlined" sx={{ p: 2, my: 1 }} aria-label="Analysis" role="region">
      <Typography gutterBottom>
        Analysing {source.name}: {activeAnalysis.state === 'queued' ? 'queued' : activeAnalysis.stage}
        {activeAnalysis.total > 0 ? ` (${activeAnalysis.done} / ${activeAnalysis.total})` : ''} · {formatEta(activeAnalysis.etaSeconds)}
      </Typography>
      <Stack direction="row" spacing={2} sx={{ alignItems: 'center' }}>
        <LinearProgress
          sx={{ flex: 1 }}
          variant="determinate"
          value={Math.round(activeAnalysis.fraction * 100)}
          aria-label="Analysis progress"
        />
        <Button color="warning" variant="outlined" onClick={() => cancel(activeAnalysis)} aria-label="Cancel analysis">
          Cancel
        </Button>
      </Stack>
    </Paper>
  ) : null;

  const errors = (
    <>
      {actionError ? (
        <ErrorNotice title={actionError.title} error={actionError.error} onRetry={actionError.retry} onDismiss={() => setActionError(null)} />
      ) : null}
      {tl.saveError ? <ErrorNotice title="The selection could not be saved" error={tl.saveError} onRetry={() => void tl.flush().catch(() => undefined)} /> : null}
    </>
  );

  if (tl.status === 'no-analysis') {
    const failed = !activeAnalysis && lastAnalysis && (lastAnalysis.state === 'failed' || lastAnalysis.state === 'cancelled') ? lastAnalysis : null;
    return (
      <Box>
        {errors}
        {progress}
        {failed?.error ? <ErrorNotice title="The analysis failed" error={failed.error} onRetry={startAnalysis} /> : null}
        {!activeAnalysis ? (
          <EmptyState
            title={failed?.state === 'cancelled' ? 'The analysis was cancelled' : 'This video has not been analysed yet'}
            action={<Button variant="contained" onClick={startAnalysis}>Analyse video</Button>}
          >
            The analysis computes the per-frame signals that keyframe selection works on. It runs once per video.
          </EmptyState>
        ) : null}
      </Box>
    );
  }
  if (tl.status === 'error') {
    return <ErrorNotice title="The timeline could not be loaded" error={tl.loadError} onRetry={tl.reload} />;
  }
  if (tl.status !== 'ready' || !tl.timeline || !tl.signals) {
    return (
      <Box aria-busy="true">
        {progress}
        <Typography>Loading the timeline of {source.name}…</Typography>
        <LinearProgress aria-label="Loading timeline" />
      </Box>
    );
  }

  return <TimelineReady source={source} tl={tl} t={tl.timeline} current={current} onCurrent={onCurrent} header={<>{errors}{progress}</>} encodeButton={
    <Button variant="contained" onClick={encode} disabled={encoding} aria-label="Encode this video">
      {encoding ? 'Starting encode…' : 'Encode'}
    </Button>
  } initialFilmstripWidth={props.initialFilmstripWidth} />;
}

interface ReadyProps {
  source: SourceInfo;
  tl: TimelineHook;
  t: TimelineState;
  current: number;
  onCurrent: (frame: number) => void;
  header: ReactNode;
  encodeButton: ReactNode;
  initialFilmstripWidth?: number;
}

/**
 * The tuned path: a control change re-selects synchronously and commits the readouts, the marker track and
 * the filmstrip at once; the three plots follow in a deferred render (useDeferredValue) so they never delay
 * the markers, and parts that do not depend on the change are memoised.
 */
function TimelineReady(props: ReadyProps): ReactNode {
  const { client } = useStudio();
  const { source, tl, t, onCurrent } = props;
  const params = tl.params;
  const frameCount = t.frameCount;
  const frame = Math.min(Math.max(0, props.current), frameCount - 1);
  const rateFps = source.analysis ? fpsOf(source.analysis.geometry) : source.fps;
  const bitrate = tl.rate ? estimateRate(t, rateFps, tl.rate) : null;
  const isKey = t.keyframeSet.has(frame);
  const override = overrideAt(params, frame);
  const { clipIndex } = itemsAt(t.keyframes, frame);
  const regions = useRegions(source.id);

  // Handlers read the latest state through refs so memoised children keep stable props.
  const latest = useRef({ t, params, frame, setParams: tl.setParams, signals: tl.signals });
  latest.current = { t, params, frame, setParams: tl.setParams, signals: tl.signals };
  const playback = usePlayback(frameCount, rateFps, frame, onCurrent);
  const { stop: stopPlayback, toggle: togglePlayback, shuttle } = playback;
  // A step or seek by the user ends playback; playback itself moves the frame through onCurrent.
  const seek = useCallback(
    (f: number) => {
      stopPlayback();
      onCurrent(Math.min(frameCount - 1, Math.max(0, f)));
    },
    [onCurrent, frameCount, stopPlayback],
  );
  // Space, J and L work wherever focus is on the Timeline, except in the controls that use those keys.
  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent): void => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || keyBelongsToControl(e.target)) return;
      if (e.key === ' ') togglePlayback();
      else if (e.key === 'l' || e.key === 'L') shuttle(1);
      else if (e.key === 'j' || e.key === 'J') shuttle(-1);
      else return;
      e.preventDefault();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [togglePlayback, shuttle]);
  // Removing a keyframe where the scene changes makes the selection pick the next frame instead (D stays above the
  // threshold there): say so, with Undo, rather than letting the cut move silently.
  const [moved, setMoved] = useState<{ from: number; to: number; before: SelectionParams } | null>(null);
  const toggle = useCallback((f: number) => {
    const { t: tt, params: p, setParams, signals } = latest.current;
    if (!tt.keyframeSet.has(f)) {
      setParams(addKeyframe(p, f));
      return;
    }
    const next = removeKeyframe(p, f);
    setParams(next);
    const to = signals ? movedKeyframe(tt, computeTimeline(signals, next), f) : null;
    setMoved(to === null ? null : { from: f, to, before: p });
  }, []);
  const jumpKeyframe = useCallback(
    (direction: 1 | -1) => {
      const { t: tt, frame: f } = latest.current;
      const k = neighbourKeyframe(tt.keyframes, f, direction);
      if (k !== null) seek(k);
    },
    [seek],
  );
  const onKeyDown = useCallback(
    (e: KeyboardEvent<HTMLElement>): void => {
      const f = latest.current.frame;
      const jump = e.ctrlKey || e.metaKey || e.altKey;
      let handled = true;
      if (e.key === 'ArrowRight') {
        if (jump) jumpKeyframe(1);
        else seek(f + (e.shiftKey ? 10 : 1));
      } else if (e.key === 'ArrowLeft') {
        if (jump) jumpKeyframe(-1);
        else seek(f - (e.shiftKey ? 10 : 1));
      } else if (e.key === 'Home') seek(0);
      else if (e.key === 'End') seek(frameCount - 1);
      else if (e.key === 'PageDown') seek(f + 80);
      else if (e.key === 'PageUp') seek(f - 80);
      else if (e.key === 'k' || e.key === 'K') toggle(f);
      else handled = false;
      if (handled) e.preventDefault();
    },
    [seek, jumpKeyframe, toggle, frameCount],
  );

  const markerKinds = useMemo(() => new Map<number, MarkerKind>(t.markers.map((m) => [m.frame, m.kind])), [t]);
  const markerAt = useCallback((f: number) => markerKinds.get(f), [markerKinds]);
  const clipOf = useCallback((f: number) => itemsAt(t.keyframes, f).clipIndex, [t]);
  // Refs name the fit: after the fit changes, a picture the browser cached for another fit is never shown.
  const thumbnailUrl = useCallback((f: number) => client.mediaUrl(mediaRefs.thumbnail(source.id, f, source.fit)), [client, source.id, source.fit]);

  const deferredT = useDeferredValue(t);
  const deferredParams = useDeferredValue(params);
  const [preview, setPreview] = useState<{ frame: number; failed: boolean }>({ frame: -1, failed: false });
  const aspect = source.analysis ? `${source.analysis.geometry.width} / ${source.analysis.geometry.height}` : '16 / 10';
  const previewStyle = { width: '100%', maxHeight: 360, aspectRatio: aspect, objectFit: 'contain', background: 'black', display: 'block', borderRadius: 4 } as const;

  return (
    // From 900 px wide the selection controls sit beside the timeline, and stay in view while it scrolls.
    <Box sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', md: 'minmax(0, 1fr) 300px' }, gap: 2 }}>
      <Box sx={{ minWidth: 0 }}>
        {props.header}
        {tl.paramsError ? <ErrorNotice title="These parameters are not valid" error={tl.paramsError} /> : null}
        {moved ? (
          <Alert
            severity="warning"
            sx={{ mb: 1 }}
            onClose={() => setMoved(null)}
            action={
              <Stack direction="row" spacing={1}>
                <Button size="small" color="inherit" onClick={() => (tl.setParams(moved.before), setMoved(null))}>
                  Undo
                </Button>
                <Button size="small" color="inherit" onClick={() => (toggle(moved.to), seek(moved.to))}>
                  Remove frame {moved.to} too
                </Button>
              </Stack>
            }
          >
            Without a keyframe at frame {moved.from} the selection starts a clip at frame {moved.to} instead, and frames {moved.from}–{moved.to - 1} are rebuilt from the
            previous keyframe: at a scene cut they would show the previous scene.
          </Alert>
        ) : null}
        <Stack direction="row" spacing={3} sx={{ alignItems: 'baseline', flexWrap: 'wrap', mb: 1 }}>
          <Typography variant="h6" component="h2">
            {source.name}
          </Typography>
          <Typography>
            Keyframes: <output aria-label="Keyframe count">{t.keyframes.length}</output>
          </Typography>
          <Typography>
            Estimated bitrate: <output aria-label="Estimated bitrate">{bitrate ? formatKbps(bitrate.bitsPerSecond) : '—'}</output>
          </Typography>
          <Typography color="text.secondary" aria-live="polite" aria-label="Selection save state">
            {tl.saveState === 'pending' || tl.saveState === 'saving' ? 'Saving selection…' : tl.saveState === 'saved' ? 'Selection saved' : tl.saveState === 'error' ? 'Not saved' : 'Saved selection loaded'}
          </Typography>
          <Box sx={{ flex: 1 }} />
          {props.encodeButton}
        </Stack>

        <Box sx={{ display: 'flex', gap: 2, alignItems: 'flex-start', flexWrap: 'wrap' }}>
          <Box sx={{ flex: '1 1 420px', minWidth: 0 }}>
            {playback.mode === 'forward' ? (
              <ForwardPlayer
                src={client.mediaUrl(mediaRefs.original(source.id, source.fit))}
                startFrame={frame}
                fps={rateFps}
                speed={playback.speed}
                label={`Playback of ${source.name}`}
                style={previewStyle}
                onFrame={playback.onVideoFrame}
                onEnd={playback.onVideoEnd}
              />
            ) : (
              <>
                <RegionLayer regions={regions.regions} frame={frame} editable={isKey} busy={regions.busy} onAdd={(r) => void regions.add(r)} onUpdate={(id, r, track) => void regions.update(id, r, track)} onDelete={(id) => void regions.remove(id)}>
                <img
                  draggable={false}
                  src={client.mediaUrl(mediaRefs.preview(source.id, frame, source.fit))}
                  alt={`Preview of frame ${frame}`}
                  onLoad={() => setPreview({ frame, failed: false })}
                  onError={() => setPreview({ frame, failed: true })}
                  style={{
                    ...previewStyle,
                    // The browser keeps the previous picture until the next one arrives: dim it so it is not
                    // mistaken for the current frame.
                    opacity: preview.frame === frame && !preview.failed ? 1 : 0.45,
                  }}
                />
                </RegionLayer>
                {regions.error ? <Typography variant="caption" color="error" role="alert">Regions: {regions.error.message}</Typography> : null}
                <Typography variant="caption" color={preview.failed && preview.frame === frame ? 'error' : 'text.secondary'} aria-live="polite">
                  {preview.frame !== frame ? `Loading frame ${frame}…` : preview.failed ? `The preview of frame ${frame} could not be loaded; step to another frame and back to retry.` : '\u00a0'}
                </Typography>
              </>
            )}
          </Box>
          <Stack spacing={1} sx={{ flex: '0 1 260px' }}>
            <Typography aria-label="Current frame" aria-live="polite">
              Frame {frame} of {frameCount - 1} · {(frame / rateFps).toFixed(2)} s · clip {clipIndex}
              {isKey ? ' · keyframe' : ''}
              {override ? ` (${override} by hand)` : ''}
            </Typography>
            <FrameButtons onStep={(d) => seek(latest.current.frame + d)} onJump={jumpKeyframe} playback={playback} />
            <Button variant="outlined" onClick={() => toggle(frame)} disabled={isKey && frame === 0} aria-label={isKey ? 'Remove keyframe at current frame' : 'Add keyframe at current frame'}>
              {isKey ? 'Remove keyframe here (K)' : 'Add keyframe here (K)'}
            </Button>
            {override ? (
              <Button size="small" onClick={() => tl.setParams(clearOverride(params, frame))} aria-label="Clear override at current frame">
                Return this frame to automatic selection
              </Button>
            ) : null}
            <OverrideList overrides={overridesOf(params)} onSeek={seek} onClear={(f) => tl.setParams(clearOverride(latest.current.params, f))} onClearAll={() => tl.setParams({ ...latest.current.params, overrides: { add: [], remove: [] } })} />
          </Stack>
        </Box>

        <Box sx={{ mt: 2 }}>
          <MarkerTrack frameCount={frameCount} markers={t.markers} clips={t.clips} current={frame} onSeek={seek} />
          <Filmstrip
            frameCount={frameCount}
            thumbnailUrl={thumbnailUrl}
            markerAt={markerAt}
            clipOf={clipOf}
            current={frame}
            onSelect={seek}
            onKeyDown={onKeyDown}
            initialViewportWidth={props.initialFilmstripWidth}
          />
          <Typography variant="caption" color="text.secondary">
            Space plays and pauses, L plays faster, J backward. Focus the filmstrip: ←/→ step a frame (Shift: 10), Ctrl+←/→ jump between keyframes, Home/End, K adds or removes a keyframe.
          </Typography>
        </Box>

        <SignalPlots t={deferredT} params={deferredParams} frame={frame} onSeek={seek} />
      </Box>
      <Paper variant="outlined" sx={{ p: 2, alignSelf: 'start', position: { md: 'sticky' }, top: { md: 8 }, maxHeight: { md: 'calc(100vh - 16px)' }, overflowY: 'auto' }}>
        <Typography variant="subtitle1" component="h3" gutterBottom>
          Keyframe selection
        </Typography>
        <SelectionControls params={params} onChange={tl.setParams} />
        {bitrate ? (
          <Typography variant="body2" color="text.secondary" sx={{ mt: 1 }}>
            {t.keyframes.length} keyframes over {bitrate.seconds.toFixed(1)} s; estimate assumes {tl.rate?.bytesPerKeyframe} B per keyframe image and{' '}
            {tl.rate?.bytesPerText} B of text per keyframe and clip.
          </Typography>
        ) : null}
      </Paper>
    </Box>
  );
}

const FrameButtons = memo(function FrameButtons(props: { onStep: (delta: number) => void; onJump: (direction: 1 | -1) => void; playback: Playback }): ReactNode {
  return (
    <Stack direction="row" spacing={0.5}>
      <PlayButton playback={props.playback} />
      <IconButton aria-label="Previous keyframe" title="Previous keyframe (Ctrl+←)" onClick={() => props.onJump(-1)}>
        <PrevKeyIcon />
      </IconButton>
      <IconButton aria-label="Previous frame" title="Previous frame (←)" onClick={() => props.onStep(-1)}>
        <PrevIcon />
      </IconButton>
      <IconButton aria-label="Next frame" title="Next frame (→)" onClick={() => props.onStep(1)}>
        <NextIcon />
      </IconButton>
      <IconButton aria-label="Next keyframe" title="Next keyframe (Ctrl+→)" onClick={() => props.onJump(1)}>
        <NextKeyIcon />
      </IconButton>
    </Stack>
  );
}, (a, b) => a.playback.mode === b.playback.mode);

function OverrideList(props: { overrides: KeyframeOverrides; onSeek: (f: number) => void; onClear: (f: number) => void; onClearAll: () => void }): ReactNode {
  const o = props.overrides;
  return (
    <Box aria-label="Manual keyframe overrides" role="group">
      <Typography variant="body2">Overrides by hand:</Typography>
      {o.add.length + o.remove.length === 0 ? (
        <Typography variant="body2" color="text.secondary">
          none — press K on a frame to add or remove a keyframe
        </Typography>
      ) : (
        <>
          <Box sx={{ display: 'flex', flexWrap: 'wrap', gap: 0.5, mt: 0.5 }}>
            {o.add.map((f) => (
              <Chip key={`a${f}`} size="small" color="warning" label={`+${f}`} onClick={() => props.onSeek(f)} onDelete={() => props.onClear(f)} aria-label={`Added keyframe ${f}`} />
            ))}
            {o.remove.map((f) => (
              <Chip key={`r${f}`} size="small" color="error" variant="outlined" label={`−${f}`} onClick={() => props.onSeek(f)} onDelete={() => props.onClear(f)} aria-label={`Removed keyframe ${f}`} />
            ))}
          </Box>
          <Button size="small" onClick={props.onClearAll}>
            Clear all overrides
          </Button>
        </>
      )}
    </Box>
  );
}

const SignalPlots = memo(function SignalPlots(props: { t: TimelineState; params: SelectionParams; frame: number; onSeek: (f: number) => void }): ReactNode {
  const { t, params, frame, onSeek } = props;
  const trace = t.trace;
  const score = useMemo(() => {
    const out = new Float32Array(trace.d.length);
    for (let i = 1; i < out.length; i++) out[i] = trace.d[i] + params.threshold;
    return out;
  }, [trace, params.threshold]);
  const fixed = params.strategy === 'fixed';
  return (
    <Stack spacing={1} sx={{ mt: 2 }}>
      <SeriesPlot
        title="Semantic distance to the last keyframe"
        values={trace.semantic}
        yMin={0}
        yMax={seriesMax(trace.semantic, params.lambda1 > 0 ? (params.threshold / params.lambda1) * 1.2 : 0.1)}
        lines={!fixed && params.lambda1 > 0 ? [{ value: params.threshold / params.lambda1, label: 'D_th / λ1 (semantic alone reaches the threshold)' }] : []}
        markers={t.markers}
        current={frame}
        onSeek={onSeek}
      />
      <SeriesPlot
        title="Motion since the last keyframe (fraction of the diagonal)"
        values={trace.motion}
        yMin={0}
        yMax={seriesMax(trace.motion, 0.05)}
        lines={!fixed && params.strategy !== 'semantic' && params.lambda2 > 0 ? [{ value: params.threshold / params.lambda2, label: 'D_th / λ2 (motion alone reaches the threshold)' }] : []}
        markers={t.markers}
        current={frame}
        onSeek={onSeek}
      />
      <SeriesPlot
        title="D + D_th (λ1·semantic + λ2·motion) against the threshold D_th"
        values={score}
        yMin={0}
        yMax={seriesMax(score, params.threshold * 1.25 || 0.1)}
        lines={fixed ? [] : [{ value: params.threshold, label: 'D_th' }]}
        markers={t.markers}
        current={frame}
        onSeek={onSeek}
      />
    </Stack>
  );
});
