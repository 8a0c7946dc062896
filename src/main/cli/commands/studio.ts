/**
 * m3c studio: the Electron studio where an Electron binary can start, the web studio otherwise
 * (or with --web): served on 127.0.0.1 with a per-launch token, running until Ctrl-C.
 */
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { M3cError } from '../../../shared/engine/errors.ts';
import { parse, numberArg } from '../args.ts';
import type { CommandContext } from '../context.ts';
import { startWebStudio } from '../../server/index.ts';
import { shellArgv } from '../../app/launch-args.ts';

const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

export const DEFAULT_PROJECTS_DIR = process.env.M3C_PROJECTS_DIR ?? path.join(os.homedir(), 'M3C Studio');

const HELP = `usage: m3c studio [--web] [--port N] [--projects DIR] [--allow DIR ...] [--models DIR]

Opens the studio: the desktop app (Electron) where it can start, otherwise the web studio.
  --web            serve the studio on http://127.0.0.1:PORT for a browser (also over an SSH tunnel)
  --port N         port of the web studio (default: a free one)
  --projects DIR   where projects are stored (default: $M3C_PROJECTS_DIR or ~/M3C Studio)
  --allow DIR      a folder videos may be imported from by typed path (repeatable; default: the
                   current folder and your home folder)
  --models DIR     model pack folder holding manifest.json (default: resources/models)
The web studio prints a URL with a one-time access token and runs until Ctrl-C.`;

/** The --allow folders, resolved; a folder that does not exist (or is not a folder) is a usage error, never dropped. */
export function allowedRoots(allow: readonly string[] | undefined, cwd: string = process.cwd(), home: string = os.homedir()): string[] {
  if (allow === undefined) return [cwd, home].map((d) => path.resolve(d));
  return allow.map((d) => {
    const dir = path.resolve(cwd, d);
    let isDir = false;
    try {
      isDir = statSync(dir).isDirectory();
    } catch {
      isDir = false;
    }
    if (!isDir) throw new M3cError('usage', `--allow ${d}: ${existsSync(dir) ? 'not a folder' : 'no such folder'}`);
    return dir;
  });
}

/** The Electron binary's path, or undefined where none is installed (the npm package throws then). */
function electronBinary(): string | undefined {
  try {
    const p = createRequire(import.meta.url)('electron') as unknown;
    return typeof p === 'string' && existsSync(p) ? p : undefined;
  } catch {
    return undefined;
  }
}

export async function studioCommand(argv: string[], ctx: CommandContext): Promise<void> {
  const { values: v } = parse(
    argv,
    {
      web: { type: 'boolean' },
      port: { type: 'string' },
      projects: { type: 'string' },
      allow: { type: 'string', multiple: true },
      models: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    'studio',
  );
  if (v.help) return ctx.out(HELP);
  const port = numberArg(v.port, 'port', { min: 0, max: 65535, integer: true }) ?? 0;
  const projectsDir = path.resolve(v.projects ?? DEFAULT_PROJECTS_DIR);
  const importRoots = allowedRoots(v.allow);
  const modelsDir = v.models === undefined ? undefined : path.resolve(v.models);

  if (!v.web) {
    const electron = electronBinary();
    const main = path.join(REPO_ROOT, 'dist/main/app/electron-main.js');
    if (electron && existsSync(main)) {
      // The same import roots as the web studio (the Electron main process falls back to the home folder only without any).
      const child = spawn(electron, [REPO_ROOT, ...shellArgv({ projectsDir, modelsDir, importRoots })], { stdio: 'inherit' });
      await new Promise<void>((resolve, reject) => {
        child.on('exit', () => resolve());
        child.on('error', (e) => reject(new M3cError('internal', `cannot start Electron: ${e.message}`)));
        ctx.signal.addEventListener('abort', () => child.kill('SIGTERM'), { once: true });
      });
      return;
    }
    process.stderr.write(`m3c: ${electron ? 'the desktop app is not built (npm run build)' : 'no Electron binary here'}; starting the web studio instead\n`);
  }

  const studio = await startWebStudio({ port, projectsDir, importRoots, modelsDir });
  ctx.out(`M3C Studio (web) on ${studio.origin}; projects in ${projectsDir}`);
  ctx.out(`open: ${studio.url}`);
  ctx.out('Ctrl-C stops it.');
  ctx.result({ url: studio.url, port: studio.port, projectsDir });
  await new Promise<void>((resolve) => {
    if (ctx.signal.aborted) resolve();
    else ctx.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await studio.close();
}
