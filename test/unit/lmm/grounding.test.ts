import { describe, expect, it } from 'vitest';
import { firstJsonValue, parseRegionsAnswer } from '../../../src/main/lmm/grounding.ts';
import { M3cError } from '../../../src/shared/engine/errors.ts';

const IMAGE = { width: 512, height: 320 };

function refused(answer: string, max?: number): string {
  try {
    parseRegionsAnswer(answer, IMAGE, max);
  } catch (e) {
    expect(e).toBeInstanceOf(M3cError);
    expect((e as M3cError).code).toBe('lmm');
    expect((e as Error).message).not.toMatch(/\n/);
    return (e as Error).message;
  }
  throw new Error(`accepted: ${answer}`);
}

describe('the grounding answer schema', () => {
  it('reads the shape the template asks for, with defaults for weight and label', () => {
    const r = parseRegionsAnswer('{"regions": [{"box": [0.25, 0.25, 0.5, 0.5], "label": "cyclist", "weight": 2}, {"box": [0, 0, 0.1, 0.2]}]}', IMAGE);
    expect(r).toEqual([
      { box: [0.25, 0.25, 0.5, 0.5], label: 'cyclist', weight: 2, source: 'lmm' },
      { box: [0, 0, 0.1, 0.2], label: '', weight: 1, source: 'lmm' },
    ]);
    expect(parseRegionsAnswer('{"regions": []}', IMAGE)).toEqual([]);
  });

  it('tolerates a code fence and prose around the JSON, and a bare list', () => {
    const fenced = 'Here you are:\n```json\n[{"box": [0.5, 0.5, 0.25, 0.25], "label": "ball {1}"}]\n```\nHope it helps.';
    expect(parseRegionsAnswer(fenced, IMAGE)).toEqual([{ box: [0.5, 0.5, 0.25, 0.25], label: 'ball {1}', weight: 1, source: 'lmm' }]);
  });

  it("reads Qwen2.5-VL's bbox_2d corners in pixels of the image shown, and in [0, 1]", () => {
    const [px] = parseRegionsAnswer('[{"bbox_2d": [128, 80, 384, 240], "label": "face"}]', IMAGE);
    expect(px.box).toEqual([0.25, 0.25, 0.5, 0.5]);
    const [unit] = parseRegionsAnswer('[{"bbox_2d": [0.6, 0.2, 0.1, 0.8], "label": "post"}]', IMAGE);
    expect(unit.box[0]).toBeCloseTo(0.1);
    expect(unit.box[2]).toBeCloseTo(0.5);
  });

  it('clips a box that sticks out a little, refuses one that lies outside', () => {
    const [r] = parseRegionsAnswer('{"regions": [{"box": [0.8, 0.9, 0.23, 0.12]}]}', IMAGE);
    expect(r.box[0] + r.box[2]).toBeCloseTo(1);
    expect(r.box[1] + r.box[3]).toBeCloseTo(1);
    expect(refused('{"regions": [{"box": [1.5, 0, 0.2, 0.2]}]}')).toMatch(/region 1 lies outside the frame/);
  });

  it('refuses what is not the schema with a one-line reason that quotes the answer', () => {
    expect(refused('The cyclist on the left matters most.')).toMatch(/holds no JSON object or list: the model answered "The cyclist/);
    expect(refused('{"boxes": []}')).toMatch(/is not \{"regions": \[\.\.\.\]\}/);
    expect(refused('{"regions": {"box": [0, 0, 1, 1]}}')).toMatch(/not a list/);
    expect(refused('{"regions": [{"label": "x"}]}')).toMatch(/region 1 has no "box"/);
    expect(refused('{"regions": [{"box": [0, 0, "a", 1]}]}')).toMatch(/four numbers/);
    expect(refused('{"regions": [{"box": [0, 0, 0, 0.5]}]}')).toMatch(/not above 0/);
    expect(refused('{"regions": [{"box": [0, 0, 0.001, 0.5]}]}')).toMatch(/smaller than 1\/64/);
    expect(refused('{"regions": [{"box": [0, 0, 0.5, 0.5], "weight": -1}]}')).toMatch(/"weight" must be a number > 0/);
    expect(refused('{"regions": [{"box": [0, 0, 0.5, 0.5], "label": 3}]}')).toMatch(/"label" must be a string/);
    const four = `{"regions": [${Array(4).fill('{"box": [0, 0, 0.5, 0.5]}').join(', ')}]}`;
    expect(refused(four, 3)).toMatch(/has 4 regions, at most 3/);
    expect(refused(`${'x'.repeat(500)}`)).toMatch(/\.\.\."$/);
  });

  it('finds the first balanced JSON value, strings and escapes respected', () => {
    expect(firstJsonValue('a {"s": "} ] \\" {"} b')).toBe('{"s": "} ] \\" {"}');
    expect(firstJsonValue('[1, 2')).toBeNull();
    expect(firstJsonValue('{bad} then [3]')).toBe('[3]');
  });
});
