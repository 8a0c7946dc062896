/**
 * Standard output and error that a closed reader cannot turn into a crash. `m3c inspect a.m3c |
 * head -1` closes the pipe after one line; the next write then fails with EPIPE, which Node reports
 * as an unhandled 'error' event (a stack trace, exit 1). With the guards installed such a stream is
 * marked closed and later writes to it are dropped: the command finishes its work and ends with its
 * usual exit status (0 for a successful inspect). A hung-up terminal (EIO after SIGHUP) is treated
 * the same way. Any other write error on stdout (a full disk behind a redirect) is reported once on
 * stderr and makes the command fail (see stdoutFailure).
 */
const QUIET_CODES = new Set(['EPIPE', 'EIO', 'ECONNRESET', 'ERR_STREAM_DESTROYED', 'ERR_STREAM_WRITE_AFTER_END']);

const closed = new Set<NodeJS.WriteStream>();
let failure: string | undefined;
let installed = false;

export function installStdioGuards(): void {
  if (installed) return;
  installed = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      const first = !closed.has(stream);
      closed.add(stream);
      if (!first || QUIET_CODES.has(e.code ?? '')) return;
      if (stream === process.stdout) {
        failure = e.code ?? e.message;
        writeStderr(`m3c: cannot write to standard output: ${failure}\n`);
      }
    });
  }
}

/** Whether `stream` can still be written (not closed by its reader, not failed). */
export function writable(stream: NodeJS.WriteStream): boolean {
  return !closed.has(stream) && !stream.destroyed && stream.writable;
}

export function writeStdout(text: string): void {
  if (writable(process.stdout)) process.stdout.write(text);
}

export function writeStderr(text: string): void {
  if (writable(process.stderr)) process.stderr.write(text);
}

/** The error code of a failed stdout write that was not a closed reader, if any. */
export function stdoutFailure(): string | undefined {
  return failure;
}
