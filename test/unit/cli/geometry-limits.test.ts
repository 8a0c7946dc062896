import { describe, expect, it } from 'vitest';
import { fpsArg } from '../../../src/main/cli/args.ts';
import { geometryFrom } from '../../../src/main/cli/common-options.ts';
import { geometry } from '../../../src/main/services/validate.ts';
import { M3cError } from '../../../src/shared/engine/errors.ts';

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return e instanceof M3cError ? e.code : 'not an M3cError';
  }
  return undefined;
}

describe('working geometry and rate are refused up front when a decoder would refuse the file', () => {
  it('--fps takes 0.1..240 fps with denominators the bitstream carries', () => {
    expect(fpsArg('8')).toEqual({ fpsNum: 8, fpsDen: 1 });
    expect(fpsArg('30000/1001')).toEqual({ fpsNum: 30000, fpsDen: 1001 });
    expect(fpsArg('12.5')).toEqual({ fpsNum: 12500, fpsDen: 1000 });
    for (const bad of ['1/1000000', '0.05', '241', '0', 'x', '1/0']) expect(codeOf(() => fpsArg(bad)), bad).toBe('usage');
  });

  it('--width/--height beyond the default decode limits are a usage error, not a file nobody can decode', () => {
    expect(geometryFrom({ width: '1920', height: '1080' })).toMatchObject({ width: 1920, height: 1080 });
    expect(codeOf(() => geometryFrom({ width: '4096', height: '4096' }))).toBe('usage');
    expect(codeOf(() => geometryFrom({ width: '1920', height: '1090' }))).toBe('usage');
  });

  it('the studio refuses the same working sizes and rates', () => {
    expect(geometry({ width: 512, height: 320, fpsNum: 8, fpsDen: 1 })).toEqual({ width: 512, height: 320, fpsNum: 8, fpsDen: 1 });
    expect(codeOf(() => geometry({ width: 4096, height: 4096, fpsNum: 8, fpsDen: 1 }))).toBe('usage');
    expect(codeOf(() => geometry({ width: 512, height: 320, fpsNum: 1, fpsDen: 1_000_000 }))).toBe('usage');
  });
});
