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

/** Codes a user fixes in Settings (the LMM endpoint, ffmpeg and the model pack are shown there). */
const SETTINGS_CODES = new Set(['lmm', 'model', 'ffmpeg']);
/**
 * Codes a second try can fix: the LMM server back up or less busy, ffmpeg or the store past a passing failure, the
 * studio no longer busy. A usage or input error, a corrupt file, a missing model or a cancel fails the same again.
 */
const RETRY_CODES = new Set(['lmm', 'ffmpeg', 'store', 'internal']);

export function canRetry(error: ShownError): boolean {
  return RETRY_CODES.has(error.code);
}

export function ErrorNotice(props: { error: ShownError | null; title: string; onRetry?: () => void; onDismiss?: () => void }): ReactNode {
  const { navigate } = useStudio();
  const { error, title, onRetry, onDismiss } = props;
  if (!error) return null;
  const retry = onRetry && canRetry(error) ? (
    <Button color="inherit" size="small" onClick={onRetry} aria-label={`Retry: ${title}`}>
      Retry
    </Button>
  ) : null;
  const settings = SETTINGS_CODES.has(error.code) ? (
    <Button color="inherit" size="small" onClick={() => navigate('settings')} aria-label="Open settings to fix this">
      Open settings
    </Button>
  ) : null;
  const action = retry || settings ? (
    <>
      {retry}
      {settings}
    </>
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
