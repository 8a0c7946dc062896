import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { base64ToBytes } from '../../shared/api/base64.ts';
import type { RateModel, SavedSelection, SourceInfo } from '../../shared/api/contract.ts';
import { DEFAULT_SELECTION, deserialiseFrameSignals } from '../../shared/keyframes/index.ts';
import type { FrameSignals, SelectionParams } from '../../shared/keyframes/index.ts';
import { toShownError, type ShownError } from '../components/common.tsx';
import { useStudio } from '../context.tsx';
import { computeTimeline, type TimelineState } from '../timeline/model.ts';

export type SaveState = 'idle' | 'pending' | 'saving' | 'saved' | 'error';

export interface TimelineHook {
  readonly status: 'no-source' | 'no-analysis' | 'loading' | 'ready' | 'error';
  readonly signals: FrameSignals | null;
  readonly params: SelectionParams;
  readonly setParams: (params: SelectionParams) => void;
  /** The selection for `params`, or the last valid one while `paramsError` is set. */
  readonly timeline: TimelineState | null;
  readonly paramsError: ShownError | null;
  readonly rate: RateModel | null;
  readonly loadError: ShownError | null;
  readonly saveState: SaveState;
  readonly saveError: ShownError | null;
  /** The selection main last stored (what encode and describe use). */
  readonly saved: SavedSelection | null;
  /** Stores pending parameter changes now; encode and describe call it first so main uses what is on screen. */
  readonly flush: () => Promise<void>;
  readonly reload: () => void;
}

/** How long the controls must rest before the selection is written to the project (the on-screen update is immediate). */
export const SAVE_DELAY_MS = 400;

/**
 * Signals of the source's analysis are fetched and deserialised once; every parameter change re-selects
 * synchronously from them in the renderer, and is persisted in the background.
 */
export function useTimeline(source: SourceInfo | null): TimelineHook {
  const { client } = useStudio();
  const sourceId = source?.id ?? null;
  const analysisId = source?.analysis?.id ?? null;
  const [signals, setSignals] = useState<FrameSignals | null>(null);
  const [params, setParamsState] = useState<SelectionParams>(DEFAULT_SELECTION);
  const [rate, setRate] = useState<RateModel | null>(null);
  const [loading, setLoading] = useState(false);
  const [loadError, setLoadError] = useState<ShownError | null>(null);
  const [saveState, setSaveState] = useState<SaveState>('idle');
  const [saveError, setSaveError] = useState<ShownError | null>(null);
  const [saved, setSaved] = useState<SavedSelection | null>(null);
  const [generation, setGeneration] = useState(0);

  const pending = useRef<{ sourceId: number; params: SelectionParams } | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const inFlight = useRef<Promise<void>>(Promise.resolve());

  const flush = useCallback((): Promise<void> => {
    if (timer.current !== null) {
      clearTimeout(timer.current);
      timer.current = null;
    }
    const job = pending.current;
    pending.current = null;
    if (!job) return inFlight.current;
    setSaveState('saving');
    const run = inFlight.current.then(() =>
      client.saveSelection({ sourceId: job.sourceId, params: job.params }).then(
        (s) => {
          setSaved((prev) => (prev === null || prev.sourceId === s.sourceId ? s : prev));
          if (!pending.current) setSaveState('saved');
          setSaveError(null);
        },
        (e: unknown) => {
          setSaveState('error');
          setSaveError(toShownError(e));
          throw e;
        },
      ),
    );
    // A failed save must not poison the next one; the error is already shown.
    inFlight.current = run.catch(() => undefined);
    return run;
  }, [client]);

  useEffect(() => {
    if (sourceId === null || analysisId === null) {
      setSignals(null);
      return;
    }
    let live = true;
    setLoading(true);
    setLoadError(null);
    setSignals(null);
    setSaved(null);
    setSaveState('idle');
    Promise.all([client.getSignals({ sourceId }), client.getSelection({ sourceId }), client.getRateModel({ sourceId })]).then(
      ([payload, selection, rateModel]) => {
        if (!live) return;
        try {
          setSignals(deserialiseFrameSignals(base64ToBytes(payload.signalsBase64)));
        } catch (e) {
          setLoadError(toShownError(e));
        }
        setParamsState(selection?.params ?? DEFAULT_SELECTION);
        setSaved(selection);
        setRate(rateModel);
        setLoading(false);
      },
      (e: unknown) => {
        if (!live) return;
        setLoadError(toShownError(e));
        setLoading(false);
      },
    );
    return () => {
      live = false;
      // Leaving a source keeps what was tuned on it.
      if (pending.current) void flush().catch(() => undefined);
    };
  }, [client, sourceId, analysisId, generation, flush]);

  const setParams = useCallback(
    (next: SelectionParams) => {
      setParamsState(next);
      if (sourceId === null) return;
      pending.current = { sourceId, params: next };
      setSaveState('pending');
      if (timer.current !== null) clearTimeout(timer.current);
      timer.current = setTimeout(() => {
        timer.current = null;
        void flush().catch(() => undefined);
      }, SAVE_DELAY_MS);
    },
    [sourceId, flush],
  );

  const lastGood = useRef<TimelineState | null>(null);
  const computed = useMemo((): { timeline: TimelineState | null; error: ShownError | null } => {
    if (!signals) return { timeline: null, error: null };
    try {
      return { timeline: computeTimeline(signals, params), error: null };
    } catch (e) {
      return { timeline: null, error: toShownError(e) };
    }
  }, [signals, params]);
  if (computed.timeline) lastGood.current = computed.timeline;
  else if (!signals) lastGood.current = null;

  const reload = useCallback(() => setGeneration((g) => g + 1), []);

  const status: TimelineHook['status'] =
    sourceId === null ? 'no-source' : analysisId === null ? 'no-analysis' : loadError ? 'error' : loading || !signals ? 'loading' : 'ready';

  return {
    status,
    signals,
    params,
    setParams,
    timeline: computed.timeline ?? lastGood.current,
    paramsError: computed.error,
    rate,
    loadError,
    saveState,
    saveError,
    saved,
    flush,
    reload,
  };
}
