/**
 * Prompts are data: versioned templates under resources/prompts/<version>/, with `{{variable}}`
 * placeholders, overridable per project and per keyframe or clip.
 */
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { M3cError } from '../../shared/engine/errors.ts';
import { outsideAsar } from '../util/resources-dir.ts';

export const TEMPLATE_IDS = [
  'system',
  'keyframe-single',
  'keyframe-objects',
  'keyframe-differences',
  'keyframe-differences-first',
  'keyframe-details',
  'keyframe-summary',
  'clip-single',
  'clip-motion',
  'clip-summary',
  'keyframe-regions',
] as const;
export type TemplateId = (typeof TEMPLATE_IDS)[number];

export type ItemKind = 'keyframe' | 'clip';

/** Variables each template may use; anything else is an error before any request is sent. */
const COMMON_VARIABLES = ['budget_chars', 'item_number', 'item_count'] as const;
const KEYFRAME_VARIABLES = [...COMMON_VARIABLES, 'previous_description'] as const;
const CLIP_VARIABLES = [...COMMON_VARIABLES, 'keyframe_description', 'frame_count', 'clip_length'] as const;
/** The grounding round continues the keyframe's dialogue: its variables and how many regions to ask for. */
const REGION_VARIABLES = [...KEYFRAME_VARIABLES, 'max_regions'] as const;

export type KeyframeVariable = (typeof KEYFRAME_VARIABLES)[number];
export type ClipVariable = (typeof CLIP_VARIABLES)[number];
export type RegionVariable = (typeof REGION_VARIABLES)[number];
export type PromptVariables = Partial<Record<KeyframeVariable | ClipVariable | RegionVariable, string | number>>;

export function variablesFor(id: TemplateId): readonly string[] {
  if (id === 'system') return COMMON_VARIABLES;
  if (id === 'keyframe-regions') return REGION_VARIABLES;
  return id.startsWith('clip-') ? CLIP_VARIABLES : KEYFRAME_VARIABLES;
}

export type PromptOverrides = Partial<Record<TemplateId, string>>;

/** What the caller (the store, the CLI, the studio) passes in: a template version and its overrides. */
export interface PromptConfig {
  /** Template version under resources/prompts; default 'v1'. */
  readonly version?: string;
  /** Overrides for the whole project. */
  readonly project?: PromptOverrides;
  /** Overrides for one item, keyed by `itemKey(kind, index)`, e.g. "keyframe:3" or "clip:3". */
  readonly items?: Readonly<Record<string, PromptOverrides>>;
}

export function itemKey(kind: ItemKind, index: number): string {
  return `${kind}:${index}`;
}

export interface PromptSet {
  readonly version: string;
  readonly templates: Readonly<Record<TemplateId, string>>;
}

export const DEFAULT_PROMPTS_DIR = outsideAsar(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../resources/prompts'));

const cache = new Map<string, PromptSet>();

/** Loads resources/prompts/<version>/manifest.json and its template files. */
export function loadPromptSet(version = 'v1', dir = DEFAULT_PROMPTS_DIR): PromptSet {
  const key = `${dir}\0${version}`;
  const hit = cache.get(key);
  if (hit) return hit;
  if (!/^[A-Za-z0-9._-]+$/.test(version)) {
    throw new M3cError('input', `invalid prompt version "${version}": use a folder name under ${dir} such as v1`);
  }
  const manifestPath = path.join(dir, version, 'manifest.json');
  if (!existsSync(manifestPath)) {
    throw new M3cError('input', `no prompt templates for version "${version}" (missing ${manifestPath}): use v1 or add that folder`);
  }
  let manifest: { version?: unknown; templates?: Record<string, unknown> };
  try {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  } catch (e) {
    throw new M3cError('input', `cannot read ${manifestPath} (${(e as Error).message.split('\n')[0]}): fix the JSON`);
  }
  const templates = {} as Record<TemplateId, string>;
  for (const id of TEMPLATE_IDS) {
    const file = manifest.templates?.[id];
    if (typeof file !== 'string') throw new M3cError('input', `${manifestPath} names no file for template "${id}": add it`);
    const text = readFileSync(path.join(dir, version, file), 'utf8').trim();
    checkTemplate(id, text, `${version}/${file}`);
    templates[id] = text;
  }
  const set: PromptSet = { version: typeof manifest.version === 'string' ? manifest.version : version, templates };
  cache.set(key, set);
  return set;
}

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** Throws M3cError('input') naming the template and the variable when a placeholder is unknown or unclosed. */
export function checkTemplate(id: TemplateId, text: string, origin: string): void {
  const allowed = variablesFor(id);
  for (const m of text.matchAll(PLACEHOLDER)) {
    if (!allowed.includes(m[1])) {
      throw new M3cError(
        'input',
        `prompt template "${id}" (${origin}) uses unknown variable {{${m[1]}}}: known here are ${allowed.map((v) => `{{${v}}}`).join(', ')}`,
      );
    }
  }
  if (text.replace(PLACEHOLDER, '').includes('{{')) {
    throw new M3cError('input', `prompt template "${id}" (${origin}) has an unclosed "{{": close it as {{name}}`);
  }
}

/** Fills a template; every placeholder must have a value (checked, so nothing half-rendered reaches the model). */
export function renderTemplate(id: TemplateId, text: string, variables: PromptVariables, origin: string): string {
  checkTemplate(id, text, origin);
  return text.replace(PLACEHOLDER, (_, name: string) => {
    const value = variables[name as keyof PromptVariables];
    if (value === undefined) {
      throw new M3cError('internal', `prompt template "${id}" (${origin}) needs {{${name}}} but no value was given`);
    }
    return String(value);
  });
}

export function usesVariable(text: string, name: string): boolean {
  for (const m of text.matchAll(PLACEHOLDER)) if (m[1] === name) return true;
  return false;
}

/** The templates one item sees: item override, else project override, else the versioned default. */
export interface ResolvedPrompts {
  readonly version: string;
  text(id: TemplateId): string;
  origin(id: TemplateId): string;
  render(id: TemplateId, variables: PromptVariables): string;
}

export function resolvePrompts(config: PromptConfig | undefined, kind: ItemKind, index: number, dir?: string): ResolvedPrompts {
  const set = loadPromptSet(config?.version ?? 'v1', dir);
  const key = itemKey(kind, index);
  const item = config?.items?.[key];
  validateOverrides(config?.project, 'project');
  validateOverrides(item, key);
  const pick = (id: TemplateId): { text: string; origin: string } => {
    const fromItem = item?.[id];
    if (fromItem !== undefined) return { text: fromItem, origin: `override for ${key}` };
    const fromProject = config?.project?.[id];
    if (fromProject !== undefined) return { text: fromProject, origin: 'project override' };
    return { text: set.templates[id], origin: set.version };
  };
  return {
    version: set.version,
    text: (id) => pick(id).text,
    origin: (id) => pick(id).origin,
    render: (id, variables) => {
      const { text, origin } = pick(id);
      return renderTemplate(id, text, variables, origin);
    },
  };
}

function validateOverrides(overrides: PromptOverrides | undefined, where: string): void {
  if (!overrides) return;
  for (const [id, text] of Object.entries(overrides)) {
    if (!(TEMPLATE_IDS as readonly string[]).includes(id)) {
      throw new M3cError('input', `prompt override for ${where} names unknown template "${id}": use one of ${TEMPLATE_IDS.join(', ')}`);
    }
    if (typeof text !== 'string') throw new M3cError('input', `prompt override "${id}" for ${where} is not text`);
    checkTemplate(id as TemplateId, text, where === 'project' ? 'project override' : `override for ${where}`);
  }
}
