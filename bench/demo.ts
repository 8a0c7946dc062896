/** The sample clips that `m3c demo` (`npm run demo`) encodes when it is given none. */
import { clipPath } from './media.ts';

export const DEMO_CLIPS = ['bikes', '04_coffee'] as const;

export function demoSamples(): string[] {
  return DEMO_CLIPS.map((c) => clipPath(c));
}
