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

/**
 * The keyboard focus ring: with ripples off MUI draws no focus indicator at all, so every focusable element
 * gets this outline while it has keyboard focus (:focus-visible). Its colour contrasts with both themes' paper.
 */
export function focusRing(mode: ThemeMode): { outline: string; outlineOffset: string } {
  return { outline: `2px solid ${mode === 'dark' ? '#ffcc80' : '#0d47a1'}`, outlineOffset: '2px' };
}

export function createStudioTheme(mode: ThemeMode): Theme {
  const ring = focusRing(mode);
  return createTheme({
    palette: { mode, primary: { main: mode === 'dark' ? '#90caf9' : '#1565c0' } },
    shape: { borderRadius: 6 },
    // The studio is a tool: no ripples or long transitions competing with the video.
    transitions: { create: () => 'none' },
    components: {
      MuiButtonBase: { defaultProps: { disableRipple: true }, styleOverrides: { root: { '&.Mui-focusVisible': ring } } },
      // The slider's thumb holds the focused (hidden) input.
      MuiSlider: { styleOverrides: { thumb: { '&.Mui-focusVisible': ring } } },
      MuiCssBaseline: {
        styleOverrides: {
          // Native elements (links, video controls, the canvas views, plain inputs) and anything focusable by tabindex.
          'a:focus-visible, video:focus-visible, canvas:focus-visible, [tabindex]:focus-visible, input[type="checkbox"]:focus-visible': ring,
        },
      },
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
