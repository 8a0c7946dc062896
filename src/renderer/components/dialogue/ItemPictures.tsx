/** The picture(s) an item's description is about: the keyframe, or the clip's frames the model is shown. */
import type { ReactNode } from 'react';
import Box from '@mui/material/Box';
import Typography from '@mui/material/Typography';
import { mediaRefs, type Fit, type ItemKind } from '../../../shared/api/contract.ts';
import { DEFAULT_CLIP_SAMPLE_FRAMES, sampleClipFrames } from '../../../shared/dialogue/index.ts';
import { useStudio } from '../../context.tsx';

export interface ItemPicturesProps {
  readonly sourceId: number;
  /** The source's fit, named in the refs so a cached picture of another fit is never shown. */
  readonly fit: Fit;
  readonly kind: ItemKind;
  /** The keyframe's frame (the clip's first). */
  readonly frame: number;
  /** The clip's last frame. */
  readonly lastFrame: number;
  readonly label: string;
}

/** Frame numbers of a clip shown to the model: the same sampling main's dialogue uses (the studio's default count). */
export function clipFramesShown(frame: number, lastFrame: number): number[] {
  return sampleClipFrames(lastFrame - frame + 1, DEFAULT_CLIP_SAMPLE_FRAMES).map((k) => frame + k);
}

export function ItemPictures(props: ItemPicturesProps): ReactNode {
  const { client } = useStudio();
  const { sourceId, fit, kind, frame, lastFrame, label } = props;
  const frames = kind === 'keyframe' ? [frame] : clipFramesShown(frame, lastFrame);
  return (
    <Box component="figure" aria-label={`Pictures of ${label}`} sx={{ m: 0, minWidth: 0 }}>
      <Box sx={{ display: 'grid', gridTemplateColumns: frames.length > 1 ? 'repeat(2, minmax(0, 1fr))' : '1fr', gap: 0.5 }}>
        {frames.map((f) => (
          <Box
            key={f}
            component="img"
            src={client.mediaUrl(mediaRefs.preview(sourceId, f, fit))}
            alt={kind === 'keyframe' ? `Keyframe picture, frame ${f}` : `Clip frame ${f}, shown to the model`}
            loading="lazy"
            sx={{ width: '100%', bgcolor: 'action.hover', borderRadius: 0.5, display: 'block' }}
          />
        ))}
      </Box>
      <Typography component="figcaption" variant="caption" color="text.secondary">
        {kind === 'keyframe' ? `The keyframe the text describes (frame ${frame})` : `The ${frames.length} frames of the clip the model is shown: ${frames.join(', ')}`}
      </Typography>
    </Box>
  );
}
