/**
 * The Electron main process's command line, as `m3c studio` passes it: --projects=DIR, --models=DIR and one
 * --allow=DIR per folder videos may be imported from by typed path. Without any --allow (the packaged app
 * started from a desktop launcher) the home folder is the import root, as before.
 */
import os from 'node:os';
import path from 'node:path';

export interface ShellArgs {
  readonly projectsDir: string;
  readonly modelsDir?: string;
  readonly importRoots: readonly string[];
}

function values(argv: readonly string[], name: string): string[] {
  const prefix = `--${name}=`;
  return argv.filter((a) => a.startsWith(prefix)).map((a) => a.slice(prefix.length)).filter((a) => a !== '');
}

export function parseShellArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env, home: string = os.homedir()): ShellArgs {
  const projects = values(argv, 'projects').pop();
  const models = values(argv, 'models').pop();
  const allow = values(argv, 'allow').map((d) => path.resolve(d));
  return {
    projectsDir: projects ?? env.M3C_PROJECTS_DIR ?? path.join(home, 'M3C Studio'),
    ...(models !== undefined ? { modelsDir: models } : {}),
    importRoots: allow.length > 0 ? allow : [home],
  };
}

/** The arguments `m3c studio` gives the Electron binary (the inverse of parseShellArgs). */
export function shellArgv(args: ShellArgs): string[] {
  return [`--projects=${args.projectsDir}`, ...(args.modelsDir ? [`--models=${args.modelsDir}`] : []), ...args.importRoots.map((d) => `--allow=${d}`)];
}
