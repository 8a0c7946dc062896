/**
 * Where each item of the dialogue stands (described, edited, stale, failed, running), and the summary a describe
 * job fails with. Pure over the stored descriptions and transcripts: the DialogueApi reads them and calls these.
 */
import type { DialogueItemInfo, ItemKind } from '../../../shared/api/contract.ts';
import type { DescriptionRecord } from '../../store/index.ts';
import type { TranscriptRow } from '../../store/lmm.ts';
import { clipEnd, isCurrent } from '../../pipeline/descriptions-file.ts';
import type { Selection } from '../../pipeline/describe.ts';

/** "keyframe 4 of 11": the one numbering of the studio (1-based, as the prompts' item_number). */
export function itemName(kind: ItemKind, index: number, count: number): string {
  return `${kind} ${index + 1} of ${count}`;
}

function pinnedOf(d: DescriptionRecord): { kind: ItemKind; frame: number; end: number | null; text: string } {
  return { kind: d.itemKind, frame: d.frameIndex, end: d.endFrame, text: d.text };
}

/** The keyframe text a clip's dialogue was given, as describeWith records it in the clip's transcript settings. */
function keyframeBasis(t: TranscriptRow): string | undefined {
  const basis = (t.settings as { keyframeDescription?: unknown } | null)?.keyframeDescription;
  return typeof basis === 'string' ? basis : undefined;
}

/**
 * True when an LMM clip text was built on a keyframe text other than the current one. The keyframe text given to
 * the clip's dialogue is kept in its transcript and compared with the keyframe's text now; for transcripts from
 * before that was kept, the keyframe text being newer than the clip text stands in.
 */
export function keyframeChanged(clip: DescriptionRecord, keyframe: DescriptionRecord | undefined, transcripts: readonly TranscriptRow[]): boolean {
  if (clip.itemKind !== 'clip' || clip.origin !== 'lmm' || !keyframe) return false;
  const own = transcripts.filter((t) => t.itemKind === 'clip' && t.frameIndex === clip.frameIndex && t.status === 'done' && t.description === clip.text);
  const basis = own.length > 0 ? keyframeBasis(own[own.length - 1]) : undefined;
  return basis !== undefined ? basis !== keyframe.text : keyframe.updatedAt > clip.updatedAt;
}

export interface ItemsInput {
  readonly selection: Selection;
  readonly descriptions: readonly DescriptionRecord[];
  /** The source's transcripts, oldest first. */
  readonly transcripts: readonly TranscriptRow[];
  /** A describe job of the source is queued or running (a transcript left 'running' without one is not). */
  readonly describing: boolean;
}

export function dialogueItems({ selection, descriptions, transcripts, describing }: ItemsInput): DialogueItemInfo[] {
  const { keyframes, frameCount } = selection;
  const text = (kind: ItemKind, frame: number): DescriptionRecord | undefined => descriptions.find((d) => d.itemKind === kind && d.frameIndex === frame);
  const out: DialogueItemInfo[] = [];
  for (let index = 0; index < keyframes.length; index++) {
    const frame = keyframes[index];
    for (const kind of ['keyframe', 'clip'] as const) {
      const lastFrame = kind === 'clip' ? clipEnd(keyframes, index, frameCount) - 1 : frame;
      const d = text(kind, frame);
      const runs = transcripts.filter((t) => t.itemKind === kind && t.frameIndex === frame);
      const last = runs.length > 0 ? runs[runs.length - 1] : undefined;
      const lastEnd = last ? last.startedAt + (last.durationMs ?? 0) : 0;
      let state: DialogueItemInfo['state'] = 'none';
      let reason: string | null = null;
      if (last?.status === 'running' && describing) state = 'running';
      else if (last?.status === 'failed' && (!d || d.updatedAt < lastEnd)) {
        state = 'failed';
        reason = last.error;
      } else if (d && !isCurrent(pinnedOf(d), keyframes, frameCount)) {
        state = 'stale';
        reason = 'written for another selection: encodes leave it out';
      } else if (d && kind === 'clip' && keyframeChanged(d, text('keyframe', frame), transcripts)) {
        state = 'stale';
        reason = 'its keyframe text changed after this clip was described: re-run the clip';
      } else if (d) state = d.origin === 'user' ? 'edited' : 'described';
      out.push({ kind, index, frame, lastFrame, state, reason });
    }
  }
  return out;
}

/**
 * What a describe job that failed says: how many of its items were described and which failed, with the reason
 * ("9 of 22 items described; keyframe 4 of 11 failed: ..."). `failed` are the transcripts that failed in the job.
 */
export function describeFailure(reason: string, o: { described: number; total: number; itemCount: number; failed: readonly TranscriptRow[] }): string {
  const names = o.failed.map((t) => itemName(t.itemKind, t.itemIndex, o.itemCount));
  const list = names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
  const what = list ? `${list} failed` : 'the dialogue stopped';
  const head = o.total > 1 ? `${o.described} of ${o.total} items described; ${what}` : what;
  return `${head.charAt(0).toUpperCase()}${head.slice(1)}: ${reason}`;
}
