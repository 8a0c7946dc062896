import { parseArgs, type ParseArgsConfig } from 'node:util';
import { M3cError } from '../../shared/engine/errors.ts';
import { frameRateProblem } from '../../shared/bitstream/index.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

/** parseArgs with our error type: unknown flags and missing values become one-line usage errors. */
export function parse<O extends Options>(argv: string[], options: O, command: string) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new M3cError('usage', `${(e as Error).message.split('\n')[0].replace(/\. To specify .*$/, '')} (see "m3c ${command} --help")`);
  }
}

export function numberArg(value: string | undefined, name: string, check: { min?: number; max?: number; integer?: boolean } = {}): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  const { min = -Infinity, max = Infinity, integer = false } = check;
  if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    const kind = integer ? 'an integer' : 'a number';
    const range = `${Number.isFinite(min) ? ` >= ${min}` : ''}${Number.isFinite(max) ? ` and <= ${max}` : ''}`;
    throw new M3cError('usage', `--${name} must be ${kind}${range}, got "${value}"`);
  }
  return n;
}

export function choiceArg<T extends string>(value: string | undefined, name: string, choices: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(choices as readonly string[]).includes(value)) {
    throw new M3cError('usage', `--${name} must be one of ${choices.join(', ')}, got "${value}"`);
  }
  return value as T;
}

/** Parses "30000/1001", "29.97" or "8" into a rational frame rate the bitstream can carry (0.1..240 fps). */
export function fpsArg(value: string | undefined): { fpsNum: number; fpsDen: number } | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d+)(?:\/(\d+))?$/.exec(value);
  let rate: { fpsNum: number; fpsDen: number } | undefined;
  if (m) rate = { fpsNum: Number(m[1]), fpsDen: m[2] === undefined ? 1 : Number(m[2]) };
  else {
    const f = Number(value);
    if (Number.isFinite(f) && f > 0) rate = { fpsNum: Math.round(f * 1000), fpsDen: 1000 };
  }
  const problem = rate ? frameRateProblem(rate.fpsNum, rate.fpsDen) : 'not a number';
  if (rate && !problem) return rate;
  throw new M3cError('usage', `--fps must be a rate from 0.1 to 240 such as 8, 12.5 or 30000/1001, got "${value}" (${problem})`);
}
