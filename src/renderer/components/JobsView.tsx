import { useState, type ReactNode } from 'react';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import LinearProgress from '@mui/material/LinearProgress';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import type { EncodeInfo, JobInfo, SourceInfo } from '../../shared/api/contract.ts';
import { useStudio } from '../context.tsx';
import { formatEta, formatTime } from '../format.ts';
import { isActive } from '../hooks/useJobs.ts';
import { EmptyState, ErrorNotice, toShownError, type ShownError } from './common.tsx';
import { EncodeLibrary } from './jobs/EncodeLibrary.tsx';
import { EncodePanel, type EncodeChoice } from './jobs/EncodePanel.tsx';

export { EncodeLibrary } from './jobs/EncodeLibrary.tsx';
export type { EncodeChoice, EncodeCodecChoice, EncodeMode } from './jobs/EncodePanel.tsx';

const KIND_NAMES: Record<JobInfo['kind'], string> = { analysis: 'Analysis', encode: 'Encode', decode: 'Decode', describe: 'Describe', anchor: 'Anchor search', retext: 'Re-encode texts' };

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
  /** Keyframes of the saved selection and the frame count (the clips of the per-clip modes). */
  keyframes: readonly number[] | null;
  frameCount: number;
  onEncode: (choice: EncodeChoice) => Promise<void>;
  onCompare: (encodeId: number) => void;
}): ReactNode {
  const { navigate, client } = useStudio();
  const { source, jobs, projectId } = props;
  const names = new Map(props.sources.map((s) => [s.id, s.name]));
  const shown = projectId === null ? jobs : jobs.filter((j) => j.projectId === projectId);
  const finishedCount = jobs.filter((j) => !isActive(j)).length;
  const [clearError, setClearError] = useState<ShownError | null>(null);
  // Main forgets the finished jobs and says which ('jobs-cleared'): the job list (useJobs) drops them.
  const clearFinished = (): void => {
    setClearError(null);
    client.clearFinishedJobs({}).catch((e: unknown) => setClearError(toShownError(e)));
  };

  return (
    <Stack spacing={3}>
      <EncodePanel source={source} keyframes={props.keyframes} frameCount={props.frameCount} onEncode={props.onEncode} />

      <Box component="section" aria-label="Job queue">
        <Stack direction="row" spacing={2} sx={{ alignItems: 'center', mb: 1 }}>
          <Typography variant="h6" component="h2">
            Jobs
          </Typography>
          <Button size="small" onClick={clearFinished} disabled={finishedCount === 0} aria-label="Clear finished jobs">
            Clear finished{finishedCount > 0 ? ` (${finishedCount})` : ''}
          </Button>
        </Stack>
        <ErrorNotice title="The job list could not be loaded" error={props.jobsError} onRetry={props.onRefreshJobs} />
        <ErrorNotice title="Could not clear the finished jobs" error={clearError} onDismiss={() => setClearError(null)} />
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
