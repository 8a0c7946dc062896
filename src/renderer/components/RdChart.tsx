/**
 * The R-D chart of the Compare view: the source's decoded encodes as points and the classical anchor (a
 * classical codec given the same bits at a smaller size and frame rate, then upscaled) as its envelope, on a
 * logarithmic rate axis with the 1.5-6 kbit/s band marked. The anchor is searched on demand as a job.
 */
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import LinearProgress from '@mui/material/LinearProgress';
import Stack from '@mui/material/Stack';
import ToggleButton from '@mui/material/ToggleButton';
import ToggleButtonGroup from '@mui/material/ToggleButtonGroup';
import Typography from '@mui/material/Typography';
import type { JobInfo, RdChart } from '../../shared/api/contract.ts';
import { useStudio, useStudioEvents } from '../context.tsx';
import { formatEta } from '../format.ts';
import { ErrorNotice, toShownError, type ShownError } from './common.tsx';

type Metric = 'psnr' | 'msssim';
const W = 640;
const H = 300;
const PAD = { left: 56, right: 16, top: 12, bottom: 40 };
const BAND = [1.5, 6] as const;

/** Axis ranges: rates on a log scale with the band always in view; quality padded by 5% of its span. */
export function chartRanges(values: { kbps: number; q: number }[]): { x: [number, number]; y: [number, number] } {
  const k = values.map((v) => v.kbps).filter((x) => x > 0);
  const q = values.map((v) => v.q);
  const xMin = Math.min(BAND[0], ...k) / 1.2;
  const xMax = Math.max(BAND[1], ...k) * 1.2;
  const qMin = q.length ? Math.min(...q) : 0;
  const qMax = q.length ? Math.max(...q) : 1;
  const pad = (qMax - qMin || 1) * 0.05;
  return { x: [xMin, xMax], y: [qMin - pad, qMax + pad] };
}

function ticks(lo: number, hi: number, log: boolean): number[] {
  if (log) return [0.5, 1, 1.5, 2, 3, 4, 6, 8, 10, 15, 20, 30, 50, 100].filter((t) => t >= lo && t <= hi);
  const step = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10].find((s) => (hi - lo) / s <= 6) ?? 10;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi; t += step) out.push(Number(t.toFixed(6)));
  return out;
}

/** Decimals that tell evenly spaced ticks apart (at least `min`): 0.5 dB steps need one, not the 0 whole dB take. */
export function tickDecimals(ts: readonly number[], min: number): number {
  if (ts.length < 2) return min;
  const step = ts[1] - ts[0];
  return Math.max(min, Math.ceil(-Math.log10(step) - 1e-9));
}

export function RdChartView(props: { sourceId: number; currentEncodeId: number | null }): ReactNode {
  const { client } = useStudio();
  const { sourceId } = props;
  const [chart, setChart] = useState<RdChart | null>(null);
  const [error, setError] = useState<ShownError | null>(null);
  const [job, setJob] = useState<JobInfo | null>(null);
  const [metric, setMetric] = useState<Metric>('psnr');

  const load = useCallback(() => {
    client.getRdChart({ sourceId }).then(
      (c) => {
        setChart(c);
        setError(null);
      },
      (e: unknown) => setError(toShownError(e)),
    );
  }, [client, sourceId]);
  useEffect(load, [load]);
  useStudioEvents((e) => {
    if ((e.type === 'job-progress' || e.type === 'job-finished') && e.job.kind === 'anchor' && e.job.sourceId === sourceId) {
      setJob(e.job);
      if (e.type === 'job-finished') {
        if (e.job.state === 'failed' && e.job.error) setError(e.job.error);
        load();
      }
    } else if (e.type === 'encodes-changed' || (e.type === 'job-finished' && e.job.kind === 'decode')) load();
  });
  const search = (): void => {
    client.startAnchorSearch({ sourceId }).then(setJob, (e: unknown) => setError(toShownError(e)));
  };
  const running = job !== null && (job.state === 'queued' || job.state === 'running');

  const anchor = chart?.anchor ?? null;
  const q = (v: { psnr: number; msssim: number }): number => v[metric];
  const envelope = anchor ? (metric === 'psnr' ? anchor.envelopePsnr : anchor.envelopeMsssim).map((i) => anchor.points[i]) : [];
  const all = [...(chart?.encodes ?? []).map((e) => ({ kbps: e.kbps, q: q(e) })), ...envelope.map((p) => ({ kbps: p.kbps, q: q(p) }))];
  const { x, y } = chartRanges(all);
  const px = (kbps: number): number => PAD.left + ((Math.log(kbps) - Math.log(x[0])) / (Math.log(x[1]) - Math.log(x[0]))) * (W - PAD.left - PAD.right);
  const py = (v: number): number => H - PAD.bottom - ((v - y[0]) / (y[1] - y[0])) * (H - PAD.top - PAD.bottom);
  const yTicks = ticks(y[0], y[1], false);
  const yDecimals = tickDecimals(yTicks, metric === 'psnr' ? 0 : 2);
  const unit = metric === 'psnr' ? 'PSNR (dB)' : 'MS-SSIM';

  return (
    <Box component="section" aria-label="Rate and quality" sx={{ mt: 2 }}>
      <Stack direction="row" spacing={2} sx={{ alignItems: 'center', flexWrap: 'wrap', mb: 1 }}>
        <Typography variant="subtitle1" component="h3">
          Rate and quality of this video
        </Typography>
        <ToggleButtonGroup exclusive size="small" value={metric} onChange={(_e, m: Metric | null) => m && setMetric(m)} aria-label="Quality measure">
          <ToggleButton value="psnr">PSNR</ToggleButton>
          <ToggleButton value="msssim">MS-SSIM</ToggleButton>
        </ToggleButtonGroup>
        <Button size="small" variant="outlined" onClick={search} disabled={running}>
          {anchor ? 'Search the classical anchor again' : 'Search the classical anchor'}
        </Button>
      </Stack>
      <ErrorNotice title="The R-D chart could not be completed" error={error} onDismiss={() => setError(null)} />
      {running ? (
        <Box sx={{ mb: 1 }}>
          <Typography variant="body2">
            Searching the classical anchor: {job.total > 0 ? `${job.done} of ${job.total} trials` : 'starting'} · {formatEta(job.etaSeconds)}
          </Typography>
          <LinearProgress variant="determinate" value={Math.round(job.fraction * 100)} aria-label="Anchor search progress" />
        </Box>
      ) : null}
      <svg role="img" aria-label={`Rate and quality chart (${unit})`} viewBox={`0 0 ${W} ${H}`} width="100%" style={{ maxWidth: W, display: 'block' }}>
        <rect x={px(BAND[0])} y={PAD.top} width={px(BAND[1]) - px(BAND[0])} height={H - PAD.top - PAD.bottom} fill="currentColor" opacity={0.06} />
        <text x={(px(BAND[0]) + px(BAND[1])) / 2} y={PAD.top + 12} textAnchor="middle" fontSize={11} fill="currentColor" opacity={0.7}>
          1.5-6 kbit/s
        </text>
        {ticks(x[0], x[1], true).map((t) => (
          <g key={`x${t}`}>
            <line x1={px(t)} x2={px(t)} y1={H - PAD.bottom} y2={H - PAD.bottom + 4} stroke="currentColor" />
            <text x={px(t)} y={H - PAD.bottom + 16} textAnchor="middle" fontSize={11} fill="currentColor">
              {t}
            </text>
          </g>
        ))}
        {yTicks.map((t) => (
          <g key={`y${t}`}>
            <line x1={PAD.left - 4} x2={W - PAD.right} y1={py(t)} y2={py(t)} stroke="currentColor" opacity={0.12} />
            <text x={PAD.left - 6} y={py(t) + 4} textAnchor="end" fontSize={11} fill="currentColor">
              {t.toFixed(yDecimals)}
            </text>
          </g>
        ))}
        <text x={(W + PAD.left) / 2} y={H - 6} textAnchor="middle" fontSize={12} fill="currentColor">
          rate (kbit/s, log scale)
        </text>
        <text x={14} y={(H - PAD.bottom) / 2} textAnchor="middle" fontSize={12} fill="currentColor" transform={`rotate(-90 14 ${(H - PAD.bottom) / 2})`}>
          {unit}
        </text>
        {envelope.length > 0 ? (
          <polyline
            data-series="anchor-envelope"
            points={envelope.map((p) => `${px(p.kbps)},${py(q(p))}`).join(' ')}
            fill="none"
            stroke="#8d6e63"
            strokeWidth={2}
          />
        ) : null}
        {envelope.map((p, i) => (
          <circle key={`a${i}`} data-point="anchor" cx={px(p.kbps)} cy={py(q(p))} r={3} fill="#8d6e63">
            <title>{`classical anchor: ${p.encoder} ${p.width}x${p.height} ${p.fps} fps CRF ${p.crf}: ${p.kbps.toFixed(2)} kbit/s, ${q(p).toFixed(metric === 'psnr' ? 2 : 4)}`}</title>
          </circle>
        ))}
        {(chart?.encodes ?? []).map((e) => (
          <circle key={`e${e.encodeId}`} data-point="encode" data-encode={e.encodeId} cx={px(e.kbps)} cy={py(q(e))} r={e.encodeId === props.currentEncodeId ? 6 : 4} fill="#1e88e5" stroke="currentColor" strokeWidth={e.encodeId === props.currentEncodeId ? 1.5 : 0}>
            <title>{`encode ${e.encodeId}: ${e.kbps.toFixed(2)} kbit/s, ${q(e).toFixed(metric === 'psnr' ? 2 : 4)}, ${e.keyframes} keyframes`}</title>
          </circle>
        ))}
      </svg>
      <Typography variant="caption" color="text.secondary" aria-label="Rate and quality legend">
        Blue: this video&apos;s decoded encodes{props.currentEncodeId !== null ? ' (the larger one is shown above)' : ''}. Brown:{' '}
        {anchor
          ? `the classical anchor, the best ${metric === 'psnr' ? 'PSNR' : 'MS-SSIM'} that SVT-AV1 or libaom reach at each rate when the video is coded smaller and slower and upscaled (${anchor.points.length} trials on the first ${anchor.seconds.toFixed(0)} s).`
          : 'no classical anchor yet: search it to see what a classical codec gives at these rates.'}
      </Typography>
    </Box>
  );
}
