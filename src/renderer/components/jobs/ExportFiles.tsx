/**
 * "Export .m3c and mp4": one action for both files of an encode. Electron saves them in one chosen folder;
 * the web studio offers both downloads by name, saying where the project keeps each. Without a
 * reconstruction the service queues its decode first; the export finishes when that job does.
 */
import { useState, type ReactNode } from 'react';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import type { EncodeInfo, ExportFile, JobInfo } from '../../../shared/api/contract.ts';
import { useStudio, useStudioEvents } from '../../context.tsx';
import { toShownError, type ShownError } from '../common.tsx';

/** What the export of one encode shows: a line of progress or result, the downloads (web), or an error. */
export interface ExportState {
  readonly encodeId: number;
  readonly message: string | null;
  readonly downloads: readonly ExportFile[] | null;
  readonly error: ShownError | null;
  /** The decode job the export waits for. */
  readonly jobId: string | null;
}

const baseName = (p: string): string => p.split(/[\\/]/).pop() ?? p;

/** The export action and its state; `onJob` records the decode job it may queue. */
export function useExportFiles(onJob: (job: JobInfo) => void): {
  readonly state: ExportState | null;
  readonly start: (e: EncodeInfo) => void;
  readonly dismiss: () => void;
} {
  const { client } = useStudio();
  const [state, setState] = useState<ExportState | null>(null);
  // What to show once the decode job is done: the folder (Electron) or the downloads (web).
  const [pending, setPending] = useState<{ jobId: string; folder: string | null; files: readonly ExportFile[] } | null>(null);

  useStudioEvents((ev) => {
    if (ev.type !== 'job-finished' || !pending || ev.job.id !== pending.jobId || !state) return;
    setPending(null);
    if (ev.job.state !== 'done') {
      const error = ev.job.error ?? { code: 'cancelled', message: 'the decode was cancelled' };
      setState({ ...state, jobId: null, message: null, error });
    } else if (pending.folder !== null) {
      setState({ ...state, jobId: null, message: `Encode ${state.encodeId} exported to ${pending.folder}: ${pending.files.map((f) => f.fileName).join(' and ')}.` });
    } else {
      setState({ ...state, jobId: null, message: `Encode ${state.encodeId} is ready to download.`, downloads: pending.files });
    }
  });

  const start = (e: EncodeInfo): void => {
    setPending(null);
    setState({ encodeId: e.id, message: null, downloads: null, error: null, jobId: null });
    client.exportEncodeFiles({ encodeId: e.id }).then(
      (r) => {
        if (r.kind === 'cancelled') setState(null);
        else if (r.kind === 'saved') setState({ encodeId: e.id, message: `Encode ${e.id} exported to ${r.folder}: ${r.paths.map(baseName).join(' and ')}.`, downloads: null, error: null, jobId: null });
        else if (r.kind === 'download') setState({ encodeId: e.id, message: `Encode ${e.id} is ready to download.`, downloads: r.files, error: null, jobId: null });
        else {
          onJob(r.job);
          setPending({ jobId: r.job.id, folder: r.folder, files: r.files });
          const then = r.folder !== null ? `then saving both to ${r.folder}` : 'then both files are offered here';
          setState({ encodeId: e.id, message: `Decoding encode ${e.id} first (it has no mp4 yet), ${then}.`, downloads: null, error: null, jobId: r.job.id });
        }
      },
      (err: unknown) => setState({ encodeId: e.id, message: null, downloads: null, error: toShownError(err), jobId: null }),
    );
  };
  return { state, start, dismiss: () => setState(null) };
}

/** The web studio's two downloads, each by its file name and where the project keeps it. */
export function ExportDownloads(props: { encodeId: number; files: readonly ExportFile[]; onDismiss: () => void }): ReactNode {
  const { client } = useStudio();
  return (
    <Paper variant="outlined" sx={{ p: 1.5, my: 1 }} component="section" aria-label={`Downloads of encode ${props.encodeId}`}>
      <Stack spacing={1}>
        {props.files.map((f) => (
          <Box key={f.format}>
            {/* The file name in its own case (buttons are upper case otherwise). */}
            <Button size="small" variant="outlined" component="a" href={client.mediaUrl(f.ref)} download={f.fileName} aria-label={`Download ${f.fileName}`} sx={{ textTransform: 'none' }}>
              Download {f.fileName}
            </Button>
            <Typography variant="body2" color="text.secondary" sx={{ mt: 0.5 }}>
              {f.format === 'm3c' ? 'The bitstream' : 'The decoded video'}: the project keeps it {f.place}.
            </Typography>
          </Box>
        ))}
        <Box>
          <Button size="small" onClick={props.onDismiss}>
            Done
          </Button>
        </Box>
      </Stack>
    </Paper>
  );
}
