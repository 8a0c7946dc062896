import { describe, expect, it } from 'vitest';
import { assignDescriptions, clipOfFrame, validateDescriptions } from '../../../src/main/pipeline/descriptions-file.ts';

describe('descriptions file', () => {
  it('assigns items by frame to the clip containing the frame, others in order', () => {
    const file = validateDescriptions({
      items: [{ keyframe: 'first' }, { frame: 25, clip: 'middle clip' }, { keyframe: 'after middle' }],
      default: { clip: 'default clip' },
    });
    const texts = assignDescriptions(file, [0, 10, 20, 30], 40);
    expect(texts).toEqual([
      { keyframe: 'first', clip: 'default clip' },
      { keyframe: '', clip: 'default clip' },
      { keyframe: '', clip: 'middle clip' },
      { keyframe: 'after middle', clip: 'default clip' },
    ]);
  });

  it('ignores frames past the end and items past the last clip', () => {
    const texts = assignDescriptions(validateDescriptions({ items: [{ frame: 99, keyframe: 'x' }, { keyframe: 'a' }, { keyframe: 'b' }] }), [0], 10);
    expect(texts).toEqual([{ keyframe: 'a', clip: '' }]);
  });

  it('finds the clip of a frame by binary search', () => {
    const ks = [0, 5, 9, 30];
    expect([0, 4, 5, 8, 9, 29, 30, 100].map((f) => clipOfFrame(ks, f))).toEqual([0, 0, 1, 1, 2, 2, 3, 3]);
  });

  it('rejects malformed files with one line naming the problem', () => {
    expect(() => validateDescriptions([])).toThrow(/not a JSON object/);
    expect(() => validateDescriptions({ items: {} })).toThrow(/"items" is not an array/);
    expect(() => validateDescriptions({ items: [{ frame: -1 }] })).toThrow(/non-negative integer/);
    expect(() => validateDescriptions({ items: [{ keyframe: 3 }] })).toThrow(/must be strings/);
  });
});
