/**
 * How one video is fitted into the project's working size (crop, pad or stretch), with a preview of a frame as it
 * will be coded and, when the video's shape differs from the working size's, what each choice costs.
 */
import { useState, type ReactNode } from 'react';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import ToggleButton from '@mui/material/ToggleButton';
import ToggleButtonGroup from '@mui/material/ToggleButtonGroup';
import Typography from '@mui/material/Typography';
import { FITS, mediaRefs, type Fit, type Geometry, type JobInfo, type SourceInfo } from '../../shared/api/contract.ts';
import { useStudio } from '../context.tsx';
import { ErrorNotice, toShownError, type ShownError } from './common.tsx';

/** Shapes closer than this (relative) count as the same: nothing worth a word is cropped, padded or stretched. */
export const ASPECT_TOLERANCE = 0.02;

const LABELS: Record<Fit, string> = { crop: 'Crop', pad: 'Pad', stretch: 'Stretch' };
const DONE: Record<Fit, string> = { crop: 'cropped', pad: 'padded', stretch: 'stretched' };

/** "2.39:1", "1.6:1". */
export function formatAspect(aspect: number): string {
  return `${Number(aspect.toFixed(2))}:1`;
}

const percent = (x: number): string => `${Math.round(x * 100)}%`;

/**
 * What fitting a picture of `source` aspect (width / height) into `working` costs with `fit`, in words; null when
 * the shapes agree within ASPECT_TOLERANCE (or the source's shape is unknown).
 */
export function fitWarning(source: number, working: number, fit: Fit): string | null {
  if (!(source > 0 && working > 0) || Math.abs(source / working - 1) <= ASPECT_TOLERANCE) return null;
  const wider = source > working;
  // The share of the other axis that survives (crop), is picture (pad), or the factor shapes are scaled by (stretch).
  const ratio = wider ? working / source : source / working;
  const head = `This video is ${formatAspect(source)}, the working size is ${formatAspect(working)}`;
  switch (fit) {
    case 'crop':
      return `${head}: cropping drops ${percent(1 - ratio)} of the ${wider ? 'width' : 'height'}.`;
    case 'pad':
      return `${head}: padding adds black bars ${wider ? 'above and below' : 'left and right'} (${percent(1 - ratio)} of the ${wider ? 'height' : 'width'}).`;
    case 'stretch':
      return wider
        ? `${head}: stretching makes everything ${percent(1 - ratio)} narrower than it is.`
        : `${head}: stretching makes everything ${percent(1 / ratio - 1)} wider than it is.`;
  }
}

/** A frame a third into the video (the first is often black), within the frames at the working rate. */
function previewFrame(source: SourceInfo, geometry: Geometry): number {
  const frames = source.analysis?.frameCount ?? Math.round((source.durationSec * geometry.fpsNum) / geometry.fpsDen);
  return Math.max(0, Math.floor(frames / 3));
}

export interface SourceFitProps {
  readonly source: SourceInfo;
  readonly geometry: Geometry;
  /** After a change: the source as stored, and the analysis queued for the new fit (null when one existed). */
  readonly onChanged: (source: SourceInfo, job: JobInfo | null) => void;
}

export function SourceFit(props: SourceFitProps): ReactNode {
  const { client } = useStudio();
  const { source, geometry } = props;
  const [pending, setPending] = useState<Fit | null>(null);
  const [error, setError] = useState<ShownError | null>(null);
  const [previewFailed, setPreviewFailed] = useState(false);
  const fit = pending ?? source.fit;
  const warning = fitWarning(source.displayAspect, geometry.width / geometry.height, fit);
  const frame = previewFrame(source, geometry);

  const choose = (next: Fit | null): void => {
    if (!next || next === source.fit || pending) return;
    setPending(next);
    setError(null);
    setPreviewFailed(false);
    client.setSourceFit({ sourceId: source.id, fit: next }).then(
      (r) => {
        setPending(null);
        props.onChanged(r.source, r.job);
      },
      (e: unknown) => {
        setPending(null);
        setError(toShownError(e));
      },
    );
  };

  return (
    <Box component="section" aria-label={`Fit of ${source.name}`} sx={{ pl: 2, pb: 1, width: '100%' }}>
      <Box sx={{ display: 'flex', gap: 1, alignItems: 'center', flexWrap: 'wrap' }}>
        <Typography variant="body2" color="text.secondary" id={`fit-label-${source.id}`}>
          Fit to the working size
        </Typography>
        <ToggleButtonGroup exclusive size="small" value={fit} onChange={(_e, v: Fit | null) => choose(v)} aria-labelledby={`fit-label-${source.id}`} disabled={pending !== null}>
          {FITS.map((f) => (
            <ToggleButton key={f} value={f} aria-label={`${LABELS[f]} ${source.name}`}>
              {LABELS[f]}
            </ToggleButton>
          ))}
        </ToggleButtonGroup>
      </Box>
      {warning ? (
        <Alert severity="warning" role="status" sx={{ my: 1 }}>
          {warning}
        </Alert>
      ) : null}
      <ErrorNotice title="The fit was not changed" error={error} onDismiss={() => setError(null)} />
      {warning ? (
        previewFailed ? (
          <Typography variant="body2" color="text.secondary">
            The preview could not be made just now.
          </Typography>
        ) : (
          <Box
            component="img"
            key={`${fit}-${frame}`}
            src={client.mediaUrl(mediaRefs.preview(source.id, frame, fit))}
            alt={`Frame ${frame} of ${source.name} as it will be coded (${DONE[fit]})`}
            onError={() => setPreviewFailed(true)}
            sx={{ display: 'block', width: 256, maxWidth: '100%', aspectRatio: `${geometry.width} / ${geometry.height}`, background: 'black', borderRadius: 1 }}
          />
        )
      ) : null}
    </Box>
  );
}
