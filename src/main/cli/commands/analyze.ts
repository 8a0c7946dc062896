import { parse } from '../args.ts';
import type { CommandContext } from '../context.ts';
import { GEOMETRY_HELP, GEOMETRY_OPTIONS, SELECTION_HELP, SELECTION_OPTIONS, geometryFrom, requireOne, selectionFrom } from '../common-options.ts';
import { createEngine } from '../../pipeline/engine.ts';
import { fitOf } from '../../media/geometry.ts';
import { analyzeVideo, type AnalyzeResult } from '../../pipeline/select.ts';

const HELP = `usage: m3c analyze IN [options] [--json]

Computes each frame's appearance embedding and motion once, then selects keyframes.
Per frame it reports, against the keyframe in force: semantic distance 1 - cos, motion
(mean flow magnitude as a fraction of the frame diagonal) and D = l1*sem + l2*motion - D_th.

${GEOMETRY_HELP}
${SELECTION_HELP}`;

export async function analyzeCommand(argv: string[], ctx: CommandContext): Promise<void> {
  const { values: v, positionals } = parse(argv, { ...GEOMETRY_OPTIONS, ...SELECTION_OPTIONS, help: { type: 'boolean', short: 'h' } }, 'analyze');
  if (v.help) return ctx.out(HELP);
  const input = requireOne(positionals, 'input video', 'analyze');
  const geometry = geometryFrom(v);
  const selection = selectionFrom(v);
  const engine = createEngine();
  let r: AnalyzeResult;
  try {
    r = await analyzeVideo(engine, input, geometry, selection, { signal: ctx.signal, onProgress: ctx.progress });
  } finally {
    await engine.dispose();
  }
  const ks = new Set(r.keyframes);
  ctx.out('frame  keyframe  semantic  motion    D');
  for (let i = 0; i < r.frameCount; i++) {
    ctx.out(`${String(i).padStart(5)}  ${ks.has(i) ? '   *    ' : '        '}  ${r.trace.semantic[i].toFixed(4)}    ${r.trace.motion[i].toFixed(4)}  ${r.trace.d[i].toFixed(4)}`);
  }
  ctx.out(`${r.keyframes.length} keyframes in ${r.frameCount} frames: ${r.keyframes.join(' ')}`);
  ctx.out(`analysis ${Math.round(r.analysisMs)} ms (${(r.frameCount / (r.analysisMs / 1000)).toFixed(1)} frames/s), selection ${r.selectionMs.toFixed(2)} ms`);
  const round = (a: Float32Array): number[] => Array.from(a, (x) => Math.round(x * 1e5) / 1e5);
  ctx.result({
    frames: r.frameCount,
    width: geometry.width,
    height: geometry.height,
    fpsNum: geometry.fpsNum,
    fpsDen: geometry.fpsDen,
    fit: fitOf(geometry),
    embedder: engine.embedder.id,
    flow: engine.analysisFlow.id,
    selection,
    keyframes: r.keyframes,
    signals: { semantic: round(r.trace.semantic), motion: round(r.trace.motion), d: round(r.trace.d) },
    timingsMs: { analysis: Math.round(r.analysisMs), selection: r.selectionMs },
  });
}
