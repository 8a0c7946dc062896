/** The Encode panel: reconstruction mode, the guided rate, per-clip modes, the keyframe codec, and the button. */
import { useEffect, useState, type ReactNode } from 'react';
import Checkbox from '@mui/material/Checkbox';
import FormControlLabel from '@mui/material/FormControlLabel';
import Button from '@mui/material/Button';
import FormControl from '@mui/material/FormControl';
import InputLabel from '@mui/material/InputLabel';
import MenuItem from '@mui/material/MenuItem';
import Paper from '@mui/material/Paper';
import Select from '@mui/material/Select';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import { GUIDED_TARGET_KBPS, type KeyframeCodecKind, type KeyframeCodecsInfo, type ReconstructionMode, type SourceInfo } from '../../../shared/api/contract.ts';
import { useStudio } from '../../context.tsx';
import { ErrorNotice, toShownError, type ShownError } from '../common.tsx';
import { ClipModes } from './ClipModes.tsx';
import { useRegions } from '../../hooks/useRegions.ts';

export type EncodeMode = ReconstructionMode;

export const MODE_NAMES: Record<ReconstructionMode, string> = { guided: 'Guided', interpolation: 'Interpolation', prediction: 'Prediction' };

/** What the Encode panel sends besides the source; absent fields take the service's defaults. */
export interface EncodeChoice {
  readonly mode?: ReconstructionMode;
  readonly targetKbps?: number;
  readonly clipModes?: (ReconstructionMode | null)[];
  readonly keyframeCodec?: KeyframeCodecKind;
  readonly denoiserSteps?: number;
  /** false: a guided encode ignores the source's regions of interest (to compare with and without them). */
  readonly useRegions?: boolean;
}

export type EncodeCodecChoice = Pick<EncodeChoice, 'keyframeCodec' | 'denoiserSteps'>;

/** The keyframe codec and, for the learned one, the denoiser steps; learned is disabled when the pack lacks it. */
function KeyframeCodecSelect(props: { info: KeyframeCodecsInfo | null; value: EncodeCodecChoice; disabled: boolean; onChange: (v: EncodeCodecChoice) => void }): ReactNode {
  const { info, value, disabled } = props;
  const codec = disabled ? 'classical' : (value.keyframeCodec ?? info?.default ?? 'classical');
  const steps = value.denoiserSteps ?? info?.defaultDenoiserSteps ?? 4;
  const stepChoices = Array.from({ length: (info?.maxDenoiserSteps ?? 8) + 1 }, (_v, i) => i);
  return (
    <>
      {/* A disabled menu item takes no pointer events, so the reason sits on the whole control. */}
      <Tooltip title={disabled ? '' : (info?.learnedUnavailable ?? '')}>
        <FormControl size="small" sx={{ minWidth: 180 }}>
          <InputLabel id="keyframe-codec-label">Keyframe codec</InputLabel>
          <Select
            labelId="keyframe-codec-label"
            label="Keyframe codec"
            value={codec}
            disabled={!info || disabled}
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

/** The rate typed, or why it cannot be sent. */
export function parseTargetKbps(text: string): { kbps: number } | { problem: string } {
  const kbps = Number(text.trim());
  const { min, max } = GUIDED_TARGET_KBPS;
  if (text.trim() === '' || !Number.isFinite(kbps) || kbps < min || kbps > max) return { problem: `a rate from ${min} to ${max} kbit/s` };
  return { kbps };
}

export function EncodePanel(props: {
  source: SourceInfo | null;
  /** Keyframes of the saved selection (the clips a per-clip mode names); null before an analysis. */
  keyframes: readonly number[] | null;
  frameCount: number;
  onEncode: (choice: EncodeChoice) => Promise<void>;
}): ReactNode {
  const { client } = useStudio();
  const { source } = props;
  const [mode, setMode] = useState<ReconstructionMode>('guided');
  const [rate, setRate] = useState(String(GUIDED_TARGET_KBPS.default));
  const [clipModes, setClipModes] = useState<(ReconstructionMode | null)[]>([]);
  const [codecs, setCodecs] = useState<KeyframeCodecsInfo | null>(null);
  const [codec, setCodec] = useState<EncodeCodecChoice>({});
  const [useRegions, setUseRegions] = useState(true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ShownError | null>(null);
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
  // Per-clip modes belong to one set of clips: a new selection starts again from the project's mode.
  const clipKey = props.keyframes ? props.keyframes.join(',') : '';
  useEffect(() => setClipModes([]), [clipKey, source?.id]);

  const overrides = clipModes.some((m) => m !== null) ? clipModes.slice(0, props.keyframes?.length ?? 0) : undefined;
  // A file is guided when its mode or one of its clips is: its keyframes are then classical, under the rate split.
  const guided = mode === 'guided' || !!overrides?.includes('guided');
  const parsedRate = parseTargetKbps(rate);
  const rateProblem = guided && 'problem' in parsedRate ? parsedRate.problem : null;

  const encode = (): void => {
    if (rateProblem) return;
    setBusy(true);
    setError(null);
    const choice: EncodeChoice = {
      mode,
      ...(guided && 'kbps' in parsedRate ? { targetKbps: parsedRate.kbps } : {}),
      ...(overrides ? { clipModes: overrides } : {}),
      ...(guided ? {} : codec),
      ...(guided && !useRegions ? { useRegions: false } : {}),
    };
    props.onEncode(choice).then(
      () => setBusy(false),
      (e: unknown) => {
        setBusy(false);
        setError(toShownError(e));
      },
    );
  };

  return (
    <Paper variant="outlined" sx={{ p: 2 }} component="section" aria-label="Encode">
      <Typography variant="h6" component="h2" gutterBottom>
        Encode
      </Typography>
      {source ? (
        <Stack spacing={1.5}>
          <Stack direction="row" spacing={2} sx={{ alignItems: 'center', flexWrap: 'wrap' }}>
            <Typography>{source.name}</Typography>
            <FormControl size="small" sx={{ minWidth: 170 }}>
              <InputLabel id="reconstruction-mode-label">Reconstruction mode</InputLabel>
              <Select labelId="reconstruction-mode-label" label="Reconstruction mode" value={mode} onChange={(e) => setMode(e.target.value as ReconstructionMode)}>
                <MenuItem value="guided">Guided (default)</MenuItem>
                <MenuItem value="interpolation">Interpolation</MenuItem>
                <MenuItem value="prediction">Prediction</MenuItem>
              </Select>
            </FormControl>
            {guided ? (
              <TextField
                size="small"
                type="number"
                label="Target rate (kbit/s)"
                value={rate}
                onChange={(e) => setRate(e.target.value)}
                error={rateProblem !== null}
                helperText={rateProblem ? `Enter ${rateProblem}` : undefined}
                slotProps={{ htmlInput: { min: GUIDED_TARGET_KBPS.min, max: GUIDED_TARGET_KBPS.max, step: 0.5, 'aria-label': 'Target rate (kbit/s)' } }}
                sx={{ width: 170 }}
              />
            ) : null}
            <KeyframeCodecSelect info={codecs} value={codec} disabled={guided} onChange={setCodec} />
            <Button variant="contained" onClick={encode} disabled={busy || !source.analysis || rateProblem !== null} aria-label="Encode this video">
              Encode with the saved selection
            </Button>
          </Stack>
          {guided ? (
            <Typography variant="body2" color="text.secondary" aria-label="Guided keyframes note">
              Guided: a low-resolution guide stream carries motion and colour; the encoder splits the target rate between it and the keyframes, which it codes
              with the classical codec, so the keyframe codec and budget do not apply.
            </Typography>
          ) : null}
          <RegionCount sourceId={source.id} guided={guided} use={useRegions} onUse={setUseRegions} />
          {!source.analysis ? <Typography color="text.secondary">The video needs its analysis first (see Timeline).</Typography> : null}
          {props.keyframes && props.keyframes.length > 0 ? (
            <ClipModes keyframes={props.keyframes} frameCount={props.frameCount} projectMode={mode} value={clipModes} onChange={setClipModes} />
          ) : null}
        </Stack>
      ) : (
        <Typography color="text.secondary">Open a project and a video to encode it.</Typography>
      )}
      <ErrorNotice title="Could not start the encode" error={error} onRetry={encode} />
    </Paper>
  );
}

/** How many of the source's regions of interest the encode will use: all of them in guided mode, none otherwise. */
function RegionCount(props: { sourceId: number; guided: boolean; use: boolean; onUse: (use: boolean) => void }): ReactNode {
  const { regions } = useRegions(props.sourceId);
  const n = regions.length;
  const tracks = new Set(regions.map((r) => r.track)).size;
  if (n === 0) return null;
  return (
    <Stack direction="row" spacing={1} sx={{ alignItems: 'center', flexWrap: 'wrap' }}>
      <Typography variant="body2" aria-label="Regions used by the encode">
        {!props.guided
          ? `Regions of interest: ${n} stored, not used (they steer guided encodes only).`
          : props.use
            ? `Regions of interest: ${n} region${n === 1 ? '' : 's'} (${tracks} box${tracks === 1 ? '' : 'es'}) will steer the encode.`
            : `Regions of interest: ${n} stored, not used by this encode.`}
      </Typography>
      {props.guided ? (
        <FormControlLabel
          control={<Checkbox size="small" checked={props.use} onChange={(e) => props.onUse(e.target.checked)} slotProps={{ input: { 'aria-label': 'Use the regions of interest' } }} />}
          label="Use them"
        />
      ) : null}
    </Stack>
  );
}
