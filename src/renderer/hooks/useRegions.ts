import { useCallback, useEffect, useState } from 'react';
import type { RegionInfo, RegionInput } from '../../shared/api/contract.ts';
import { toShownError, type ShownError } from '../components/common.tsx';
import { useStudio, useStudioEvents } from '../context.tsx';

export interface RegionsState {
  readonly regions: readonly RegionInfo[];
  readonly error: ShownError | null;
  /** Whether a change (a track, most often) is running in main. */
  readonly busy: boolean;
  readonly add: (region: RegionInput) => Promise<void>;
  readonly update: (regionId: number, region: RegionInput, track: boolean) => Promise<void>;
  readonly remove: (regionId: number) => Promise<void>;
}

/** A source's regions of interest, reloaded when main says they changed. */
export function useRegions(sourceId: number | null): RegionsState {
  const { client } = useStudio();
  const [regions, setRegions] = useState<readonly RegionInfo[]>([]);
  const [error, setError] = useState<ShownError | null>(null);
  const [busy, setBusy] = useState(false);

  const refresh = useCallback(() => {
    if (sourceId === null) {
      setRegions([]);
      return;
    }
    client.listRegions({ sourceId }).then(
      (list) => {
        setRegions(list);
        setError(null);
      },
      (e: unknown) => setError(toShownError(e)),
    );
  }, [client, sourceId]);

  useEffect(refresh, [refresh]);
  useStudioEvents((e) => {
    if (e.type === 'regions-changed' && e.sourceId === sourceId) refresh();
  });

  const run = useCallback(
    async (fn: () => Promise<unknown>) => {
      setBusy(true);
      try {
        await fn();
        setError(null);
      } catch (e) {
        setError(toShownError(e));
      } finally {
        setBusy(false);
        refresh();
      }
    },
    [refresh],
  );

  const add = useCallback((region: RegionInput) => run(() => client.addRegion({ sourceId: sourceId as number, region, track: true })), [client, run, sourceId]);
  const update = useCallback((regionId: number, region: RegionInput, track: boolean) => run(() => client.updateRegion({ regionId, region, track })), [client, run]);
  const remove = useCallback((regionId: number) => run(() => client.deleteRegion({ regionId, wholeTrack: true })), [client, run]);
  return { regions, error, busy, add, update, remove };
}
