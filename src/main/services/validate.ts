/** Checks of the arguments the renderer sends; each failure is M3cError('usage') naming the field. */
import { M3cError } from '../../shared/engine/errors.ts';
import { DEFAULT_DECODE_LIMITS, frameRateProblem, limitsProblem } from '../../shared/bitstream/index.ts';
import type { Geometry } from '../../shared/engine/frame.ts';
import type { SelectionParams } from '../../shared/keyframes/index.ts';

const bad = (msg: string): M3cError => new M3cError('usage', msg);

export function paramsObject(p: unknown): Record<string, unknown> {
  if (p === undefined || p === null) return {};
  if (typeof p !== 'object' || Array.isArray(p)) throw bad('the parameters must be a JSON object');
  return p as Record<string, unknown>;
}

export function id(p: Record<string, unknown>, key: string): number {
  const v = p[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw bad(`"${key}" must be a non-negative integer`);
  return v;
}

export function optInt(p: Record<string, unknown>, key: string, min: number, max: number): number | undefined {
  const v = p[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw bad(`"${key}" must be an integer from ${min} to ${max}`);
  return v;
}

export function text(p: Record<string, unknown>, key: string, maxLength: number, { nonEmpty = false } = {}): string {
  const v = p[key];
  if (typeof v !== 'string') throw bad(`"${key}" must be a string`);
  if (v.length > maxLength) throw bad(`"${key}" is longer than ${maxLength} characters`);
  if (v.includes('\0')) throw bad(`"${key}" contains a NUL character`);
  if (nonEmpty && v.trim() === '') throw bad(`"${key}" must not be empty`);
  return v;
}

export function oneOf<T extends string>(p: Record<string, unknown>, key: string, values: readonly T[]): T {
  const v = p[key];
  if (typeof v !== 'string' || !values.includes(v as T)) throw bad(`"${key}" must be one of ${values.join(', ')}`);
  return v as T;
}

export function geometry(v: unknown): Geometry {
  const g = paramsObject(v);
  const w = id(g, 'width');
  const h = id(g, 'height');
  const fn = id(g, 'fpsNum');
  const fd = id(g, 'fpsDen');
  if (w < 16 || h < 16 || w > 4096 || h > 4096 || w % 2 || h % 2) throw bad(`working size ${w}x${h} must be even, from 16 to 4096`);
  // What every decoder of ours agrees to decode by default (docs/bitstream.md, resource limits).
  const tooLarge = limitsProblem({ width: w, height: h, fpsNum: 1, fpsDen: 1, frameCount: 1 }, DEFAULT_DECODE_LIMITS);
  if (tooLarge) throw bad(`working size: ${tooLarge}`);
  if (fn / fd > 120 || frameRateProblem(fn, fd)) throw bad(`working frame rate ${fn}/${fd} must be from 0.1 to 120 fps, with a denominator up to 1001`);
  return { width: w, height: h, fpsNum: fn, fpsDen: fd };
}

const frameList = (v: unknown, key: string): number[] => {
  if (!Array.isArray(v) || v.length > 1_000_000) throw bad(`"${key}" must be an array of frame indices`);
  return v.map((x) => {
    if (typeof x !== 'number' || !Number.isInteger(x) || x < 0) throw bad(`"${key}" must hold non-negative integers`);
    return x;
  });
};

/** Shape and types only; selectKeyframes checks the ranges. */
export function selection(v: unknown): SelectionParams {
  const s = paramsObject(v);
  const num = (key: string): number => {
    const x = s[key];
    if (typeof x !== 'number' || !Number.isFinite(x)) throw bad(`selection "${key}" must be a finite number`);
    return x;
  };
  const optNum = (key: string): number | undefined => (s[key] === undefined || s[key] === null ? undefined : num(key));
  const strategy = oneOf(s, 'strategy', ['motion-semantic', 'semantic', 'fixed'] as const);
  const o = s.overrides === undefined || s.overrides === null ? undefined : paramsObject(s.overrides);
  return {
    strategy,
    lambda1: num('lambda1'),
    lambda2: num('lambda2'),
    threshold: num('threshold'),
    fixedInterval: num('fixedInterval'),
    minClip: optNum('minClip'),
    maxClip: optNum('maxClip'),
    overrides: o ? { add: frameList(o.add ?? [], 'overrides.add'), remove: frameList(o.remove ?? [], 'overrides.remove') } : undefined,
  };
}
