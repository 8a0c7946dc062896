import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseRoiJson, type RoiSpec } from '../../../shared/roi/index.ts';
import { M3cError, throwIfAborted } from '../../../shared/engine/errors.ts';
import { assertWritableOutput } from '../../util/output-dir.ts';
import { assertRegularFile } from '../../util/input-file.ts';
import { parse, numberArg } from '../args.ts';
import type { CommandContext } from '../context.ts';
import {
  DENOISER_OPTIONS,
  engineOptionsFrom,
  GEOMETRY_HELP,
  GEOMETRY_OPTIONS,
  geometryFrom,
  KEYFRAME_CODEC_HELP,
  KEYFRAME_CODEC_OPTIONS,
  modeFrom,
  clipModesFrom,
  MODELS_HELP,
  MODELS_OPTIONS,
  requireOne,
  requireOutput,
  SELECTION_HELP,
  SELECTION_OPTIONS,
  selectionFrom,
} from '../common-options.ts';
import { createEngine } from '../../pipeline/engine.ts';
import { fitOf } from '../../media/geometry.ts';
import { encodeVideo, type EncodeResult } from '../../pipeline/encode.ts';
import { readDescriptionsFile } from '../../pipeline/descriptions-file.ts';
import { writeFileAtomic } from '../../util/atomic-write.ts';
import { recordEncode, type ProjectContext } from '../../pipeline/project-record.ts';
import { LmmStore } from '../../store/lmm.ts';
import { lmmDescriber } from '../../pipeline/describe.ts';
import type { Describer } from '../../../shared/engine/interfaces.ts';
import { LMM_OPTIONS, lmmOptionsFrom, promptsFrom } from '../lmm-options.ts';
import type { FrameSignals } from '../../../shared/keyframes/index.ts';
import { DEFAULT_TARGET_KBPS, MAX_TARGET_KBPS, MIN_TARGET_KBPS } from '../../pipeline/guided-encode.ts';
import { CLASSICAL_AV1_ID } from '../../codecs/index.ts';

const HELP = `usage: m3c encode IN -o OUT.m3c [options]

${GEOMETRY_HELP}
${SELECTION_HELP}
  --mode M               clip reconstruction: guided (default: a low-resolution AV1 guide stream carries motion
                         and colour, the keyframes add detail; bitstream v2), interpolation or prediction (the paper's)
  --kbps R               guided: the whole file's rate in kbit/s (default ${DEFAULT_TARGET_KBPS}), split by the encoder between the
                         guide stream and the keyframes
  --clip-modes LIST      one mode per clip, comma-separated, empty keeps --mode (e.g. "guided,,prediction")
${KEYFRAME_CODEC_HELP}
  --keyframe-bytes N     byte budget per keyframe (default: the keyframe codec's); the learned codec uses the
                         finest token grid whose payload fits, else the coarsest
  --denoiser-steps N     learned codec: denoiser steps to record with --project (0..8); the .m3c has no field
                         for it, so give it to "m3c decode --denoiser-steps" (default there: 4)
${MODELS_HELP}
  --roi FILE             guided: regions of interest as JSON, {"regions": [{"frames": [FIRST, LAST], "box": [x, y, w, h],
                         "weight": W, "label": "..."}]} (box in [0, 1] of the working frame, frames inclusive, weight > 0);
                         the encoder moves bytes into them at the same total rate (docs/roi.md)
  --descriptions FILE    keyframe and clip texts as JSON: {"items": [{"frame"?, "keyframe", "clip"}], "default"?}
  --describe            write the texts with the LMM dialogue (see "m3c describe --help" for the --lmm-* options)
  --project DB           record the source, signals, selection, texts and encode in a project database
  --json                 print one JSON object with the figures as the last line`;

export async function encodeCommand(argv: string[], ctx: CommandContext): Promise<void> {
  const { values: v, positionals } = parse(
    argv,
    {
      output: { type: 'string', short: 'o' },
      ...GEOMETRY_OPTIONS,
      ...SELECTION_OPTIONS,
      mode: { type: 'string' },
      kbps: { type: 'string' },
      'clip-modes': { type: 'string' },
      'keyframe-bytes': { type: 'string' },
      ...KEYFRAME_CODEC_OPTIONS,
      ...DENOISER_OPTIONS,
      ...MODELS_OPTIONS,
      descriptions: { type: 'string' },
      roi: { type: 'string' },
      project: { type: 'string' },
      describe: { type: 'boolean' },
      ...LMM_OPTIONS,
      help: { type: 'boolean', short: 'h' },
    },
    'encode',
  );
  if (v.help) return ctx.out(HELP);
  const input = requireOne(positionals, 'input video', 'encode');
  const output = requireOutput(v, 'encode', '.m3c');
  const geometry = geometryFrom(v);
  const selection = selectionFrom(v);
  const mode = modeFrom(v);
  const clipModes = clipModesFrom(v);
  const targetKbps = numberArg(v.kbps, 'kbps', { min: MIN_TARGET_KBPS, max: MAX_TARGET_KBPS });
  if (targetKbps !== undefined && mode !== 'guided' && !clipModes?.includes('guided')) throw new M3cError('usage', '--kbps sets the rate of a guided encode: use it with --mode guided (the default)');
  if (v.roi !== undefined && mode !== 'guided' && !clipModes?.includes('guided')) throw new M3cError('usage', '--roi steers a guided encode: use it with --mode guided (the default)');
  const roi = v.roi !== undefined ? await readRoiFile(v.roi) : undefined;
  const keyframeBudgetBytes = numberArg(v['keyframe-bytes'], 'keyframe-bytes', { min: 16, max: 1_000_000, integer: true });
  const engineOptions = engineOptionsFrom(v);
  const descriptions = v.descriptions ? await readDescriptionsFile(v.descriptions) : undefined;
  if (v.describe && descriptions) throw new M3cError('usage', '--describe and --descriptions exclude each other');
  const lmm = v.describe ? lmmOptionsFrom(v) : undefined;
  const prompts = await promptsFrom(v);
  // With --project the dialogue's transcripts and cached answers go to the project database, so
  // re-encoding after a prompt edit only asks again what changed.
  const describerFor = (project?: ProjectContext): Describer | undefined => {
    if (!lmm) return undefined;
    const bound = (records?: LmmStore): Describer =>
      lmmDescriber(input, geometry, { lmm, prompts, records, projectId: project?.projectId, sourceId: project?.sourceId, signal: ctx.signal, onProgress: ctx.progress });
    return {
      id: bound().id,
      describe: async (request) => {
        const records = project ? new LmmStore(project.store) : undefined;
        try {
          return await bound(records).describe(request);
        } finally {
          records?.close();
        }
      },
    };
  };
  if (path.resolve(output) === path.resolve(input)) throw new M3cError('usage', 'the output would overwrite the input');
  await assertRegularFile(input);
  await assertWritableOutput(output);
  // The .m3c is durable (file and folder flushed) when this resolves; with --project the database
  // says 'done' only afterwards.
  const persist = async (r: EncodeResult): Promise<void> => {
    throwIfAborted(ctx.signal);
    await writeFileAtomic(output, r.m3c).catch((e: NodeJS.ErrnoException) => {
      throw new M3cError('input', `cannot write ${output}: ${e.code ?? e.message}`);
    });
  };

  const engine = createEngine(engineOptions);
  let result: EncodeResult;
  try {
    const run = (signal: AbortSignal, signals?: FrameSignals, project?: ProjectContext): Promise<EncodeResult> =>
      encodeVideo(engine, input, { geometry, selection, mode, clipModes, targetKbps, ...(roi ? { roi, roiWhere: v.roi } : {}), keyframeBudgetBytes, descriptions, describer: describerFor(project), signals, signal, onProgress: ctx.progress });
    const record = {
      geometry,
      selection,
      mode,
      keyframeBudgetBytes,
      // A guided file codes its keyframes (layers over the guide) with the classical codec.
      keyframeCodec: mode === 'guided' ? ('classical' as const) : engine.keyframeCodecKind,
      denoiserSteps: engineOptions.denoiserSteps,
      descriptionOrigin: lmm ? ('lmm' as const) : descriptions ? ('file' as const) : undefined,
    };
    if (v.project) {
      result = await recordEncode(v.project, input, output, record, engine, ctx.signal, run, persist);
    } else {
      result = await run(ctx.signal);
      await persist(result);
    }
  } finally {
    await engine.dispose();
  }
  const figures = encodeFigures(result);
  ctx.out(formatEncode(output, figures));
  const keyframeCodec = result.guided ? CLASSICAL_AV1_ID : engine.keyframeCodec.id;
  ctx.out(`keyframe codec: ${keyframeCodec}`);
  ctx.result({ output, keyframeCodec, fit: fitOf(geometry), ...figures, ...(result.guided ? { guided: result.guided } : {}) });
}

/** A `--roi` file, read and checked (its frames against the video once the frame count is known). */
async function readRoiFile(file: string): Promise<RoiSpec> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new M3cError('input', `cannot read regions file ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  return parseRoiJson(text, file);
}

export function encodeFigures(r: EncodeResult) {
  return {
    bytes: r.bytes,
    bits: r.bits,
    frames: r.frameCount,
    durationSec: round(r.durationSec, 3),
    bpp: round(r.bpp, 7),
    kbps: round(r.kbps, 3),
    keyframes: r.keyframes,
    sections: r.sections,
    guided: r.guided,
    timingsMs: Object.fromEntries(Object.entries(r.timings).map(([k, t]) => [k, Math.round(t)])),
  };
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function formatEncode(output: string, f: ReturnType<typeof encodeFigures>): string {
  return [
    `wrote ${output}: ${f.bytes} bytes, ${f.frames} frames in ${f.durationSec} s, ${f.kbps} kbit/s, ${f.bpp} bpp`,
    `keyframes (${f.keyframes.length}): ${f.keyframes.join(' ')}`,
    `sections: ${f.sections.guide !== undefined ? `guide ${f.sections.guide} B, ` : ''}keyframes ${f.sections.keyframes} B, keyframe texts ${f.sections.keyframeTexts} B, clip texts ${f.sections.clipTexts} B, container ${f.sections.container} B`,
    ...(f.guided
      ? [
          `guide: ${f.guided.width}x${f.guided.height} at ${f.guided.fpsNum}/${f.guided.fpsDen} fps, CRF ${f.guided.crf} (${f.guided.encoder}); budget ${f.guided.split.targetBytes} B: guide ${f.guided.split.guideBytes} B of ${f.guided.split.guideBudgetBytes} B, ${f.guided.split.insetBytes !== undefined ? `inset ${f.guided.split.insetBytes} B of ${f.guided.split.insetBudgetBytes} B, ` : ''}keyframe layers up to ${f.guided.split.layerBudgetBytes} B`,
          ...(f.guided.inset
            ? [`inset: ${f.guided.inset.rectWidth}x${f.guided.inset.rectHeight} at ${f.guided.inset.x},${f.guided.inset.y} coded ${f.guided.inset.width}x${f.guided.inset.height} at ${f.guided.inset.fpsNum}/${f.guided.inset.fpsDen} fps, CRF ${f.guided.inset.crf}, ${f.guided.inset.bytes} B`]
            : []),
        ]
      : []),
    `time: ${Object.entries(f.timingsMs)
      .map(([k, t]) => `${k} ${t} ms`)
      .join(', ')}`,
  ].join('\n');
}
