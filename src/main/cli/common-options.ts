import { FITS, type WorkingGeometry } from '../media/geometry.ts';
import { RECONSTRUCTION_MODES, type ReconstructionMode } from '../../shared/engine/interfaces.ts';
import { M3cError } from '../../shared/engine/errors.ts';
import { DEFAULT_DECODE_LIMITS, limitsProblem } from '../../shared/bitstream/index.ts';
import { DEFAULT_SELECTION, type SelectionParams } from '../../shared/keyframes/index.ts';
import { DEFAULT_DENOISER_STEPS, MAX_DENOISER_STEPS } from '../codecs/learned/index.ts';
import { DEFAULT_GEOMETRY, KEYFRAME_CODEC_CHOICES, LEARNED_DEFAULT_BUDGET, type EngineOptions } from '../pipeline/engine.ts';
import { CLASSICAL_DEFAULT_BUDGET } from '../codecs/index.ts';
import { choiceArg, fpsArg, numberArg } from './args.ts';

export const GEOMETRY_OPTIONS = {
  width: { type: 'string' },
  height: { type: 'string' },
  fps: { type: 'string' },
  fit: { type: 'string' },
} as const;

export const SELECTION_OPTIONS = {
  lambda1: { type: 'string' },
  lambda2: { type: 'string' },
  threshold: { type: 'string' },
  strategy: { type: 'string' },
  interval: { type: 'string' },
  'min-clip': { type: 'string' },
  'max-clip': { type: 'string' },
} as const;

export const GEOMETRY_HELP = `  --width W --height H   working geometry, even numbers (default ${DEFAULT_GEOMETRY.width}x${DEFAULT_GEOMETRY.height})
  --fit F                a source of another aspect ratio: crop (default; scale to cover, cut the centre out),
                         pad (scale to fit inside, black bars) or stretch (scale each axis on its own)
  --fps F                working frame rate, e.g. 8, 12.5, 30000/1001 (default ${DEFAULT_GEOMETRY.fpsNum})`;

export const SELECTION_HELP = `  --strategy S           motion-semantic (default), semantic (lambda2 = 0) or fixed
  --lambda1 X            weight of the semantic distance 1 - cos (default ${DEFAULT_SELECTION.lambda1})
  --lambda2 Y            weight of the motion magnitude, fraction of the frame diagonal (default ${DEFAULT_SELECTION.lambda2})
  --threshold T          decision threshold D_th (default ${DEFAULT_SELECTION.threshold})
  --interval N           keyframe every N frames with --strategy fixed (default ${DEFAULT_SELECTION.fixedInterval})
  --min-clip N --max-clip N   clip length limits in frames (default ${DEFAULT_SELECTION.minClip}, ${DEFAULT_SELECTION.maxClip}; 0 = none)`;

export const MODELS_OPTIONS = {
  models: { type: 'string' },
} as const;

export const DENOISER_OPTIONS = {
  'denoiser-steps': { type: 'string' },
  realism: { type: 'string' },
} as const;

export const KEYFRAME_CODEC_OPTIONS = {
  'keyframe-codec': { type: 'string' },
} as const;

export const MODELS_HELP = `  --models DIR           model pack folder holding manifest.json (default: resources/models)`;

export const DENOISER_HELP = `  --denoiser-steps N     learned keyframe codec: Euler steps of the latent denoiser when decoding, 0..${MAX_DENOISER_STEPS}
                         (default ${DEFAULT_DENOISER_STEPS}; 0 = no diffusion). The .m3c does not record N: another N gives other frames
  --realism R            guided files restored by the pack's guide-restore model: 0 (fidelity, default) .. 1
                         (realism; blends the two restoration models). Not recorded in the .m3c either`;

export const KEYFRAME_CODEC_HELP = `  --keyframe-codec C     learned, classical or auto (default: learned when the model pack has its models,
                         else classical AV1); default budgets: learned ${LEARNED_DEFAULT_BUDGET} B (picks the coarse token grid), classical ${CLASSICAL_DEFAULT_BUDGET} B;
                         interpolation and prediction clips only: guided files code their keyframe layers with classical AV1`;

type Values = Record<string, string | boolean | undefined>;

/** --width, --height, --fps and --fit; the fit is named only when --fit is given (none means 'crop'). */
export function geometryFrom(v: Values): WorkingGeometry {
  const width = numberArg(v.width as string | undefined, 'width', { min: 16, max: 8192, integer: true }) ?? DEFAULT_GEOMETRY.width;
  const height = numberArg(v.height as string | undefined, 'height', { min: 16, max: 8192, integer: true }) ?? DEFAULT_GEOMETRY.height;
  if (width % 2 || height % 2) throw new M3cError('usage', `--width and --height must be even (H.264 4:2:0), got ${width}x${height}`);
  const tooLarge = limitsProblem({ width, height, fpsNum: 1, fpsDen: 1, frameCount: 1 }, DEFAULT_DECODE_LIMITS);
  if (tooLarge) throw new M3cError('usage', `--width/--height: ${tooLarge} by default (docs/bitstream.md, resource limits)`);
  const fps = fpsArg(v.fps as string | undefined) ?? { fpsNum: DEFAULT_GEOMETRY.fpsNum, fpsDen: DEFAULT_GEOMETRY.fpsDen };
  const fit = choiceArg(v.fit as string | undefined, 'fit', FITS);
  return { width, height, ...fps, ...(fit ? { fit } : {}) };
}

export function selectionFrom(v: Values): SelectionParams {
  const strategy = choiceArg(v.strategy as string | undefined, 'strategy', ['motion-semantic', 'semantic', 'fixed'] as const) ?? DEFAULT_SELECTION.strategy;
  const n = (name: string, integer = false, min = 0): number | undefined => numberArg(v[name] as string | undefined, name, { min, integer });
  return {
    ...DEFAULT_SELECTION,
    strategy,
    lambda1: n('lambda1') ?? DEFAULT_SELECTION.lambda1,
    lambda2: strategy === 'semantic' ? 0 : (n('lambda2') ?? DEFAULT_SELECTION.lambda2),
    threshold: n('threshold') ?? DEFAULT_SELECTION.threshold,
    fixedInterval: n('interval', true, 1) ?? DEFAULT_SELECTION.fixedInterval,
    minClip: limit(n('min-clip', true), DEFAULT_SELECTION.minClip),
    maxClip: limit(n('max-clip', true), DEFAULT_SELECTION.maxClip),
  };
}

/** 0 on the command line means "no limit". */
function limit(value: number | undefined, fallback: number | undefined): number | undefined {
  if (value === undefined) return fallback;
  return value === 0 ? undefined : value;
}

/** --models, --keyframe-codec and --denoiser-steps as createEngine options (absent flags stay absent). */
export function engineOptionsFrom(v: Values): EngineOptions {
  return {
    modelsDir: v.models as string | undefined,
    keyframeCodec: choiceArg(v['keyframe-codec'] as string | undefined, 'keyframe-codec', KEYFRAME_CODEC_CHOICES),
    denoiserSteps: numberArg(v['denoiser-steps'] as string | undefined, 'denoiser-steps', { min: 0, max: MAX_DENOISER_STEPS, integer: true }),
    realism: numberArg(v.realism as string | undefined, 'realism', { min: 0, max: 1 }),
  };
}

/** --mode: guided (the default, issue 10), interpolation or prediction. */
export function modeFrom(v: Values): ReconstructionMode {
  return choiceArg(v.mode as string | undefined, 'mode', RECONSTRUCTION_MODES) ?? 'guided';
}

/** --clip-modes: one mode per clip, comma-separated, an empty entry keeping --mode (e.g. "guided,,prediction"). */
export function clipModesFrom(v: Values): (ReconstructionMode | undefined)[] | undefined {
  const raw = v['clip-modes'] as string | undefined;
  if (raw === undefined) return undefined;
  return raw.split(',').map((m, i) => {
    const t = m.trim();
    if (t === '') return undefined;
    if (!(RECONSTRUCTION_MODES as readonly string[]).includes(t)) throw new M3cError('usage', `--clip-modes entry ${i + 1} is "${t}": each must be one of ${RECONSTRUCTION_MODES.join(', ')} or empty`);
    return t as ReconstructionMode;
  });
}

export function requireOne(positionals: string[], what: string, command: string): string {
  if (positionals.length !== 1) throw new M3cError('usage', `${command} takes one ${what} (see "m3c ${command} --help")`);
  return positionals[0];
}

export function requireOutput(v: Values, command: string, ext: string): string {
  const out = v.output as string | undefined;
  if (!out) throw new M3cError('usage', `${command} needs -o OUT${ext} (see "m3c ${command} --help")`);
  return out;
}
