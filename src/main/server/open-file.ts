/**
 * A file to serve, opened once: its size is that of the open file (fstat), and the stream reads that same file.
 * Statting the path and then opening it again raced with a rename over the path (the thumbnail pass renames
 * finished thumbnails over ones made singly): the header announced one file's length and the body sent the
 * other's, which Chromium reports as ERR_CONTENT_LENGTH_MISMATCH.
 */
import { closeSync, createReadStream, fstatSync, openSync, type ReadStream } from 'node:fs';

export interface OpenedFile {
  readonly size: number;
  /** Reads [start, end] of the opened file and closes it at the end. */
  stream(start: number, end: number): ReadStream;
  /** Closes it without reading (HEAD, an empty file, a refused range). */
  close(): void;
}

export function openForServing(path: string): OpenedFile {
  const fd = openSync(path, 'r');
  let size: number;
  try {
    size = fstatSync(fd).size;
  } catch (e) {
    closeSync(fd);
    throw e;
  }
  let used = false;
  return {
    size,
    stream(start, end) {
      used = true;
      return createReadStream('', { fd, start, end, autoClose: true });
    },
    close() {
      if (used) return;
      used = true;
      closeSync(fd);
    },
  };
}
