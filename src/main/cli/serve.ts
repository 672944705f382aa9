// `netforge serve`: browser mode from a terminal. Builds the renderer if needed, starts the
// server on 127.0.0.1 and runs until Ctrl+C.
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

import { OptionError, type Options } from './options.ts';
import { defaultProjectsDir } from '../api/handlers.ts';
import { defaultRunsDir } from '../runs/runs-dir.ts';
import { buildApp, BuildError, DEFAULT_OUT_DIR, rendererBuildState } from '../server/build.ts';
import { keptToken, type KeptToken } from '../server/kept-token.ts';
import { startServer } from '../server/server.ts';
import { stopSignal } from '../server/stop-signal.ts';

function parsePort(value: Options[string]): number {
  if (value === undefined) return 0;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65_535)
    throw new OptionError(`--port must be a whole number from 0 to 65535 (got "${value}").`);
  return n;
}

export async function serveCommand(o: Options): Promise<number> {
  const port = parsePort(o['port']);
  const projectsDir = resolve(
    typeof o['projects-dir'] === 'string' ? o['projects-dir'] : defaultProjectsDir(),
  );

  const runsDir = resolve(typeof o['runs-dir'] === 'string' ? o['runs-dir'] : defaultRunsDir());
  // Every run, datasets.status and hello read the data folder from here, as from the variable.
  if (typeof o['data-dir'] === 'string') process.env.NETFORGE_DATA_DIR = resolve(o['data-dir']);

  const state = rendererBuildState();
  if (o['rebuild'] === true || state === 'missing') {
    console.log(
      state === 'missing'
        ? 'The app is not built yet (out/renderer/index.html is missing). Building it with electron-vite...'
        : 'Rebuilding the app with electron-vite...',
    );
    try {
      await buildApp();
    } catch (e) {
      if (e instanceof BuildError) {
        console.error(`netforge: ${e.message}`);
        return 1;
      }
      throw e;
    }
  } else if (state === 'stale') {
    console.log(
      'Note: out/renderer is older than the source files. Run `netforge serve --rebuild` to serve the current version.',
    );
  }

  // --keep-token: the token kept for this projects folder (kept-token.ts); else a fresh one.
  let kept: KeptToken | null = null;
  if (o['keep-token'] === true) {
    try {
      kept = await keptToken(projectsDir);
    } catch (e) {
      console.error(
        `netforge: could not keep the access token (${(e as Error).message}). Check that Netforge's ` +
          'config folder is writable (or set NETFORGE_CONFIG_DIR), or leave out --keep-token.',
      );
      return 1;
    }
  }

  let server;
  try {
    server = await startServer({
      port,
      rendererDir: join(DEFAULT_OUT_DIR, 'renderer'),
      projectsDir,
      runsDir,
      ...(kept ? { token: kept.token } : {}),
    });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') {
      console.error(
        code === 'EADDRINUSE'
          ? `netforge: port ${port} on 127.0.0.1 is already in use. Choose another with --port, or leave --port out to use a free one.`
          : `netforge: not allowed to listen on port ${port}. Choose a port above 1023, or leave --port out.`,
      );
      return 1;
    }
    throw e;
  }

  console.log(`Netforge is running in browser mode. Open this address in a browser:

  ${server.url}

Projects folder: ${projectsDir}
Runs folder: ${runsDir}
Data folder: ${process.env.NETFORGE_DATA_DIR || 'none (datasets are downloaded into the cache)'}
Only this machine can connect (127.0.0.1). From another machine, forward the port over SSH,
  ssh -L ${server.port}:127.0.0.1:${server.port} USER@THIS-HOST
and open the same address there. Press Ctrl+C to stop.`);
  if (kept)
    console.log(
      `The token is kept (--keep-token) in ${kept.file}, for this projects folder: the address ` +
        `stays the same after a restart with --keep-token${port ? '' : ' (give --port N too, so the port does as well)'}.` +
        (kept.made === 'unsafe'
          ? ' The file could be read by other users, so a new token replaced the kept one.'
          : ''),
    );

  if (o['open'] === true) {
    const failure = await openInBrowser(server.url);
    console.log(
      failure
        ? `Could not open a browser (${failure}). Open the address above yourself.`
        : 'Opened the address in your browser.',
    );
  }

  const signal = await stopSignal();
  const run = server.training.activeRun;
  console.log(
    run
      ? `\nStopping (${signal}): the training run ${run.runId} stops after its current batch and ` +
          'saves a checkpoint there, to continue later from the runs list (this waits at most ' +
          'half a minute). Press Ctrl+C again to quit without waiting; the engine still saves ' +
          'the checkpoint.'
      : `\nStopping (${signal})...`,
  );
  await server.close();
  return 0;
}

/**
 * Best effort: asks the desktop to open url. Resolves to null if that seemed to work, else to
 * the reason. Openers that keep running (some xdg-open setups wait for the browser) count as
 * success after a few seconds.
 */
export function openInBrowser(url: string): Promise<string | null> {
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url]]
        : ['xdg-open', [url]];
  return new Promise((done) => {
    let settled = false;
    const settle = (result: string | null) => {
      if (settled) return;
      settled = true;
      done(result);
    };
    try {
      const child = spawn(command, args, {
        stdio: 'ignore',
        detached: true,
        windowsVerbatimArguments: process.platform === 'win32',
      });
      child.once('error', (e: NodeJS.ErrnoException) =>
        settle(e.code === 'ENOENT' ? `${command} was not found` : e.message),
      );
      child.once('exit', (code) =>
        settle(code === 0 ? null : `${command} exited with code ${code}`),
      );
      setTimeout(() => {
        child.unref();
        settle(null);
      }, 3000).unref();
    } catch (e) {
      settle((e as Error).message);
    }
  });
}
