import { M3cError } from '../../../shared/engine/errors.ts';
import { assertWritableOutput } from '../../util/output-dir.ts';
import { parse } from '../args.ts';
import type { CommandContext } from '../context.ts';
import { GEOMETRY_HELP, GEOMETRY_OPTIONS, SELECTION_HELP, SELECTION_OPTIONS, geometryFrom, requireOne, selectionFrom } from '../common-options.ts';
import { LMM_HELP, LMM_OPTIONS, lmmOptionsFrom, promptsFrom } from '../lmm-options.ts';
import { createEngine } from '../../pipeline/engine.ts';
import { analyzeVideo, type AnalyzeResult } from '../../pipeline/select.ts';
import { clipRegions, describeWithLmm } from '../../pipeline/describe.ts';
import { DEFAULT_MAX_REGIONS } from '../../lmm/index.ts';
import { roiJson } from '../../../shared/roi/index.ts';
import { numberArg } from '../args.ts';
import { writeFileAtomic } from '../../util/atomic-write.ts';
import { openProjectSource } from '../../pipeline/project-record.ts';
import { LmmStore } from '../../store/lmm.ts';
import type { DescribeVideoResult } from '../../lmm/index.ts';

const HELP = `usage: m3c describe IN [-o DESCRIPTIONS.json] [--regions ROI.json] [--project DB] [options] [--json]

Selects keyframes, then asks a large multimodal model (any OpenAI-compatible server: Ollama,
llama.cpp server, vLLM, LM Studio) for every keyframe's description D^F and every clip's D^C in a
multi-round dialogue. -o writes them in the format "m3c encode --descriptions" reads.

  --regions FILE         also ask each keyframe's grounding round (template keyframe-regions) for
                         the regions that matter, and write them over the keyframe's clip in the
                         format "m3c encode --roi" reads; with --project they are the source's LMM
                         regions in the studio too. A refused answer fails that keyframe's regions only.
  --max-regions N        regions asked per keyframe (default ${DEFAULT_MAX_REGIONS})

${LMM_HELP}
${GEOMETRY_HELP}
${SELECTION_HELP}`;

export async function describeCommand(argv: string[], ctx: CommandContext): Promise<void> {
  const { values: v, positionals } = parse(argv, { output: { type: 'string', short: 'o' }, regions: { type: 'string' }, 'max-regions': { type: 'string' }, project: { type: 'string' }, ...LMM_OPTIONS, ...GEOMETRY_OPTIONS, ...SELECTION_OPTIONS, help: { type: 'boolean', short: 'h' } }, 'describe');
  if (v.help) return ctx.out(HELP);
  const input = requireOne(positionals, 'input video', 'describe');
  const geometry = geometryFrom(v);
  const selection = selectionFrom(v);
  const maxRegions = numberArg(v['max-regions'], 'max-regions', { min: 1, max: 16, integer: true });
  if (maxRegions !== undefined && !v.regions) throw new M3cError('usage', '--max-regions needs --regions FILE');
  const lmm = { ...lmmOptionsFrom(v), ...(v.regions ? { regions: true, maxRegions } : {}) };
  const prompts = await promptsFrom(v);
  if (v.output) await assertWritableOutput(v.output);
  if (v.regions) await assertWritableOutput(v.regions);
  const engine = createEngine();
  let analysis: AnalyzeResult;
  try {
    analysis = await analyzeVideo(engine, input, geometry, selection, { signal: ctx.signal, onProgress: ctx.progress });
  } finally {
    await engine.dispose();
  }
  // With --project, transcripts and cached answers live in the project database: a second run
  // after a prompt edit only asks the model what the edit changed.
  const project = v.project ? await openProjectSource(v.project, input) : undefined;
  const records = project ? new LmmStore(project.store) : undefined;
  let result: DescribeVideoResult;
  try {
    ({ result } = await describeWithLmm(input, geometry, { keyframes: analysis.keyframes, frameCount: analysis.frameCount }, { lmm, prompts, records, projectId: project?.projectId, sourceId: project?.sourceId, signal: ctx.signal, onProgress: ctx.progress }));
    project?.store.transaction(() => {
      result.items.forEach((it, i) => {
        const base = { sourceId: project.sourceId, itemIndex: i, frameIndex: it.keyframeIndex, origin: 'lmm' as const };
        project.store.upsertDescription({ ...base, itemKind: 'keyframe', text: it.keyframe.text });
        project.store.upsertDescription({ ...base, itemKind: 'clip', endFrame: it.keyframeIndex + it.clipLength, text: it.clip.text });
        const r = it.keyframe.regions;
        const end = it.keyframeIndex + it.clipLength;
        if (r?.ok) project.store.regions.replaceLmm(project.sourceId, it.keyframeIndex, end - 1, clipRegions(r.regions, it.keyframeIndex, end));
      });
    });
  } finally {
    records?.close();
    project?.store.close();
  }
  const file = { items: result.items.map((it) => ({ frame: it.keyframeIndex, keyframe: it.keyframe.text, clip: it.clip.text })) };
  if (v.output) {
    await writeFileAtomic(v.output, new TextEncoder().encode(JSON.stringify(file, null, 2) + '\n')).catch((e: NodeJS.ErrnoException) => {
      throw new M3cError('input', `cannot write ${v.output}: ${e.code ?? e.message}`);
    });
  }
  const roi = { regions: result.items.flatMap((it) => (it.keyframe.regions?.ok ? clipRegions(it.keyframe.regions.regions, it.keyframeIndex, it.keyframeIndex + it.clipLength) : [])) };
  if (v.regions) {
    await writeFileAtomic(v.regions, new TextEncoder().encode(roiJson(roi))).catch((e: NodeJS.ErrnoException) => {
      throw new M3cError('input', `cannot write ${v.regions}: ${e.code ?? e.message}`);
    });
  }
  const box = (b: readonly number[]): string => `[${b.map((x) => x.toFixed(3)).join(', ')}]`;
  for (const it of result.items) {
    ctx.out(`keyframe ${it.keyframeIndex} (${it.keyframe.bits} bits${it.keyframe.overBudget ? ', over budget' : ''}): ${it.keyframe.text}`);
    const r = it.keyframe.regions;
    if (r?.ok) ctx.out(`  regions: ${r.regions.length === 0 ? 'none' : r.regions.map((g) => `${g.label || 'region'} ${box(g.box)} weight ${g.weight}`).join('; ')}`);
    else if (r) ctx.out(`  regions refused: ${r.error}`);
    ctx.out(`  clip of ${it.clipLength} frames (${it.clip.bits} bits${it.clip.overBudget ? ', over budget' : ''}): ${it.clip.text}`);
  }
  const refused = result.items.filter((it) => it.keyframe.regions && !it.keyframe.regions.ok).length;
  if (v.regions) ctx.out(`${roi.regions.length} regions written to ${v.regions}${refused > 0 ? `; ${refused} keyframe${refused === 1 ? '' : 's'} gave an answer that was refused (see above): edit the keyframe-regions prompt and run again` : ''}`);
  ctx.out(`${result.items.length} items, ${result.totalBits} bits of text, ${result.requests} requests, ${result.cacheHits} cached answers (model ${result.model}, ${result.rounds} rounds)`);
  ctx.result({
    keyframes: analysis.keyframes,
    model: result.model,
    rounds: result.rounds,
    promptVersion: result.promptVersion,
    requests: result.requests,
    cacheHits: result.cacheHits,
    totalBits: result.totalBits,
    items: result.items.map((it) => ({
      frame: it.keyframeIndex,
      clipLength: it.clipLength,
      keyframe: {
        text: it.keyframe.text,
        bits: it.keyframe.bits,
        overBudget: it.keyframe.overBudget,
        ...(it.keyframe.regions ? { regions: it.keyframe.regions.ok ? it.keyframe.regions.regions : null, ...(it.keyframe.regions.ok ? {} : { regionsError: it.keyframe.regions.error }) } : {}),
      },
      clip: { text: it.clip.text, bits: it.clip.bits, overBudget: it.clip.overBudget },
    })),
    ...(v.output ? { output: v.output } : {}),
    ...(v.regions ? { regionsOutput: v.regions, regionCount: roi.regions.length } : {}),
  });
}
