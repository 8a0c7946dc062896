import { describe, expect, it } from 'vitest';
import type { M3cError } from '../../../src/shared/engine/errors.ts';
import { loadPromptSet, resolvePrompts, renderTemplate, TEMPLATE_IDS } from '../../../src/main/lmm/prompts.ts';
import { clipTurns, keyframeTurns } from '../../../src/main/lmm/describe.ts';
import { sampleClipFrames } from '../../../src/shared/dialogue/index.ts';

const frame = { width: 1, height: 1, data: new Uint8Array(3) };

describe('prompt templates', () => {
  it('loads every template of v1 and renders the budget into the summary', () => {
    const set = loadPromptSet('v1');
    expect(set.version).toBe('v1');
    expect(Object.keys(set.templates).sort()).toEqual([...TEMPLATE_IDS].sort());
    const text = renderTemplate('keyframe-summary', set.templates['keyframe-summary'], { budget_chars: 250, item_number: 1, item_count: 2 }, 'v1');
    expect(text).toContain('at most 250 characters');
    expect(text).not.toContain('{{');
  });

  it('prefers an item override over a project override over the default', () => {
    const config = {
      project: { 'keyframe-objects': 'project {{item_number}}' },
      items: { 'keyframe:2': { 'keyframe-objects': 'item {{ item_number }}' } },
    };
    expect(resolvePrompts(config, 'keyframe', 2).render('keyframe-objects', { item_number: 3 })).toBe('item 3');
    expect(resolvePrompts(config, 'keyframe', 1).render('keyframe-objects', { item_number: 2 })).toBe('project 2');
    expect(resolvePrompts(config, 'keyframe', 1).origin('keyframe-summary')).toBe('v1');
  });

  it('rejects unknown variables, unclosed braces, unknown templates and versions with clear errors', () => {
    const err = (f: () => unknown): M3cError => {
      try {
        f();
      } catch (e) {
        return e as M3cError;
      }
      throw new Error('did not throw');
    };
    const unknown = err(() => resolvePrompts({ project: { 'keyframe-summary': 'in {{chars}}' } }, 'keyframe', 0));
    expect(unknown.code).toBe('input');
    expect(unknown.message).toContain('prompt template "keyframe-summary" (project override) uses unknown variable {{chars}}');
    // A clip variable is not available in a keyframe template.
    expect(err(() => resolvePrompts({ project: { 'keyframe-objects': '{{keyframe_description}}' } }, 'keyframe', 0)).message).toContain(
      'unknown variable {{keyframe_description}}',
    );
    expect(err(() => resolvePrompts({ project: { 'clip-motion': 'see {{frame_count' } }, 'clip', 0)).message).toContain('unclosed "{{"');
    expect(err(() => resolvePrompts({ items: { 'clip:0': { 'clip-dance': 'x' } as never } }, 'clip', 0)).message).toContain(
      'unknown template "clip-dance"',
    );
    expect(err(() => loadPromptSet('v9')).message).toMatch(/no prompt templates for version "v9"/);
  });
});

describe('dialogue plan', () => {
  it('samples clip frames evenly, keyframe first', () => {
    expect(sampleClipFrames(8, 3)).toEqual([0, 4, 7]);
    expect(sampleClipFrames(10, 4)).toEqual([0, 3, 6, 9]);
    expect(sampleClipFrames(3, 5)).toEqual([0, 1, 2]);
    expect(sampleClipFrames(9, 1)).toEqual([0]);
    expect(() => sampleClipFrames(9, 0)).toThrow(/positive integer/);
  });

  it('runs 1, 2 or 4 keyframe rounds and attaches the previous keyframe in round 2', () => {
    const prev = { ...frame };
    expect(keyframeTurns(1, frame, prev).map((t) => t.template)).toEqual(['keyframe-single']);
    expect(keyframeTurns(2, frame, prev).map((t) => t.template)).toEqual(['keyframe-objects', 'keyframe-summary']);
    const four = keyframeTurns(4, frame, prev);
    expect(four.map((t) => t.template)).toEqual(['keyframe-objects', 'keyframe-differences', 'keyframe-details', 'keyframe-summary']);
    expect(four[1].images).toEqual([prev, frame]);
    expect(keyframeTurns(4, frame, undefined)[1]).toEqual({ template: 'keyframe-differences-first', images: [] });
    expect(clipTurns(4, [frame, prev]).map((t) => [t.template, t.images.length])).toEqual([
      ['clip-motion', 2],
      ['clip-summary', 0],
    ]);
  });
});
