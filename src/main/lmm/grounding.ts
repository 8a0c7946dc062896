/**
 * The grounding round (issue 14): the keyframe dialogue's last, optional round asks the model for the regions
 * that matter as JSON boxes. Its answer is checked here against a small schema; an answer that fails is a
 * failure of that round alone (dialogue.ts keeps the description rounds and the transcript).
 *
 * Accepted answers, in order of preference:
 * - `{"regions": [{"box": [x, y, w, h], "label": "...", "weight": W}]}`, box in [0, 1] of the frame (what the
 *   template asks for); a bare list of such items is accepted too;
 * - Qwen2.5-VL's grounding shape, `[{"bbox_2d": [x1, y1, x2, y2], "label": "..."}]`, corners in pixels of the
 *   image the model was shown (in [0, 1] when every corner is).
 * A code fence or prose around the JSON is tolerated (the first JSON object or list in the answer is read).
 * Boxes that stick out of the frame by a little are clipped to it; weight defaults to 1, label to "".
 */
import { M3cError } from '../../shared/engine/errors.ts';
import { parseRegion, ROI_MIN_SIDE, type RoiRegion } from '../../shared/roi/index.ts';

/** A region the model named for a keyframe: no frame range yet (it covers the keyframe's clip). */
export type GroundedRegion = Omit<RoiRegion, 'frames'>;

export const DEFAULT_MAX_REGIONS = 3;
/** How far outside the frame a corner may lie (of the side) before the box is refused rather than clipped. */
const CLIP_SLACK = 0.05;

function fail(what: string): never {
  throw new M3cError('lmm', `regions answer ${what}`);
}

/** The first balanced JSON object or list in `text` (strings and escapes respected), or null. */
export function firstJsonValue(text: string): string | null {
  for (let start = 0; start < text.length; start++) {
    const open = text[start];
    if (open !== '{' && open !== '[') continue;
    const stack: string[] = [];
    let inString = false;
    for (let i = start; i < text.length; i++) {
      const c = text[i];
      if (inString) {
        if (c === '\\') i++;
        else if (c === '"') inString = false;
        continue;
      }
      if (c === '"') inString = true;
      else if (c === '{' || c === '[') stack.push(c === '{' ? '}' : ']');
      else if (c === '}' || c === ']') {
        if (stack.pop() !== c) break;
        if (stack.length === 0) {
          const candidate = text.slice(start, i + 1);
          try {
            JSON.parse(candidate);
            return candidate;
          } catch {
            break;
          }
        }
      }
    }
  }
  return null;
}

function quote(answer: string): string {
  const flat = answer.replace(/\s+/g, ' ').trim();
  return flat.length > 120 ? `"${flat.slice(0, 117)}..."` : `"${flat}"`;
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Corners (x1, y1, x2, y2) in [0, 1] to a box inside the frame, or a reason it cannot be one. */
function cornersToBox(x1: number, y1: number, x2: number, y2: number, where: string): [number, number, number, number] {
  const lo = -CLIP_SLACK;
  const hi = 1 + CLIP_SLACK;
  if ([x1, y1, x2, y2].some((c) => c < lo || c > hi)) fail(`${where} lies outside the frame`);
  const [a, b] = [Math.max(0, Math.min(x1, x2)), Math.min(1, Math.max(x1, x2))];
  const [c, d] = [Math.max(0, Math.min(y1, y2)), Math.min(1, Math.max(y1, y2))];
  if (b - a < ROI_MIN_SIDE || d - c < ROI_MIN_SIDE) fail(`${where} is smaller than 1/64 of the frame`);
  return [a, c, b - a, d - c];
}

/**
 * Checks a grounding answer and returns its regions (at most `maxRegions`, in the model's order). `image` is the
 * size of the keyframe the model was shown, for pixel coordinates. Throws M3cError('lmm') with a one-line reason
 * that quotes the start of the answer.
 */
export function parseRegionsAnswer(answer: string, image: { width: number; height: number }, maxRegions = DEFAULT_MAX_REGIONS): GroundedRegion[] {
  const json = firstJsonValue(answer);
  if (json === null) fail(`holds no JSON object or list: the model answered ${quote(answer)}`);
  const value: unknown = JSON.parse(json);
  let items: unknown;
  if (Array.isArray(value)) items = value;
  else if (typeof value === 'object' && value !== null && 'regions' in value) items = (value as { regions: unknown }).regions;
  else fail(`is not {"regions": [...]}: the model answered ${quote(answer)}`);
  if (!Array.isArray(items)) fail(`has "regions" that is not a list: the model answered ${quote(answer)}`);
  if (items.length > maxRegions) fail(`has ${items.length} regions, at most ${maxRegions} were asked for`);
  return items.map((item, i) => {
    const where = `region ${i + 1}`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) fail(`${where} is not an object`);
    const o = item as Record<string, unknown>;
    let box: [number, number, number, number];
    if (Array.isArray(o.box)) {
      if (o.box.length !== 4 || !o.box.every(isNum)) fail(`${where}: "box" must be [x, y, width, height], four numbers in [0, 1]`);
      const [x, y, w, h] = o.box as number[];
      if (w <= 0 || h <= 0) fail(`${where}: "box" has a width or height that is not above 0`);
      // Inside the frame it stays as given; only a box that sticks out goes through the corners to be clipped.
      box = x >= 0 && y >= 0 && x + w <= 1 && y + h <= 1 ? [x, y, w, h] : cornersToBox(x, y, x + w, y + h, where);
    } else if (Array.isArray(o.bbox_2d)) {
      if (o.bbox_2d.length !== 4 || !o.bbox_2d.every(isNum)) fail(`${where}: "bbox_2d" must be [x1, y1, x2, y2], four numbers`);
      const c = o.bbox_2d as number[];
      const normalised = c.every((v) => v >= 0 && v <= 1);
      const [sx, sy] = normalised ? [1, 1] : [image.width, image.height];
      box = cornersToBox(c[0] / sx, c[1] / sy, c[2] / sx, c[3] / sy, where);
    } else fail(`${where} has no "box"`);
    const label = o.label ?? '';
    if (typeof label !== 'string') fail(`${where}: "label" must be a string`);
    // The shared checker has the last word on weight and label (the same limits as a --roi file).
    const r = parseRegion({ frames: [0, 0], box, weight: o.weight ?? 1, label: label.trim(), source: 'lmm' }, where, { code: 'lmm' });
    return { box: r.box, weight: r.weight, label: r.label, source: 'lmm' as const };
  });
}
