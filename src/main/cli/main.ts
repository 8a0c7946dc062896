/**
 * m3c: the command-line codec over the same engine as the studio.
 * Errors print one line on stderr (a stack trace only with --verbose) and exit with a distinct code.
 */
import { EXIT_CODES, M3cError } from '../../shared/engine/errors.ts';
import { createContext, type CommandContext } from './context.ts';
import { encodeCommand } from './commands/encode.ts';
import { decodeCommand } from './commands/decode.ts';
import { inspectCommand } from './commands/inspect.ts';
import { analyzeCommand } from './commands/analyze.ts';
import { evalCommand } from './commands/eval.ts';
import { demoCommand } from './commands/demo.ts';
import { studioCommand } from './commands/studio.ts';
import { describeCommand } from './commands/describe.ts';
import { installStdioGuards, stdoutFailure, writeStderr, writeStdout } from '../util/std-streams.ts';

type Command = (argv: string[], ctx: CommandContext) => Promise<void>;

const COMMANDS: Record<string, { run: Command; summary: string }> = {
  encode: { run: encodeCommand, summary: 'encode a video into a .m3c bitstream' },
  decode: { run: decodeCommand, summary: 'decode a .m3c into an mp4' },
  inspect: { run: inspectCommand, summary: 'list the sections of a .m3c with their sizes' },
  analyze: { run: analyzeCommand, summary: 'per-frame signals and the keyframes they select' },
  describe: { run: describeCommand, summary: 'keyframe and clip descriptions from a multimodal model (OpenAI-compatible API)' },
  eval: { run: evalCommand, summary: 'PSNR and MS-SSIM of a reconstruction (and bpp, kbps with --m3c)' },
  demo: { run: demoCommand, summary: 'encode and decode a sample clip from ../shared/media and print the figures' },
  bench: { run: async (argv, ctx) => (await import('./commands/bench.ts')).benchCommand(argv, ctx), summary: 'benchmarks (keyframes: learned keyframe codec against AV1 at equal bytes)' },
  studio: { run: studioCommand, summary: 'open the studio (Electron, or --web: a browser UI on 127.0.0.1)' },
};

export const HELP = `m3c: controllable ultra-low-bitrate video codec (M3-CVC)

usage: m3c <command> [options]

commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(9)} ${c.summary}`)
  .join('\n')}

Run "m3c <command> --help" for a command's options. Common flags: --json (last stdout line is one
JSON object), --verbose (stack traces on errors). Ctrl-C, SIGTERM and SIGHUP cancel: ffmpeg children
are stopped, no partial output is left, exit status 130 (a second signal forces an immediate exit).
Hidden partial files of crashed runs are removed from the output folder at the next run. A closed
standard output (e.g. "| head -1") is not an error: the rest of the output is dropped quietly and
the command ends with its usual exit status.

exit codes: ${Object.entries(EXIT_CODES)
  .map(([k, v]) => `${v} ${k}`)
  .join(', ')}`;

/** Signals that cancel a command like Ctrl-C does: a terminal closed, a service manager or `kill` stopping it. */
const CANCEL_SIGNALS = ['SIGTERM', 'SIGHUP'] as const;

/**
 * Runs one command. `controller` is aborted on Ctrl-C, SIGTERM or SIGHUP; bin/m3c.js passes one
 * whose SIGINT handler is installed before any module loads. Without one, main installs its own
 * SIGINT handler too. A signal after the cancellation has begun forces an immediate exit (130);
 * the children still running are then killed on the way out (media/job.ts).
 */
export async function main(argv: string[], controller?: AbortController): Promise<number> {
  installStdioGuards();
  const verbose = argv.includes('--verbose');
  const json = argv.includes('--json');
  const rest = argv.filter((a) => a !== '--verbose' && a !== '--json');
  const [name, ...args] = rest;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    writeStdout(HELP + '\n');
    return name ? 0 : EXIT_CODES.usage;
  }
  if (name === '--version') {
    writeStdout('m3c 0.1.0\n');
    return 0;
  }
  const command = COMMANDS[name];
  const abort = controller ?? new AbortController();
  const handlers = new Map<NodeJS.Signals, () => void>();
  const watched: NodeJS.Signals[] = controller ? [...CANCEL_SIGNALS] : ['SIGINT', ...CANCEL_SIGNALS];
  for (const sig of watched) {
    const handler = (): void => {
      if (abort.signal.aborted) process.exit(EXIT_CODES.cancelled);
      writeStderr(`\nm3c: cancelling (${sig === 'SIGINT' ? 'Ctrl-C' : sig}; again to force)\n`);
      abort.abort();
    };
    handlers.set(sig, handler);
    process.on(sig, handler);
  }
  const ctx = createContext(abort.signal, json);
  try {
    if (!command) throw new M3cError('usage', `unknown command "${name}" (commands: ${Object.keys(COMMANDS).join(', ')})`);
    await command.run(args, ctx);
    // A reader that closed stdout is fine; any other failed write of the output is not.
    return stdoutFailure() ? EXIT_CODES.internal : 0;
  } catch (e) {
    ctx.finish();
    const err = e instanceof M3cError ? e : abort.signal.aborted ? new M3cError('cancelled', 'cancelled') : new M3cError('internal', `internal error: ${(e as Error)?.message ?? String(e)}`, { cause: e });
    writeStderr(`m3c: ${err.message}\n`);
    if (verbose) writeStderr(`${(err.cause as Error | undefined)?.stack ?? err.stack}\n`);
    return EXIT_CODES[err.code];
  } finally {
    for (const [sig, handler] of handlers) process.off(sig, handler);
  }
}
