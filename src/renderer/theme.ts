import { createTheme, type Theme } from '@mui/material/styles';

export type ThemeMode = 'light' | 'dark';

/** Colours of keyframe markers, shared by the track, the filmstrip and the plots so a kind reads the same everywhere. */
export interface MarkerColours {
  readonly auto: string;
  readonly added: string;
  readonly removed: string;
  readonly cursor: string;
  readonly threshold: string;
}

export function markerColours(mode: ThemeMode): MarkerColours {
  return mode === 'dark'
    ? { auto: '#64b5f6', added: '#ffb74d', removed: '#ef5350', cursor: '#e0e0e0', threshold: '#ce93d8' }
    : { auto: '#1565c0', added: '#e65100', removed: '#c62828', cursor: '#212121', threshold: '#7b1fa2' };
}

export function createStudioTheme(mode: ThemeMode): Theme {
  return createTheme({
    palette: { mode, primary: { main: mode === 'dark' ? '#90caf9' : '#1565c0' } },
    shape: { borderRadius: 6 },
    // The studio is a tool: no ripples or long transitions competing with the video.
    transitions: { create: () => 'none' },
    components: {
      MuiButtonBase: { defaultProps: { disableRipple: true } },
    },
  });
}

const STORAGE_KEY = 'm3c-theme';

export function initialThemeMode(storage: Pick<Storage, 'getItem'> | null, prefersDark: boolean): ThemeMode {
  const saved = storage?.getItem(STORAGE_KEY);
  if (saved === 'light' || saved === 'dark') return saved;
  return prefersDark ? 'dark' : 'light';
}

export function saveThemeMode(storage: Pick<Storage, 'setItem'> | null, mode: ThemeMode): void {
  storage?.setItem(STORAGE_KEY, mode);
}
