import { useCallback, useEffect, useRef, useState, type ReactNode, type RefObject } from 'react';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import LinearProgress from '@mui/material/LinearProgress';
import MenuItem from '@mui/material/MenuItem';
import Slider from '@mui/material/Slider';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import type { Comparison, EncodeInfo } from '../../shared/api/contract.ts';
import { useStudio } from '../context.tsx';
import { seriesMax, seriesMin } from '../timeline/model.ts';
import { EmptyState, ErrorNotice, toShownError, type ShownError } from './common.tsx';
import { PauseIcon, PlayIcon } from './icons.tsx';
import { SeriesPlot } from './Plots.tsx';

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
}): ReactNode {
  return (
    <Box>
      <Typography variant="caption">{props.caption}</Typography>
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
    </Box>
  );
}

export function CompareView(props: { encodes: readonly EncodeInfo[]; encodeId: number | null; onSelect: (encodeId: number) => void }): ReactNode {
  const { client, navigate } = useStudio();
  const candidates = props.encodes.filter((e) => e.hasReconstruction);
  const encodeId = props.encodeId ?? candidates[0]?.id ?? null;
  const [comparison, setComparison] = useState<Comparison | null>(null);
  const [error, setError] = useState<ShownError | null>(null);

  const load = useCallback(() => {
    if (encodeId === null) return;
    setComparison(null);
    client.getComparison({ encodeId }).then(
      (c) => {
        setComparison(c);
        setError(null);
      },
      (e: unknown) => setError(toShownError(e)),
    );
  }, [client, encodeId]);
  useEffect(load, [load]);

  if (encodeId === null) {
    return (
      <EmptyState title="Nothing to compare yet" action={<Button variant="contained" onClick={() => navigate('jobs')}>Go to jobs and exports</Button>}>
        Encode a video, then decode it (the Decode button in the library): the reconstruction and its per-frame quality appear here.
      </EmptyState>
    );
  }
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
      {comparison ? <ComparePlayers comparison={comparison} /> : !error ? <LinearProgress aria-label="Loading comparison" /> : null}
    </Box>
  );
}

function ComparePlayers({ comparison: c }: { comparison: Comparison }): ReactNode {
  const { client } = useStudio();
  const original = useRef<HTMLVideoElement>(null);
  const reconstructed = useRef<HTMLVideoElement>(null);
  const [frame, setFrame] = useState(0);
  const [playing, setPlaying] = useState(false);

  const seek = (f: number): void => {
    const t = (f + 0.5) / c.fps;
    for (const v of [original.current, reconstructed.current]) if (v) v.currentTime = t;
    setFrame(f);
  };

  const toggle = (): void => {
    const a = original.current;
    const b = reconstructed.current;
    if (!a || !b) return;
    if (playing) {
      a.pause();
      b.pause();
      setPlaying(false);
    } else {
      b.currentTime = a.currentTime;
      void Promise.all([a.play(), b.play()]).catch(() => setPlaying(false));
      setPlaying(true);
    }
  };

  // The original leads: its clock drives the cursor, and the reconstruction follows when it drifts.
  const onTime = (): void => {
    const a = original.current;
    const b = reconstructed.current;
    if (!a) return;
    setFrame(Math.min(c.frames - 1, Math.floor(a.currentTime * c.fps)));
    if (b && Math.abs(b.currentTime - a.currentTime) * c.fps > MAX_DRIFT_FRAMES) b.currentTime = a.currentTime;
  };

  const psnrFinite = c.psnr.map((v) => (Number.isFinite(v) ? v : 100));
  return (
    <Box>
      <Box sx={{ display: 'grid', gridTemplateColumns: '1fr 1fr', gap: 1 }}>
        <SideVideo caption="Original" label="Original video" videoRef={original} src={client.mediaUrl(c.originalVideo)} onTimeUpdate={onTime} onEnded={() => setPlaying(false)} />
        <SideVideo caption="Reconstruction" label="Reconstructed video" videoRef={reconstructed} src={client.mediaUrl(c.reconstructedVideo)} />
      </Box>
      <Stack direction="row" spacing={2} sx={{ alignItems: 'center', my: 1 }}>
        <Button variant="outlined" onClick={toggle} startIcon={playing ? <PauseIcon /> : <PlayIcon />} aria-label={playing ? 'Pause both videos' : 'Play both videos'}>
          {playing ? 'Pause' : 'Play'}
        </Button>
        <Slider
          aria-label="Compare position (frame)"
          min={0}
          max={Math.max(0, c.frames - 1)}
          step={1}
          value={frame}
          onChange={(_e, v) => seek(v as number)}
          sx={{ flex: 1 }}
        />
        <Typography sx={{ minWidth: 220, fontVariantNumeric: 'tabular-nums' }} aria-label="Compare frame readout">
          Frame {frame} · PSNR {fmt(c.psnr[frame], 2)} dB · MS-SSIM {fmt(c.msssim[frame], 4)}
        </Typography>
      </Stack>
      <Typography variant="body2" sx={{ mb: 1 }}>
        Mean PSNR {c.meanPsnr.toFixed(2)} dB · mean MS-SSIM {c.meanMsssim.toFixed(4)} · {c.keyframes.length} keyframes
      </Typography>
      <Stack spacing={1}>
        <SeriesPlot title="PSNR per frame (dB)" values={psnrFinite} yMin={Math.floor(seriesMin(psnrFinite, 20))} yMax={Math.ceil(seriesMax(psnrFinite, 30))} markers={c.keyframes} current={frame} onSeek={seek} />
        <SeriesPlot title="MS-SSIM per frame" values={c.msssim} yMin={Math.min(0.5, seriesMin(c.msssim, 1))} yMax={1} markers={c.keyframes} current={frame} onSeek={seek} />
      </Stack>
    </Box>
  );
}

function fmt(v: number | undefined, digits: number): string {
  return v === undefined ? '—' : Number.isFinite(v) ? v.toFixed(digits) : '∞';
}
