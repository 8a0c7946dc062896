import { M3cError } from '../../../shared/engine/errors.ts';
import { assertWritableOutput } from '../../util/output-dir.ts';
import { parse } from '../args.ts';
import type { CommandContext } from '../context.ts';
import { GEOMETRY_HELP, GEOMETRY_OPTIONS, SELECTION_HELP, SELECTION_OPTIONS, geometryFrom, requireOne, selectionFrom } from '../common-options.ts';
import { LMM_HELP, LMM_OPTIONS, lmmOptionsFrom, promptsFrom } from '../lmm-options.ts';
import { createEngine } from '../../pipeline/engine.ts';
import { analyzeVideo, type AnalyzeResult } from '../../pipeline/select.ts';
import { describeWithLmm } from '../../pipeline/describe.ts';
import { writeFileAtomic } from '../../util/atomic-write.ts';
import { openProjectSource } from '../../pipeline/project-record.ts';
import { LmmStore } from '../../store/lmm.ts';
import type { DescribeVideoResult } from '../../lmm/index.ts';

const HELP = `usage: m3c describe IN [-o DESCRIPTIONS.json] [--project DB] [options] [--json]

Selects keyframes, then asks a large multimodal model (any OpenAI-compatible server: Ollama,
llama.cpp server, vLLM, LM Studio) for every keyframe's description D^F and every clip's D^C in a
multi-round dialogue. -o writes them in the format "m3c encode --descriptions" reads.

${LMM_HELP}
${GEOMETRY_HELP}
${SELECTION_HELP}`;

export async function describeCommand(argv: string[], ctx: CommandContext): Promise<void> {
  const { values: v, positionals } = parse(argv, { output: { type: 'string', short: 'o' }, project: { type: 'string' }, ...LMM_OPTIONS, ...GEOMETRY_OPTIONS, ...SELECTION_OPTIONS, help: { type: 'boolean', short: 'h' } }, 'describe');
  if (v.help) return ctx.out(HELP);
  const input = requireOne(positionals, 'input video', 'describe');
  const geometry = geometryFrom(v);
  const selection = selectionFrom(v);
  const lmm = lmmOptionsFrom(v);
  const prompts = await promptsFrom(v);
  if (v.output) await assertWritableOutput(v.output);
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
  for (const it of result.items) {
    ctx.out(`keyframe ${it.keyframeIndex} (${it.keyframe.bits} bits${it.keyframe.overBudget ? ', over budget' : ''}): ${it.keyframe.text}`);
    ctx.out(`  clip of ${it.clipLength} frames (${it.clip.bits} bits${it.clip.overBudget ? ', over budget' : ''}): ${it.clip.text}`);
  }
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
      keyframe: { text: it.keyframe.text, bits: it.keyframe.bits, overBudget: it.keyframe.overBudget },
      clip: { text: it.clip.text, bits: it.clip.bits, overBudget: it.clip.overBudget },
    })),
    ...(v.output ? { output: v.output } : {}),
  });
}
