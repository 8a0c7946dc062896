/**
 * Where the dialogue engine writes: transcripts (every round, answered or not) and the answer cache.
 * The project database implements this (src/main/store/lmm.ts); MemoryLmmRecords serves runs without a project.
 */
import type { ItemKind } from './prompts.ts';

export type TranscriptStatus = 'running' | 'done' | 'failed' | 'cancelled';
export type RoundStatus = 'ok' | 'failed' | 'cancelled';

export interface TranscriptStart {
  readonly projectId: number | null;
  readonly sourceId: number | null;
  readonly itemKind: ItemKind;
  readonly itemIndex: number;
  /** Frame index of the keyframe that opens the item. */
  readonly frameIndex: number;
  readonly model: string;
  readonly promptVersion: string;
  /** Everything that shaped the answers: server, sampling, rounds, budget. */
  readonly settings: unknown;
  /** Milliseconds since the Unix epoch. */
  readonly startedAt: number;
}

export interface RoundRecord {
  /** 1-based position in the conversation. */
  readonly roundNumber: number;
  /** Template id that produced the prompt, e.g. "keyframe-objects". */
  readonly name: string;
  readonly prompt: string;
  /** sha-256 of each image attached to this round's message, in order. */
  readonly imageHashes: readonly string[];
  readonly answer: string | null;
  /** Model the server reported (the requested one for cache hits and failures). */
  readonly model: string;
  readonly settings: unknown;
  readonly startedAt: number;
  readonly durationMs: number;
  readonly status: RoundStatus;
  readonly cacheHit: boolean;
  readonly cacheKey: string;
  readonly error: string | null;
}

export interface TranscriptEnd {
  readonly status: Exclude<TranscriptStatus, 'running'>;
  readonly durationMs: number;
  readonly description: string | null;
  readonly descriptionBits: number | null;
  readonly error: string | null;
}

export interface CachedAnswer {
  readonly answer: string;
  readonly model: string;
}

/** Each method is atomic: recordRound stores the round and, for a fresh answer, its cache entry together. */
export interface LmmRecords {
  lookupAnswer(key: string): CachedAnswer | undefined;
  beginTranscript(start: TranscriptStart): number;
  recordRound(transcriptId: number, round: RoundRecord): void;
  finishTranscript(transcriptId: number, end: TranscriptEnd): void;
}

export interface MemoryTranscript extends TranscriptStart {
  readonly id: number;
  status: TranscriptStatus;
  rounds: RoundRecord[];
  end?: TranscriptEnd;
}

/** In-process records: the cache lives as long as the object (one CLI run, one studio session without a project). */
export class MemoryLmmRecords implements LmmRecords {
  readonly transcripts: MemoryTranscript[] = [];
  readonly cache = new Map<string, CachedAnswer>();

  lookupAnswer(key: string): CachedAnswer | undefined {
    return this.cache.get(key);
  }

  beginTranscript(start: TranscriptStart): number {
    const id = this.transcripts.length + 1;
    this.transcripts.push({ ...start, id, status: 'running', rounds: [] });
    return id;
  }

  recordRound(transcriptId: number, round: RoundRecord): void {
    this.transcripts[transcriptId - 1].rounds.push(round);
    if (round.status === 'ok' && !round.cacheHit && round.answer !== null) {
      this.cache.set(round.cacheKey, { answer: round.answer, model: round.model });
    }
  }

  finishTranscript(transcriptId: number, end: TranscriptEnd): void {
    const t = this.transcripts[transcriptId - 1];
    t.status = end.status;
    t.end = end;
  }
}
