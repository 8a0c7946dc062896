/** The dialogues run for one item: every round's prompt and answer, and why a dialogue failed. */
import type { ReactNode } from 'react';
import Box from '@mui/material/Box';
import LinearProgress from '@mui/material/LinearProgress';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import type { DialogueTranscript } from '../../../shared/api/contract.ts';
import { formatTime } from '../../format.ts';
import { ErrorNotice, type ShownError } from '../common.tsx';

export function Transcript(props: { transcripts: readonly DialogueTranscript[] | null; error: ShownError | null; onRetry: () => void }): ReactNode {
  const { transcripts, error, onRetry } = props;
  return (
    <>
      <Typography variant="subtitle1" component="h3" sx={{ mt: 3 }}>
        Dialogue transcript
      </Typography>
      {error ? <ErrorNotice title="The transcript could not be loaded" error={error} onRetry={onRetry} /> : null}
      {transcripts === null && !error ? <LinearProgress aria-label="Loading transcript" /> : null}
      {transcripts && transcripts.length === 0 ? <Typography color="text.secondary">No dialogue has been run for this item yet.</Typography> : null}
      <Stack spacing={2} aria-label="Dialogue transcript" role="list">
        {transcripts?.map((tr) => (
          <Paper key={tr.id} variant="outlined" sx={{ p: 1.5 }} role="listitem">
            <Typography variant="body2" color="text.secondary">
              {tr.model} · {formatTime(tr.startedAt)} · {tr.status}
            </Typography>
            {tr.rounds.map((r) => (
              <Box key={r.round} sx={{ mt: 1 }} aria-label={`Round ${r.round}`} role="group">
                <Typography variant="caption" color="text.secondary">
                  Round {r.round} · {r.template} · {r.model} · {r.ms} ms{r.cached ? ' (cached)' : ''}
                </Typography>
                <Typography variant="body2" sx={{ whiteSpace: 'pre-wrap', fontWeight: 600 }}>
                  {r.prompt}
                </Typography>
                <Typography variant="body2" sx={{ whiteSpace: 'pre-wrap' }}>
                  {r.answer}
                </Typography>
                {r.error ? (
                  <Typography variant="body2" color="error" aria-label={`Round ${r.round} failed`}>
                    {r.template === 'keyframe-regions' ? 'Regions not used: ' : 'Failed: '}
                    {r.error}
                  </Typography>
                ) : null}
              </Box>
            ))}
            {tr.status === 'failed' && tr.error ? (
              <Typography variant="body2" color="error" sx={{ mt: 1 }}>
                Failed: {tr.error}
              </Typography>
            ) : null}
            {tr.description !== null ? (
              <Typography variant="body2" sx={{ mt: 1 }}>
                Final description: {tr.description}
              </Typography>
            ) : null}
          </Paper>
        ))}
      </Stack>
    </>
  );
}
