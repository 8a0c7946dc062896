/**
 * "Texts on" in `m3c bench rd` without an LMM: a fixed descriptions file written by the bench, one
 * keyframe text and one clip text per clip, of the length the LMM dialogue gives on the evaluation
 * clips (about 45 and 30 words). The words describe no particular clip: the point is the rate the
 * texts cost and what the decoder does with texts present, not their accuracy. The report says so.
 */
import type { DescriptionsFile } from '../../src/main/pipeline/descriptions-file.ts';

export const BENCH_KEYFRAME_TEXT =
  'A medium shot of a person in a dark jacket sitting at a wooden table near a bright window, holding a white cup in the right hand; a shelf with books and a green plant stands behind, soft daylight comes from the left and the background is slightly out of focus.';
export const BENCH_CLIP_TEXT =
  'The person lifts the cup, drinks and puts it back on the table while turning the head slightly towards the window; the camera stays still and the light does not change.';

export const BENCH_DESCRIPTIONS: DescriptionsFile = { items: [], default: { keyframe: BENCH_KEYFRAME_TEXT, clip: BENCH_CLIP_TEXT } };

export const TEXTS_NOTE = `"Texts on" (ours-texts) uses a fixed descriptions file written by the bench, not an LMM: every clip gets the same keyframe text (${BENCH_KEYFRAME_TEXT.split(' ').length} words) and clip text (${BENCH_CLIP_TEXT.split(' ').length} words), of realistic length; the other series carry no texts`;
