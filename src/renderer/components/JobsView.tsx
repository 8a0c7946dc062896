import { useEffect, useState, type ReactNode } from 'react';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Checkbox from '@mui/material/Checkbox';
import Chip from '@mui/material/Chip';
import FormControl from '@mui/material/FormControl';
import FormControlLabel from '@mui/material/FormControlLabel';
import InputLabel from '@mui/material/InputLabel';
import LinearProgress from '@mui/material/LinearProgress';
import MenuItem from '@mui/material/MenuItem';
import Select from '@mui/material/Select';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import ToggleButton from '@mui/material/ToggleButton';
import ToggleButtonGroup from '@mui/material/ToggleButtonGroup';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import { mediaRefs, type EncodeInfo, type ExportFormat, type JobInfo, type KeyframeCodecKind, type KeyframeCodecsInfo, type SourceInfo } from '../../shared/api/contract.ts';
import { useStudio } from '../context.tsx';
import { fixed, formatBytes, formatEta, formatTime } from '../format.ts';
import { isActive } from '../hooks/useJobs.ts';
import { EmptyState, ErrorNotice, toShownError, type ShownError } from './common.tsx';

export type EncodeMode = 'interpolation' | 'prediction';

/** What the Encode panel sends besides the mode; absent fields take the service's defaults. */
export interface EncodeCodecChoice {
  readonly keyframeCodec?: KeyframeCodecKind;
  readonly denoiserSteps?: number;
}

/** The keyframe codec and, for the learned one, the denoiser steps; learned is disabled when the pack lacks it. */
function KeyframeCodecSelect(props: { info: KeyframeCodecsInfo | null; value: EncodeCodecChoice; onChange: (v: EncodeCodecChoice) => void }): ReactNode {
  const { info, value } = props;
  const codec = value.keyframeCodec ?? info?.default ?? 'classical';
  const steps = value.denoiserSteps ?? info?.defaultDenoiserSteps ?? 4;
  const stepChoices = Array.from({ length: (info?.maxDenoiserSteps ?? 8) + 1 }, (_v, i) => i);
  return (
    <>
      {/* A disabled menu item takes no pointer events, so the reason sits on the whole control. */}
      <Tooltip title={info?.learnedUnavailable ?? ''}>
        <FormControl size="small" sx={{ minWidth: 180 }}>
          <InputLabel id="keyframe-codec-label">Keyframe codec</InputLabel>
          <Select
            labelId="keyframe-codec-label"
            label="Keyframe codec"
            value={codec}
            disabled={!info}
            onChange={(e) => props.onChange({ ...value, keyframeCodec: e.target.value as KeyframeCodecKind })}
          >
            <MenuItem value="learned" disabled={!!info?.learnedUnavailable}>
              {info?.learnedUnavailable ? 'Learned (needs its models)' : 'Learned'}
            </MenuItem>
            <MenuItem value="classical">Classical AV1</MenuItem>
          </Select>
        </FormControl>
      </Tooltip>
      {codec === 'learned' ? (
        <FormControl size="small" sx={{ minWidth: 140 }}>
          <InputLabel id="denoiser-steps-label">Denoiser steps</InputLabel>
          <Select labelId="denoiser-steps-label" label="Denoiser steps" value={steps} onChange={(e) => props.onChange({ ...value, denoiserSteps: Number(e.target.value) })}>
            {stepChoices.map((n) => (
              <MenuItem key={n} value={n}>
                {n === 0 ? '0 (no diffusion)' : n}
              </MenuItem>
            ))}
          </Select>
        </FormControl>
      ) : null}
    </>
  );
}

const KIND_NAMES: Record<JobInfo['kind'], string> = { analysis: 'Analysis', encode: 'Encode', decode: 'Decode', describe: 'Describe' };

export function JobRow(props: { job: JobInfo; sourceName?: string; onJob: (job: JobInfo) => void }): ReactNode {
  const { client } = useStudio();
  const { job } = props;
  const [error, setError] = useState<ShownError | null>(null);
  const name = `${KIND_NAMES[job.kind]} job ${job.id}`;
  const active = isActive(job);
  return (
    <Paper variant="outlined" sx={{ p: 1.5 }} role="listitem" aria-label={name}>
      <Stack direction="row" spacing={2} sx={{ alignItems: 'center', flexWrap: 'wrap' }}>
        <Typography sx={{ minWidth: 160 }}>
          {KIND_NAMES[job.kind]} {props.sourceName ? `· ${props.sourceName}` : ''}
          {job.encodeId !== null ? ` · encode ${job.encodeId}` : ''}
        </Typography>
        <Chip size="small" label={job.state} color={job.state === 'done' ? 'success' : job.state === 'failed' ? 'error' : job.state === 'running' ? 'primary' : 'default'} aria-label={`${name} state`} />
        <Box sx={{ flex: 1, minWidth: 160 }}>
          <LinearProgress variant="determinate" value={Math.round((job.state === 'done' ? 1 : job.fraction) * 100)} aria-label={`${name} progress`} />
        </Box>
        <Typography variant="body2" sx={{ minWidth: 200 }} aria-live="polite">
          {job.state === 'queued' ? 'waiting' : job.stage}
          {job.total > 0 && active ? ` ${job.done} / ${job.total}` : ''}
          {active ? ` · ${formatEta(job.etaSeconds)}` : job.finishedAt ? ` · ${formatTime(job.finishedAt)}` : ''}
        </Typography>
        {active ? (
          <Button
            size="small"
            color="warning"
            variant="outlined"
            aria-label={`Cancel ${name}`}
            onClick={() => client.cancelJob({ jobId: job.id }).then(props.onJob, (e: unknown) => setError(toShownError(e)))}
          >
            Cancel
          </Button>
        ) : null}
      </Stack>
      {job.state === 'failed' && job.error ? <ErrorNotice title={`${name} failed`} error={job.error} /> : null}
      <ErrorNotice title={`Could not cancel ${name}`} error={error} onDismiss={() => setError(null)} />
    </Paper>
  );
}

export function JobsView(props: {
  projectId: number | null;
  source: SourceInfo | null;
  sources: readonly SourceInfo[];
  jobs: readonly JobInfo[];
  jobsError: ShownError | null;
  onRefreshJobs: () => void;
  onJob: (job: JobInfo) => void;
  encodes: readonly EncodeInfo[];
  encodesError: ShownError | null;
  onEncode: (mode: EncodeMode, codec: EncodeCodecChoice) => Promise<void>;
  onCompare: (encodeId: number) => void;
}): ReactNode {
  const { navigate, client } = useStudio();
  const { source, jobs, projectId } = props;
  const [mode, setMode] = useState<EncodeMode>('interpolation');
  const [codecs, setCodecs] = useState<KeyframeCodecsInfo | null>(null);
  const [codec, setCodec] = useState<EncodeCodecChoice>({});
  useEffect(() => {
    let live = true;
    // Without the settings the choice stays on the service's default (the select is disabled).
    client.getSettings({}).then(
      (s) => live && setCodecs(s.keyframeCodecs),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [client]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ShownError | null>(null);
  const names = new Map(props.sources.map((s) => [s.id, s.name]));
  const shown = projectId === null ? jobs : jobs.filter((j) => j.projectId === projectId);

  const encode = (): void => {
    setBusy(true);
    setError(null);
    props.onEncode(mode, codec).then(
      () => setBusy(false),
      (e: unknown) => {
        setBusy(false);
        setError(toShownError(e));
      },
    );
  };

  return (
    <Stack spacing={3}>
      <Paper variant="outlined" sx={{ p: 2 }} component="section" aria-label="Encode">
        <Typography variant="h6" component="h2" gutterBottom>
          Encode
        </Typography>
        {source ? (
          <Stack direction="row" spacing={2} sx={{ alignItems: 'center', flexWrap: 'wrap' }}>
            <Typography>{source.name}</Typography>
            <ToggleButtonGroup exclusive size="small" value={mode} aria-label="Reconstruction mode" onChange={(_e, v: EncodeMode | null) => v && setMode(v)}>
              <ToggleButton value="interpolation" aria-label="Interpolation mode">
                Interpolation
              </ToggleButton>
              <ToggleButton value="prediction" aria-label="Prediction mode">
                Prediction
              </ToggleButton>
            </ToggleButtonGroup>
            <KeyframeCodecSelect info={codecs} value={codec} onChange={setCodec} />
            <Button variant="contained" onClick={encode} disabled={busy || !source.analysis} aria-label="Encode this video">
              Encode with the saved selection
            </Button>
            {!source.analysis ? <Typography color="text.secondary">The video needs its analysis first (see Timeline).</Typography> : null}
          </Stack>
        ) : (
          <Typography color="text.secondary">Open a project and a video to encode it.</Typography>
        )}
        <ErrorNotice title="Could not start the encode" error={error} onRetry={encode} />
      </Paper>

      <Box component="section" aria-label="Job queue">
        <Typography variant="h6" component="h2" gutterBottom>
          Jobs
        </Typography>
        <ErrorNotice title="The job list could not be loaded" error={props.jobsError} onRetry={props.onRefreshJobs} />
        {shown.length === 0 ? (
          <Typography color="text.secondary">No jobs yet. Analyses start when a video is imported; encodes start from here or the timeline.</Typography>
        ) : (
          <Stack spacing={1} role="list" aria-label="Jobs">
            {shown.map((j) => (
              <JobRow key={j.id} job={j} sourceName={names.get(j.sourceId)} onJob={props.onJob} />
            ))}
          </Stack>
        )}
      </Box>

      {projectId !== null ? (
        <EncodeLibrary encodes={props.encodes} sources={props.sources} error={props.encodesError} onJob={props.onJob} onCompare={props.onCompare} />
      ) : (
        <EmptyState title="No project open" action={<Button onClick={() => navigate('projects')}>Go to projects</Button>}>
          The library of encodes and their exports belongs to a project.
        </EmptyState>
      )}
    </Stack>
  );
}

function paramsSummary(e: EncodeInfo): string {
  if (!e.params) return '—';
  const s = e.params.selection;
  const sel = s.strategy === 'fixed' ? `fixed every ${s.fixedInterval}` : `${s.strategy}, λ1 ${s.lambda1}, λ2 ${s.lambda2}, D_th ${s.threshold}`;
  const g = e.params.geometry;
  const kf = e.params.keyframeCodec === 'learned' ? `; learned keyframes, ${e.params.denoiserSteps ?? 4} denoiser steps` : '';
  return `${e.params.mode}; ${sel}; ${g.width}×${g.height}${e.params.keyframeBudgetBytes !== null ? `; ${e.params.keyframeBudgetBytes} B/keyframe` : ''}${kf}`;
}

/** The project's encodes with their numbers, and what can be done with each (decode, compare, export, delete). */
export function EncodeLibrary(props: {
  encodes: readonly EncodeInfo[];
  sources: readonly SourceInfo[];
  error: ShownError | null;
  onJob: (job: JobInfo) => void;
  onCompare: (encodeId: number) => void;
}): ReactNode {
  const { client } = useStudio();
  const [rowError, setRowError] = useState<{ id: number; title: string; error: ShownError } | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [confirmDelete, setConfirmDelete] = useState<number | null>(null);
  // Encodes whose "Decode and compare" was pressed here: Compare opens when their reconstruction is ready.
  const [awaitingCompare, setAwaitingCompare] = useState<ReadonlySet<number>>(new Set());
  const names = new Map(props.sources.map((s) => [s.id, s.name]));
  const { encodes, onCompare } = props;
  // A cancelled encode has no file: it is hidden unless asked for.
  const [showCancelled, setShowCancelled] = useState(false);
  const cancelledCount = encodes.filter((e) => e.status === 'cancelled').length;
  const shown = showCancelled ? encodes : encodes.filter((e) => e.status !== 'cancelled');
  useEffect(() => {
    const ready = encodes.find((e) => awaitingCompare.has(e.id) && e.hasReconstruction);
    if (!ready) return;
    setAwaitingCompare((s) => new Set([...s].filter((id) => id !== ready.id)));
    onCompare(ready.id);
  }, [encodes, awaitingCompare, onCompare]);
  const decodeAndCompare = (e: EncodeInfo): void => {
    setAwaitingCompare((s) => new Set([...s, e.id]));
    client.startDecode({ encodeId: e.id }).then(props.onJob, (err: unknown) => {
      setAwaitingCompare((s) => new Set([...s].filter((id) => id !== e.id)));
      fail(e.id, `Could not decode encode ${e.id}`)(err);
    });
  };

  const fail = (id: number, title: string) => (e: unknown) => setRowError({ id, title, error: toShownError(e) });
  const exportTo = (e: EncodeInfo, format: ExportFormat): void => {
    client.exportEncode({ encodeId: e.id, format }).then((r) => {
      if (r.kind === 'saved') setSaved(`Encode ${e.id} exported to ${r.path}`);
    }, fail(e.id, `Could not export encode ${e.id}`));
  };
  const exportControl = (e: EncodeInfo, format: ExportFormat): ReactNode => {
    const what = format === 'm3c' ? '.m3c' : 'mp4';
    const available = format === 'm3c' ? e.status === 'done' : e.hasReconstruction;
    if (!available) return null;
    if (client.mode === 'web') {
      return (
        <Button
          size="small"
          component="a"
          href={client.mediaUrl(mediaRefs.download(e.id, format))}
          download
          aria-label={`Download ${what} of encode ${e.id}`}
        >
          {what}
        </Button>
      );
    }
    return (
      <Button size="small" onClick={() => exportTo(e, format)} aria-label={`Export ${what} of encode ${e.id}`}>
        Export {what}
      </Button>
    );
  };

  return (
    <Box component="section" aria-label="Encode library">
      <Typography variant="h6" component="h2" gutterBottom>
        Library of encodes
      </Typography>
      <ErrorNotice title="The encodes could not be loaded" error={props.error} />
      {saved ? (
        <Typography role="status" color="success.main">
          {saved}
        </Typography>
      ) : null}
      {cancelledCount > 0 ? (
        <FormControlLabel
          control={<Checkbox size="small" checked={showCancelled} onChange={(e) => setShowCancelled(e.target.checked)} />}
          label={`Show cancelled encodes (${cancelledCount})`}
        />
      ) : null}
      {shown.length === 0 ? (
        <Typography color="text.secondary">{encodes.length === 0 ? 'No encodes yet: tune the keyframes on the timeline, then press Encode.' : 'Only cancelled encodes so far.'}</Typography>
      ) : (
        <Box sx={{ overflowX: 'auto' }}>
          <Table size="small" aria-label="Encodes">
            <TableHead>
              <TableRow>
                <TableCell>#</TableCell>
                <TableCell>Video</TableCell>
                <TableCell>Status</TableCell>
                <TableCell align="right">Size</TableCell>
                <TableCell align="right">bpp</TableCell>
                <TableCell align="right">kbps</TableCell>
                <TableCell align="right">Keyframes</TableCell>
                <TableCell align="right">PSNR</TableCell>
                <TableCell align="right">MS-SSIM</TableCell>
                <TableCell>Parameters</TableCell>
                <TableCell>Actions</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {shown.map((e) => (
                <TableRow key={e.id} aria-label={`Encode ${e.id}`}>
                  <TableCell>{e.id}</TableCell>
                  <TableCell>{names.get(e.sourceId) ?? e.sourceId}</TableCell>
                  <TableCell>{e.status}{e.error && e.error !== e.status ? `: ${e.error}` : ''}</TableCell>
                  <TableCell align="right">{formatBytes(e.bytes)}</TableCell>
                  <TableCell align="right">{fixed(e.bpp, 5)}</TableCell>
                  <TableCell align="right">{fixed(e.kbps, 2)}</TableCell>
                  <TableCell align="right">{e.keyframes.length}</TableCell>
                  <TableCell align="right">{fixed(e.psnr, 2, ' dB')}</TableCell>
                  <TableCell align="right">{fixed(e.msssim, 4)}</TableCell>
                  <TableCell sx={{ fontSize: 12 }}>{paramsSummary(e)}</TableCell>
                  <TableCell>
                    <Stack direction="row" spacing={0.5} sx={{ flexWrap: 'wrap' }}>
                      {e.status === 'done' && !e.hasReconstruction ? (
                        <Button size="small" onClick={() => decodeAndCompare(e)} disabled={awaitingCompare.has(e.id)} aria-label={`Decode and compare encode ${e.id}`}>
                          {awaitingCompare.has(e.id) ? 'Decoding…' : 'Decode and compare'}
                        </Button>
                      ) : null}
                      {e.hasReconstruction ? (
                        <Button size="small" onClick={() => props.onCompare(e.id)} aria-label={`Compare encode ${e.id}`}>
                          Compare
                        </Button>
                      ) : null}
                      {exportControl(e, 'm3c')}
                      {exportControl(e, 'mp4')}
                      {confirmDelete === e.id ? (
                        <>
                          <Button size="small" color="error" onClick={() => { setConfirmDelete(null); client.deleteEncode({ encodeId: e.id }).catch(fail(e.id, `Could not delete encode ${e.id}`)); }} aria-label={`Confirm deleting encode ${e.id}`}>
                            Really delete
                          </Button>
                          <Button size="small" onClick={() => setConfirmDelete(null)}>
                            Keep
                          </Button>
                        </>
                      ) : (
                        <Button size="small" color="error" onClick={() => setConfirmDelete(e.id)} aria-label={`Delete encode ${e.id}`}>
                          Delete
                        </Button>
                      )}
                    </Stack>
                    {rowError?.id === e.id ? <ErrorNotice title={rowError.title} error={rowError.error} onDismiss={() => setRowError(null)} /> : null}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Box>
      )}
    </Box>
  );
}
