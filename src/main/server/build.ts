// Builds the app's bundles (main, preload, renderer) with electron-vite, for `netforge serve`
// and the e2e tests. The same build as `npm run build`, run with the same Node.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

import { PACKAGE_ROOT } from '../host/entries.ts';

// The package root, from the sources (src/main/...) as from the bundle (out/main/...).
export { PACKAGE_ROOT };

/** Where `npm run build` puts the renderer and where `netforge serve` serves it from. */
export const DEFAULT_OUT_DIR = join(PACKAGE_ROOT, 'out');

export class BuildError extends Error {}

/**
 * Runs `electron-vite build`, writing main/, preload/ and renderer/ under outDir. Its output
 * goes to this process's stdout/stderr unless `quiet`, in which case it is kept and put into
 * the error message if the build fails.
 */
export async function buildApp(options: { outDir?: string; quiet?: boolean } = {}): Promise<void> {
  const require = createRequire(import.meta.url);
  let bin: string;
  try {
    bin = join(dirname(require.resolve('electron-vite/package.json')), 'bin', 'electron-vite.js');
  } catch {
    throw new BuildError(
      'electron-vite is not installed, so the app cannot be built. Run `npm install` first.',
    );
  }
  const args = [bin, 'build'];
  if (options.outDir) args.push('--outDir', options.outDir);
  const child = spawn(process.execPath, args, {
    cwd: PACKAGE_ROOT,
    stdio: options.quiet ? ['ignore', 'pipe', 'pipe'] : ['ignore', 'inherit', 'inherit'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (code !== 0)
    throw new BuildError(
      `Building the app with electron-vite failed (exit code ${code}).` +
        (options.quiet ? `\n${output.trim()}` : ' Its output is above.'),
    );
}

/** Newest modification time (ms) of any file under the given paths. */
export function newestMtime(paths: string[]): number {
  let newest = 0;
  const visit = (p: string) => {
    const s = statSync(p, { throwIfNoEntry: false });
    if (!s) return;
    if (s.isDirectory()) for (const name of readdirSync(p)) visit(join(p, name));
    else newest = Math.max(newest, s.mtimeMs);
  };
  for (const p of paths) visit(p);
  return newest;
}

/** 'missing' if there is no built renderer, 'stale' if a source file is newer than it. */
export function rendererBuildState(outDir = DEFAULT_OUT_DIR): 'missing' | 'stale' | 'fresh' {
  const index = join(outDir, 'renderer', 'index.html');
  if (!existsSync(index)) return 'missing';
  const sources = ['src/renderer', 'src/shared', 'electron.vite.config.ts', 'package.json'];
  const built = statSync(index).mtimeMs;
  return newestMtime(sources.map((s) => join(PACKAGE_ROOT, s))) > built ? 'stale' : 'fresh';
}
