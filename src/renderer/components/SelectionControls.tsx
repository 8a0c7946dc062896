import { memo, useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Slider from '@mui/material/Slider';
import TextField from '@mui/material/TextField';
import ToggleButton from '@mui/material/ToggleButton';
import ToggleButtonGroup from '@mui/material/ToggleButtonGroup';
import Typography from '@mui/material/Typography';
import { DEFAULT_SELECTION, type SelectionParams, type SelectionStrategy } from '../../shared/keyframes/index.ts';
import { buildLadder, nearestRung, parseTypedValue, type LadderSegment } from '../timeline/ladder.ts';

interface SliderSpec {
  readonly key: 'lambda1' | 'lambda2' | 'threshold' | 'fixedInterval' | 'minClip' | 'maxClip';
  readonly label: string;
  readonly min: number;
  readonly max: number;
  readonly step: number;
  readonly digits: number;
  readonly hint: string;
  /** Rungs of the slider when its values crowd one end (see timeline/ladder.ts); a linear track otherwise. */
  readonly ladder?: readonly LadderSegment[];
}

/** Labels are the accessible names the end-to-end test and docs/studio-ui.md rely on: keep them stable. */
export const SLIDERS: readonly SliderSpec[] = [
  {
    key: 'lambda1',
    label: 'Lambda 1 (semantic weight)',
    min: 0,
    max: 20,
    step: 0.1,
    digits: 1,
    hint: 'λ1: weight of the semantic distance',
    ladder: [
      { to: 10, step: 0.1 },
      { to: 20, step: 0.5 },
    ],
  },
  {
    key: 'lambda2',
    label: 'Lambda 2 (motion weight)',
    min: 0,
    max: 10,
    step: 0.02,
    digits: 2,
    hint: 'λ2: weight of the motion magnitude',
    ladder: [
      { to: 2, step: 0.02 },
      { to: 10, step: 0.1 },
    ],
  },
  {
    key: 'threshold',
    label: 'Threshold D_th',
    min: 0,
    max: 5,
    step: 0.01,
    digits: 2,
    hint: 'D_th: a frame becomes a keyframe when D > 0',
    ladder: [
      { to: 1, step: 0.01 },
      { to: 5, step: 0.05 },
    ],
  },
  { key: 'fixedInterval', label: 'Fixed interval (frames)', min: 1, max: 128, step: 1, digits: 0, hint: 'period of the fixed strategy' },
  { key: 'minClip', label: 'Minimum clip length (frames)', min: 1, max: 64, step: 1, digits: 0, hint: 'shortest clip automatic decisions aim for' },
  { key: 'maxClip', label: 'Maximum clip length (frames)', min: 1, max: 512, step: 1, digits: 0, hint: 'a keyframe is forced after this many frames' },
];

const STRATEGIES: readonly { value: SelectionStrategy; label: string }[] = [
  { value: 'motion-semantic', label: 'Motion + semantic' },
  { value: 'semantic', label: 'Semantic only' },
  { value: 'fixed', label: 'Fixed interval' },
];

function valueOf(params: SelectionParams, key: SliderSpec['key']): number {
  const v = params[key];
  if (v !== undefined) return v;
  return key === 'minClip' ? 1 : key === 'maxClip' ? 512 : 0;
}

/** Applies one slider while keeping min ≤ max clip, which selectKeyframes requires. */
export function withSlider(params: SelectionParams, key: SliderSpec['key'], value: number): SelectionParams {
  const next: SelectionParams = { ...params, [key]: value };
  if (key === 'minClip' && next.maxClip !== undefined && value > next.maxClip) return { ...next, maxClip: value };
  if (key === 'maxClip' && next.minClip !== undefined && value < next.minClip) return { ...next, minClip: value };
  return next;
}

export function SelectionControls(props: { params: SelectionParams; onChange: (p: SelectionParams) => void; disabled?: boolean }): ReactNode {
  const { params, onChange, disabled } = props;
  const fixed = params.strategy === 'fixed';
  // Sliders that did not move keep identical props and skip rendering: only the moved one re-renders.
  const latest = useRef({ params, onChange });
  latest.current = { params, onChange };
  const onValue = useCallback((key: SliderSpec['key'], v: number) => latest.current.onChange(withSlider(latest.current.params, key, v)), []);
  return (
    <Box component="section" aria-label="Keyframe selection controls" sx={{ display: 'flex', flexDirection: 'column', gap: 1 }}>
      <ToggleButtonGroup
        exclusive
        size="small"
        value={params.strategy}
        aria-label="Keyframe strategy"
        disabled={disabled}
        onChange={(_e, value: SelectionStrategy | null) => {
          if (value) onChange({ ...params, strategy: value });
        }}
      >
        {STRATEGIES.map((s) => (
          <ToggleButton key={s.value} value={s.value} aria-label={`Strategy: ${s.label}`}>
            {s.label}
          </ToggleButton>
        ))}
      </ToggleButtonGroup>
      {SLIDERS.map((spec) => {
        const inactive =
          (spec.key === 'fixedInterval' && !fixed) ||
          (fixed && (spec.key === 'lambda1' || spec.key === 'lambda2' || spec.key === 'threshold' || spec.key === 'minClip' || spec.key === 'maxClip')) ||
          (spec.key === 'lambda2' && params.strategy === 'semantic');
        return <SliderRow key={spec.key} spec={spec} value={valueOf(params, spec.key)} inactive={inactive} disabled={disabled === true} onValue={onValue} />;
      })}
      <Box>
        <Button size="small" disabled={disabled} onClick={() => onChange({ ...DEFAULT_SELECTION, overrides: params.overrides })}>
          Reset parameters to defaults
        </Button>
      </Box>
    </Box>
  );
}

const LADDERS = new Map(SLIDERS.filter((s) => s.ladder).map((s) => [s.key, buildLadder(s.min, s.ladder!, s.digits)]));

const SliderRow = memo(function SliderRow(props: {
  spec: SliderSpec;
  value: number;
  inactive: boolean;
  disabled: boolean;
  onValue: (key: SliderSpec['key'], value: number) => void;
}): ReactNode {
  const { spec, value, inactive, onValue } = props;
  const rungs = LADDERS.get(spec.key);
  const position = rungs ? nearestRung(rungs, value) : value;
  return (
    <Box sx={{ opacity: inactive ? 0.6 : 1 }}>
      <Box sx={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center', gap: 1 }}>
        <Typography variant="body2" component="span" title={spec.hint}>
          {spec.label}
          {inactive ? ' (unused by this strategy)' : ''}
        </Typography>
        <NumberField spec={spec} value={value} disabled={props.disabled} onValue={onValue} />
      </Box>
      <Slider
        size="small"
        aria-label={spec.label}
        min={rungs ? 0 : spec.min}
        max={rungs ? rungs.length - 1 : spec.max}
        step={rungs ? 1 : spec.step}
        // MUI's shiftStep is an absolute amount (default 10): PageUp on a linear track moves ten steps.
        shiftStep={rungs ? 10 : spec.step * 10}
        value={position}
        // On a ladder the slider's own value is the rung; what it shows and announces is the parameter.
        scale={rungs ? (i) => (i === position ? value : rungs[i]) : undefined}
        getAriaValueText={(v) => v.toFixed(spec.digits)}
        disabled={props.disabled}
        // Keyboard steps add in floating point (0.4 + 0.01 = 0.41000000000000003); keep the step's precision.
        onChange={(_e, v) => onValue(spec.key, rungs ? rungs[v as number] : Number((v as number).toFixed(spec.digits)))}
      />
    </Box>
  );
});

/** Typed entry of a parameter: applied as soon as it parses within range; the field shows an error otherwise. */
function NumberField(props: { spec: SliderSpec; value: number; disabled: boolean; onValue: (key: SliderSpec['key'], value: number) => void }): ReactNode {
  const { spec, value, onValue } = props;
  const [text, setText] = useState(value.toFixed(spec.digits));
  const focused = useRef(false);
  // Follow the slider while the field is not being typed in.
  useEffect(() => {
    if (!focused.current) setText(value.toFixed(spec.digits));
  }, [value, spec.digits]);
  const valid = parseTypedValue(text, spec.min, spec.max, spec.digits) !== null;
  return (
    <TextField
      size="small"
      variant="standard"
      value={text}
      disabled={props.disabled}
      error={!valid}
      onFocus={() => {
        focused.current = true;
      }}
      onBlur={() => {
        focused.current = false;
        setText(value.toFixed(spec.digits));
      }}
      onChange={(e) => {
        setText(e.target.value);
        const v = parseTypedValue(e.target.value, spec.min, spec.max, spec.digits);
        if (v !== null && v !== value) onValue(spec.key, v);
      }}
      slotProps={{
        htmlInput: {
          'aria-label': `${spec.label} value`,
          'aria-invalid': !valid,
          inputMode: 'decimal',
          title: `${spec.min} to ${spec.max}`,
          style: { width: '5.5em', textAlign: 'right', fontVariantNumeric: 'tabular-nums' },
        },
      }}
    />
  );
}
