/** The one numbering of the Dialogue: 1-based, "of N", as the prompts' item_number and item_count. */
import type { DialogueItemState, ItemKind } from '../../../shared/api/contract.ts';

export interface ItemRef {
  readonly kind: ItemKind;
  /** 0-based position in the selection. */
  readonly index: number;
}

/** "Keyframe 11 of 11 · frame 77", "Clip 11 of 11 · frames 77–90". */
export function itemLabel(kind: ItemKind, index: number, count: number, frame: number, lastFrame: number): string {
  return kind === 'keyframe' ? `Keyframe ${index + 1} of ${count} · frame ${frame}` : `Clip ${index + 1} of ${count} · frames ${frame}–${lastFrame}`;
}

/** "keyframe 4 of 11", for sentences. */
export function itemName(item: ItemRef, count: number): string {
  return `${item.kind} ${item.index + 1} of ${count}`;
}

export const STATE_LABELS: Readonly<Record<DialogueItemState, string>> = {
  none: 'not described',
  described: 'described',
  edited: 'edited by hand',
  stale: 'stale',
  failed: 'failed',
  running: 'running',
};

export const STATE_COLORS: Readonly<Record<DialogueItemState, 'default' | 'success' | 'info' | 'warning' | 'error' | 'primary'>> = {
  none: 'default',
  described: 'success',
  edited: 'info',
  stale: 'warning',
  failed: 'error',
  running: 'primary',
};
