/** Helpers the store's SQL modules share to turn values into columns and rows back into records. */
import { M3cError } from '../../shared/engine/errors.ts';

export type Row = Record<string, unknown>;

export function toJson(value: unknown, what: string): string {
  const text = value === undefined ? undefined : JSON.stringify(value);
  if (text === undefined) throw new M3cError('internal', `${what} is not JSON-serialisable`);
  return text;
}

export function fromJson(text: unknown): unknown {
  return text === null ? null : JSON.parse(text as string);
}

export function isSqliteError(e: unknown): e is Error & { code: string } {
  const code = e instanceof Error ? (e as Error & { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('SQLITE_');
}

/** better-sqlite3 hands BLOBs back as Buffers; callers get a plain Uint8Array view of the same bytes. */
export function toBytes(blob: unknown): Uint8Array {
  const b = blob as Uint8Array;
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** Numbers as a BLOB of little-endian float64s (keeps Infinity and NaN, which JSON turns into null). */
export function float64Blob(values: readonly number[]): Uint8Array {
  const bytes = new Uint8Array(8 * values.length);
  const view = new DataView(bytes.buffer);
  values.forEach((x, i) => view.setFloat64(8 * i, x, true));
  return bytes;
}

export function fromFloat64Blob(blob: unknown): number[] {
  const b = toBytes(blob);
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return Array.from({ length: b.byteLength / 8 }, (_, i) => view.getFloat64(8 * i, true));
}

export function requireNonNegativeInt(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new M3cError('internal', `${what} must be a non-negative integer, got ${value}`);
}
