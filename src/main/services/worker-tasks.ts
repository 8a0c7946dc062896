/** What the studio's worker thread computes; shared by the worker and the main side that starts it. */
import type { Geometry } from '../../shared/engine/frame.ts';
import type { Fit, WorkingGeometry } from '../../shared/api/contract.ts';
import type { SelectionParams } from '../../shared/keyframes/index.ts';
import type { DescriptionsFile } from '../pipeline/descriptions-file.ts';
import type { SectionBytes } from '../pipeline/container.ts';
import type { ReconstructionMode } from '../../shared/engine/interfaces.ts';
import type { GuidedSummary } from '../pipeline/encode.ts';
import type { KeyframeCodecKind } from '../pipeline/engine.ts';
import type { FinishedText } from '../pipeline/describe.ts';
import type { SourceAnchor } from '../pipeline/anchor.ts';
import type { DescribeOptions, ItemKind, PromptConfig } from '../lmm/index.ts';
import type { RoiSpec } from '../../shared/roi/index.ts';

/** Every compute task names the model pack folder (null: the default resources/models); describe needs none. */
export type WorkerTask =
  /** fit: how the source is fitted into the geometry (absent: 'crop'); the analysis is stored under it. */
  | { readonly kind: 'analysis'; readonly input: string; readonly geometry: Geometry; readonly fit?: Fit; readonly modelsDir: string | null }
  | {
      readonly kind: 'encode';
      readonly input: string;
      readonly output: string;
      readonly geometry: Geometry;
      /** How the source is fitted into the geometry: the same fit as the stored analysis's signals. */
      readonly fit: Fit;
      readonly selection: SelectionParams;
      readonly mode: ReconstructionMode;
      /** Guided files: the whole file's rate in kbit/s (null: the encoder's default). */
      readonly targetKbps: number | null;
      /** Per clip, a mode other than `mode` (null entries and a null list: `mode`). */
      readonly clipModes: readonly (ReconstructionMode | null)[] | null;
      readonly keyframeBudgetBytes: number | null;
      readonly keyframeCodec: KeyframeCodecKind;
      readonly modelsDir: string | null;
      readonly descriptions: DescriptionsFile;
      /** Serialised FrameSignals of the stored analysis (skips the analysis pass). */
      readonly signals: Uint8Array | null;
      /** Guided files: the regions of interest the encoder honours (null: none). */
      readonly roi?: RoiSpec | null;
    }
  | {
      readonly kind: 'decode';
      readonly m3cPath: string;
      readonly output: string;
      readonly reference: string;
      /** The fit the encode was made with: the reference is read with it, as the coded frames were. */
      readonly fit: Fit;
      readonly denoiserSteps: number;
      /** Fidelity/realism of guided files restored by the pack's model (0..1). */
      readonly realism?: number;
      readonly modelsDir: string | null;
    }
  | {
      /** Re-encode with new texts: the finished .m3c at m3cPath with its texts replaced, written to output. */
      readonly kind: 'retext';
      readonly m3cPath: string;
      readonly output: string;
      readonly descriptions: DescriptionsFile;
      readonly modelsDir: string | null;
    }
  | {
      /** The classical anchor of a source for the R-D chart (pipeline/anchor.ts). */
      readonly kind: 'anchor';
      readonly input: string;
      readonly geometry: WorkingGeometry;
    }
  | {
      readonly kind: 'describe';
      readonly input: string;
      /** With the source's fit, so the model sees the frames as they are coded. */
      readonly geometry: WorkingGeometry;
      readonly keyframes: readonly number[];
      readonly frameCount: number;
      /** null: every keyframe and clip of the selection; otherwise these items. */
      readonly items: readonly { readonly kind: ItemKind; readonly index: number }[] | null;
      readonly lmm: DescribeOptions;
      readonly prompts: PromptConfig;
      /** The project database file: the worker writes transcripts and cached answers there through its own connection. */
      readonly database: string;
      readonly projectId: number;
      readonly sourceId: number;
      /** Stored keyframe descriptions as [frame, text], for chosen items whose dialogue uses a keyframe's text. */
      readonly keyframeTexts: readonly (readonly [number, string])[];
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
  /** Guided files (encode only): the guide chosen and the rate split. */
  readonly guided?: GuidedSummary;
}

export interface DecodeOutcome {
  readonly frames: number;
  readonly psnr: number[];
  readonly msssim: number[];
  readonly meanPsnr: number;
  readonly meanMsssim: number;
}

export type AnchorOutcome = SourceAnchor;

export interface DescribeOutcome {
  /** Descriptions finished (each was sent to main as a 'description' message). */
  readonly described: number;
}

export type WorkerOutcome<T extends WorkerTask> = T extends { kind: 'analysis' }
  ? AnalysisOutcome
  : T extends { kind: 'encode' } | { kind: 'retext' }
    ? EncodeOutcome
    : T extends { kind: 'decode' }
      ? DecodeOutcome
      : T extends { kind: 'anchor' }
        ? AnchorOutcome
        : DescribeOutcome;

/** Main -> worker. */
export type ToWorker = { readonly type: 'run'; readonly task: WorkerTask } | { readonly type: 'cancel' };

/** Worker -> main. */
export type FromWorker =
  | { readonly type: 'progress'; readonly stage: string; readonly done: number; readonly total: number }
  | { readonly type: 'description'; readonly description: FinishedText }
  | { readonly type: 'result'; readonly value: AnalysisOutcome | EncodeOutcome | DecodeOutcome | DescribeOutcome | AnchorOutcome }
  | { readonly type: 'error'; readonly code: string; readonly message: string };
