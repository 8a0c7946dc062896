/** The studio contract's types of the Dialogue: descriptions, transcripts, item states, LMM status, prompt templates. */
import type { Timestamp } from './contract.ts';

export type ItemKind = 'keyframe' | 'clip';

export interface DescriptionInfo {
  readonly sourceId: number;
  readonly itemKind: ItemKind;
  readonly itemIndex: number;
  /** The keyframe's frame index (for a clip: the frame of the keyframe that opens it). */
  readonly frameIndex: number;
  readonly text: string;
  readonly origin: 'user' | 'lmm' | 'file';
  /** Size after the project's text coding. */
  readonly bits: number;
  readonly updatedAt: Timestamp;
  /**
   * True when the item it was written for is not in the source's current selection (a keyframe text's frame
   * is no longer a keyframe, a clip text's span is no longer a clip): encodes leave it out. Main always sets it.
   */
  readonly stale?: boolean;
  /**
   * A clip text from the LMM whose keyframe text changed after the clip was described (its dialogue was given
   * another keyframe text than the current one). Encodes still use it; re-running the clip brings it up to date.
   */
  readonly keyframeChanged?: boolean;
}

/** none: never described; edited: written by hand; stale: see DescriptionInfo.stale and keyframeChanged. */
export type DialogueItemState = 'none' | 'described' | 'edited' | 'stale' | 'failed' | 'running';

/** One keyframe or clip of the source's current selection and where its description stands. */
export interface DialogueItemInfo {
  readonly kind: ItemKind;
  /** 0-based position in the selection (the UI shows index + 1). */
  readonly index: number;
  /** The keyframe's frame (a clip's first frame). */
  readonly frame: number;
  /** The clip's last frame; the keyframe's frame for a keyframe. */
  readonly lastFrame: number;
  readonly state: DialogueItemState;
  /** state 'failed': why the item's last dialogue failed; state 'stale': why its text is out of date. */
  readonly reason: string | null;
}

export interface DialogueRound {
  readonly round: number;
  readonly template: string;
  readonly prompt: string;
  readonly answer: string;
  readonly model: string;
  readonly ms: number;
  readonly cached: boolean;
  /** Why this round has no answer (a failed request, or a grounding answer that was refused); null when it answered. */
  readonly error: string | null;
}

export interface DialogueTranscript {
  readonly id: number;
  readonly itemKind: ItemKind;
  readonly itemIndex: number;
  readonly model: string;
  readonly startedAt: Timestamp;
  readonly finishedAt: Timestamp | null;
  readonly status: string;
  readonly description: string | null;
  /** Why the dialogue failed (status 'failed'). */
  readonly error?: string | null;
  readonly rounds: DialogueRound[];
}

export type LmmState = 'not-configured' | 'unreachable' | 'ready';

export interface LmmStatus {
  readonly state: LmmState;
  readonly baseUrl: string | null;
  readonly model: string | null;
  /** Models the endpoint lists (when reachable). */
  readonly models: string[];
  /** What to do next, for display. */
  readonly message: string;
}

export interface PromptTemplateInfo {
  readonly id: string;
  /** The versioned default from resources/prompts. */
  readonly defaultText: string;
  /** The project's override, if any. */
  readonly projectText: string | null;
  /** Variables the template may use, without braces. */
  readonly variables: string[];
}

export interface PromptsInfo {
  readonly projectId: number;
  readonly version: string;
  readonly templates: PromptTemplateInfo[];
  /** Per-item overrides keyed "keyframe:3" / "clip:3", template id -> text. */
  readonly items: Record<string, Record<string, string>>;
}

