/** What the studio's worker thread computes; shared by the worker and the main side that starts it. */
import type { Geometry } from '../../shared/engine/frame.ts';
import type { SelectionParams } from '../../shared/keyframes/index.ts';
import type { DescriptionsFile } from '../pipeline/descriptions-file.ts';
import type { SectionBytes } from '../pipeline/summary.ts';
import type { KeyframeCodecKind } from '../pipeline/engine.ts';

/** Every task names the model pack folder (null: the default resources/models). */
export type WorkerTask =
  | { readonly kind: 'analysis'; readonly input: string; readonly geometry: Geometry; readonly modelsDir: string | null }
  | {
      readonly kind: 'encode';
      readonly input: string;
      readonly output: string;
      readonly geometry: Geometry;
      readonly selection: SelectionParams;
      readonly mode: 'interpolation' | 'prediction';
      readonly keyframeBudgetBytes: number | null;
      readonly keyframeCodec: KeyframeCodecKind;
      readonly modelsDir: string | null;
      readonly descriptions: DescriptionsFile;
      /** Serialised FrameSignals of the stored analysis (skips the analysis pass). */
      readonly signals: Uint8Array | null;
    }
  | {
      readonly kind: 'decode';
      readonly m3cPath: string;
      readonly output: string;
      readonly reference: string;
      readonly denoiserSteps: number;
      readonly modelsDir: string | null;
    };

export interface AnalysisOutcome {
  readonly frameCount: number;
  readonly signals: Uint8Array;
  readonly embedderId: string;
  readonly flowId: string;
}

export interface EncodeOutcome {
  readonly bytes: number;
  readonly bpp: number;
  readonly kbps: number;
  readonly frameCount: number;
  readonly durationSec: number;
  readonly keyframes: number[];
  readonly sections: SectionBytes;
  readonly timings: Record<string, number>;
}

export interface DecodeOutcome {
  readonly frames: number;
  readonly psnr: number[];
  readonly msssim: number[];
  readonly meanPsnr: number;
  readonly meanMsssim: number;
}

export type WorkerOutcome<T extends WorkerTask> = T extends { kind: 'analysis' }
  ? AnalysisOutcome
  : T extends { kind: 'encode' }
    ? EncodeOutcome
    : DecodeOutcome;

/** Main -> worker. */
export type ToWorker = { readonly type: 'run'; readonly task: WorkerTask } | { readonly type: 'cancel' };

/** Worker -> main. */
export type FromWorker =
  | { readonly type: 'progress'; readonly stage: string; readonly done: number; readonly total: number }
  | { readonly type: 'result'; readonly value: AnalysisOutcome | EncodeOutcome | DecodeOutcome }
  | { readonly type: 'error'; readonly code: string; readonly message: string };
