/** Per-clip modes of an encode: each clip of the saved selection keeps the project's mode or takes its own. */
import { useState, type ReactNode } from 'react';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import MenuItem from '@mui/material/MenuItem';
import Select from '@mui/material/Select';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { RECONSTRUCTION_MODES, type ReconstructionMode } from '../../../shared/api/contract.ts';

const NAMES: Record<ReconstructionMode, string> = { guided: 'guided', interpolation: 'interpolation', prediction: 'prediction' };
const PROJECT = 'project';

export function ClipModes(props: {
  keyframes: readonly number[];
  frameCount: number;
  projectMode: ReconstructionMode;
  value: readonly (ReconstructionMode | null)[];
  onChange: (modes: (ReconstructionMode | null)[]) => void;
}): ReactNode {
  const { keyframes, value } = props;
  const [open, setOpen] = useState(false);
  const own = value.filter((m, i) => m !== null && i < keyframes.length).length;
  const set = (i: number, m: ReconstructionMode | null): void => {
    const next = Array.from({ length: keyframes.length }, (_v, j) => value[j] ?? null);
    next[i] = m;
    // Trailing clips on the project's mode need no entry.
    while (next.length > 0 && next[next.length - 1] === null) next.pop();
    props.onChange(next);
  };
  return (
    <Box component="section" aria-label="Per-clip modes">
      <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
        <Button size="small" onClick={() => setOpen((o) => !o)} aria-expanded={open} aria-label="Per-clip modes">
          {open ? 'Hide' : 'Set'} modes per clip
        </Button>
        <Typography variant="body2" color="text.secondary">
          {own === 0 ? `every clip in the project's mode (${NAMES[props.projectMode]})` : `${own} of ${keyframes.length} clip${keyframes.length === 1 ? '' : 's'} with their own mode`}
        </Typography>
      </Stack>
      {open ? (
        <Stack spacing={0.5} role="list" aria-label="Clips" sx={{ mt: 1, maxHeight: 280, overflowY: 'auto' }}>
          {keyframes.map((first, i) => {
            const end = (keyframes[i + 1] ?? props.frameCount) - 1;
            return (
              <Stack key={first} direction="row" spacing={2} sx={{ alignItems: 'center' }} role="listitem">
                <Typography variant="body2" sx={{ minWidth: 170 }}>
                  Clip {i + 1} · frames {first}–{Math.max(first, end)}
                </Typography>
                <Select
                  size="small"
                  value={value[i] ?? PROJECT}
                  onChange={(e) => set(i, e.target.value === PROJECT ? null : (e.target.value as ReconstructionMode))}
                  inputProps={{ 'aria-label': `Mode of clip ${i + 1}` }}
                  sx={{ minWidth: 200 }}
                >
                  <MenuItem value={PROJECT}>project mode ({NAMES[props.projectMode]})</MenuItem>
                  {RECONSTRUCTION_MODES.map((m) => (
                    <MenuItem key={m} value={m}>
                      {NAMES[m]}
                    </MenuItem>
                  ))}
                </Select>
              </Stack>
            );
          })}
        </Stack>
      ) : null}
    </Box>
  );
}
