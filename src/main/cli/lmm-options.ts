import { MAX_JSON_INPUT_BYTES, readInputFile } from '../util/input-file.ts';
import { M3cError } from '../../shared/engine/errors.ts';
import { DEFAULT_BASE_URL, DEFAULT_MODEL, type DescribeOptions, type PromptConfig } from '../lmm/index.ts';
import { DEFAULT_DEADLINE_MS, DEFAULT_TIMEOUT_MS } from '../lmm/client.ts';
import { choiceArg, numberArg } from './args.ts';

export const LMM_OPTIONS = {
  'lmm-url': { type: 'string' },
  model: { type: 'string' },
  rounds: { type: 'string' },
  'clip-frames': { type: 'string' },
  'keyframe-chars': { type: 'string' },
  'clip-chars': { type: 'string' },
  'lmm-timeout': { type: 'string' },
  'lmm-deadline': { type: 'string' },
  prompts: { type: 'string' },
} as const;

export const LMM_HELP = `  --lmm-url U            OpenAI-compatible endpoint (default ${DEFAULT_BASE_URL}, Ollama); API key from $M3C_LMM_API_KEY
  --model M              model (default ${DEFAULT_MODEL})
  --rounds 1|2|4         keyframe dialogue rounds (default 4, the paper's)
  --clip-frames N        frames of each clip shown to the model (default 4)
  --keyframe-chars N --clip-chars N   description length budgets in characters (default 300, 200)
  --lmm-timeout S        seconds a request may stay silent (default ${DEFAULT_TIMEOUT_MS / 1000})
  --lmm-deadline S       seconds one request may take in all, retries included (default ${DEFAULT_DEADLINE_MS / 1000})
  --prompts FILE         prompt overrides as JSON: {"version"?, "project"?: {TEMPLATE: text},
                         "items"?: {"keyframe:N" | "clip:N": {TEMPLATE: text}}} (templates: resources/prompts)`;

export function lmmOptionsFrom(v: Record<string, string | boolean | undefined>): DescribeOptions {
  const rounds = choiceArg(v.rounds as string | undefined, 'rounds', ['1', '2', '4'] as const);
  const int = (name: string, min: number, max: number): number | undefined => numberArg(v[name] as string | undefined, name, { min, max, integer: true });
  const timeout = numberArg(v['lmm-timeout'] as string | undefined, 'lmm-timeout', { min: 1, max: 3600 });
  const deadline = numberArg(v['lmm-deadline'] as string | undefined, 'lmm-deadline', { min: 1, max: 86_400 });
  return {
    baseUrl: (v['lmm-url'] as string | undefined) ?? process.env.M3C_LMM_URL ?? DEFAULT_BASE_URL,
    model: (v.model as string | undefined) ?? process.env.M3C_LMM_MODEL ?? DEFAULT_MODEL,
    apiKey: process.env.M3C_LMM_API_KEY,
    rounds: rounds === undefined ? undefined : (Number(rounds) as 1 | 2 | 4),
    clipSampleFrames: int('clip-frames', 1, 64),
    keyframeBudgetChars: int('keyframe-chars', 16, 10_000),
    clipBudgetChars: int('clip-chars', 16, 10_000),
    timeoutMs: timeout === undefined ? undefined : timeout * 1000,
    deadlineMs: deadline === undefined ? undefined : deadline * 1000,
  };
}

/** Reads --prompts; the engine validates template names and variables before any request. */
export async function promptsFrom(v: Record<string, string | boolean | undefined>): Promise<PromptConfig | undefined> {
  const file = v.prompts as string | undefined;
  if (!file) return undefined;
  let raw: string;
  try {
    raw = new TextDecoder().decode(await readInputFile(file, MAX_JSON_INPUT_BYTES, 'prompts file'));
  } catch (e) {
    if (e instanceof M3cError) throw e;
    throw new M3cError('input', `cannot read prompts file ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  try {
    const json: unknown = JSON.parse(raw);
    if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error('not an object');
    return json as PromptConfig;
  } catch {
    throw new M3cError('input', `prompts file ${file} is not a JSON object such as {"project": {"keyframe-summary": "..."}}`);
  }
}
