/** Errors shown where they happened, with the action that fixes them; empty states that say what to do next. */
import type { ReactNode } from 'react';
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Typography from '@mui/material/Typography';
import { useStudio } from '../context.tsx';

export interface ShownError {
  readonly code: string;
  readonly message: string;
}

export function toShownError(e: unknown): ShownError {
  if (typeof e === 'object' && e !== null && typeof (e as { message?: unknown }).message === 'string') {
    const code = (e as { code?: unknown }).code;
    return { code: typeof code === 'string' ? code : 'internal', message: (e as { message: string }).message };
  }
  return { code: 'internal', message: String(e) };
}

/** Codes a user fixes in Settings rather than by trying again. */
const SETTINGS_CODES = new Set(['lmm', 'model', 'ffmpeg']);

export function ErrorNotice(props: { error: ShownError | null; title: string; onRetry?: () => void; onDismiss?: () => void }): ReactNode {
  const { navigate } = useStudio();
  const { error, title, onRetry, onDismiss } = props;
  if (!error) return null;
  const action = SETTINGS_CODES.has(error.code) ? (
    <Button color="inherit" size="small" onClick={() => navigate('settings')} aria-label="Open settings to fix this">
      Open settings
    </Button>
  ) : onRetry ? (
    <Button color="inherit" size="small" onClick={onRetry} aria-label={`Retry: ${title}`}>
      Retry
    </Button>
  ) : undefined;
  return (
    <Alert severity="error" action={action} onClose={onDismiss} role="alert" sx={{ my: 1 }}>
      <AlertTitle>{title}</AlertTitle>
      {error.message}
    </Alert>
  );
}

export function EmptyState(props: { title: string; children: ReactNode; action?: ReactNode }): ReactNode {
  return (
    <Box sx={{ p: 4, textAlign: 'center', border: 1, borderColor: 'divider', borderStyle: 'dashed', borderRadius: 1 }}>
      <Typography variant="h6" component="p" gutterBottom>
        {props.title}
      </Typography>
      <Typography color="text.secondary" component="div">
        {props.children}
      </Typography>
      {props.action ? <Box sx={{ mt: 2 }}>{props.action}</Box> : null}
    </Box>
  );
}
