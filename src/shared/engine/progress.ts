/** Progress of a long job, reported per stage. `total` is 0 when unknown. */
export interface ProgressEvent {
  readonly stage: string;
  readonly done: number;
  readonly total: number;
  readonly message?: string;
}

export type ProgressListener = (event: ProgressEvent) => void;

/** Estimated seconds left from the elapsed time and the fraction done; undefined until it can be told. */
export function etaSeconds(elapsedMs: number, done: number, total: number): number | undefined {
  if (total <= 0 || done <= 0 || done > total) return undefined;
  return ((elapsedMs / done) * (total - done)) / 1000;
}
