/** What every panel needs from the shell: the API client, navigation between sections and the marker colours. */
import { createContext, useContext, useEffect, useRef } from 'react';
import type { StudioClient } from '../shared/api/client.ts';
import type { StudioEvent } from '../shared/api/contract.ts';
import type { MarkerColours } from './theme.ts';

export type Section = 'projects' | 'timeline' | 'dialogue' | 'jobs' | 'compare' | 'settings';

export interface StudioContextValue {
  readonly client: StudioClient;
  readonly navigate: (section: Section) => void;
  readonly colours: MarkerColours;
}

export const StudioContext = createContext<StudioContextValue | null>(null);

export function useStudio(): StudioContextValue {
  const value = useContext(StudioContext);
  if (!value) throw new Error('useStudio outside <StudioContext.Provider>');
  return value;
}

/** Subscribes to main's events for the component's lifetime; the latest handler is always the one called. */
export function useStudioEvents(handler: (event: StudioEvent) => void): void {
  const { client } = useStudio();
  const ref = useRef(handler);
  ref.current = handler;
  useEffect(() => client.onEvent((e) => ref.current(e)), [client]);
}
