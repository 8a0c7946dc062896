/** Display formatting shared by the panels. */
import type { Geometry } from '../shared/engine/frame.ts';

export function formatBytes(bytes: number | null): string {
  if (bytes === null) return '—';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(2)} MiB`;
}

export function formatKbps(bitsPerSecond: number): string {
  const kbps = bitsPerSecond / 1000;
  return `${kbps < 10 ? kbps.toFixed(2) : kbps.toFixed(1)} kbps`;
}

export function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return 'ETA unknown';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `ETA ${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `ETA ${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `ETA ${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const m = Math.floor(s / 60);
  return `${m}:${String(s % 60).padStart(2, '0')}`;
}

export function formatTime(ms: number): string {
  return new Date(ms).toLocaleString();
}

export function fps(g: Geometry): number {
  return g.fpsNum / g.fpsDen;
}

export function formatGeometry(g: Geometry): string {
  const rate = fps(g);
  return `${g.width}×${g.height} @ ${Number.isInteger(rate) ? rate : rate.toFixed(3)} fps`;
}

export function fixed(value: number | null, digits: number, unit = ''): string {
  return value === null || !Number.isFinite(value) ? '—' : `${value.toFixed(digits)}${unit}`;
}
