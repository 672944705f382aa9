// Runs before `npm start` and `npm run dev` (package.json's prestart and predev). The desktop app
// runs on Electron, whose binary is downloaded the first time (Electron's own install script,
// about 100 MB from GitHub). When that download fails (offline, a proxy, a Node older than
// Electron's downloader needs) Electron prints only "TypeError: fetch failed"; this says what
// failed, how to get past it, and that `netforge serve` runs the same app in a browser without
// Electron. NETFORGE_ELECTRON_DIR names another electron package folder (tests).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The Node that Electron 45's package and downloader require (its package.json "engines"). */
export const ELECTRON_NODE = '22.12.0';

const older = (version: string, than: string): boolean => {
  const [a, b] = [version, than].map((v) => v.replace(/^v/, '').split('.').map(Number));
  for (let i = 0; i < 3; i++) if (a![i] !== b![i]) return (a![i] ?? 0) < (b![i] ?? 0);
  return false;
};

/** The Electron binary of the package in `dir`, or null if it has not been downloaded. */
export function electronBinary(dir: string): string | null {
  const pathFile = join(dir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const binary = join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : null;
}

/** What to say when the download failed with `reason` under Node `node`. */
export function downloadFailedMessage(reason: string, node: string): string {
  const tooOld = older(node, ELECTRON_NODE);
  return [
    `netforge: the desktop app cannot start: Electron's binary is missing and downloading it failed (${reason}).`,
    'npm start downloads Electron (about 100 MB, from github.com/electron/electron/releases) the ' +
      'first time; that needs a connection to GitHub' +
      (tooOld ? ` and Node ${ELECTRON_NODE} or newer (this is Node ${node}).` : '.'),
    tooOld
      ? `Switch to Node ${ELECTRON_NODE} or newer and run npm start again.`
      : 'Run npm start again once online, or set ELECTRON_MIRROR to a mirror you can reach.',
    'Without Electron, the same app runs in your browser: npx netforge serve',
  ].join('\n');
}

function main(): number {
  let dir = process.env.NETFORGE_ELECTRON_DIR;
  if (!dir) {
    try {
      dir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
    } catch {
      console.error(
        'netforge: the desktop app cannot start: the electron package is not installed. Run npm install ' +
          `(with Node ${ELECTRON_NODE} or newer), or run the app in your browser: npx netforge serve`,
      );
      return 1;
    }
  }
  if (electronBinary(dir)) return 0;
  console.log('Downloading Electron (the desktop app runtime; once)...');
  const r = spawnSync(process.execPath, [join(dir, 'install.js')], { encoding: 'utf8' });
  if (r.status === 0 && electronBinary(dir)) return 0;
  // The first line of what the installer printed is its error ("TypeError: fetch failed").
  const reason =
    `${r.stderr ?? ''}\n${r.stdout ?? ''}`
      .split('\n')
      .find((l) => l.trim())
      ?.trim() ??
    r.error?.message ??
    `the installer exited with code ${r.status}`;
  console.error(downloadFailedMessage(reason, process.version));
  return 1;
}

if (process.argv[1] && import.meta.filename === process.argv[1]) process.exitCode = main();
