// Builds the app once for the e2e tests (vitest globalSetup of the e2e project). The build goes
// to node_modules/.cache/netforge-e2e/<hash of the sources>/, not to out/: the tests always see
// the current sources, never touch the developer's out/, and runs side by side cannot empty a
// folder another run is serving. An unchanged tree reuses its build.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { readdir, rename, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { TestProject } from 'vitest/node';

import { buildApp, PACKAGE_ROOT } from '../src/main/server/build.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The built app: main/, preload/ and renderer/. */
    appOutDir: string;
  }
}

const CACHE = join(PACKAGE_ROOT, 'node_modules', '.cache', 'netforge-e2e');
const INPUTS = ['src', 'electron.vite.config.ts', 'package.json'];
const KEEP = 3;

function hashSources(): string {
  const hash = createHash('sha256');
  const visit = (path: string) => {
    if (!existsSync(path)) return;
    if (statSync(path).isDirectory()) {
      for (const name of readdirSync(path).sort()) visit(join(path, name));
      return;
    }
    hash.update(relative(PACKAGE_ROOT, path)).update('\0').update(readFileSync(path));
  };
  for (const input of INPUTS) visit(join(PACKAGE_ROOT, input));
  return hash.digest('hex').slice(0, 16);
}

export default async function setup(project: TestProject): Promise<void> {
  const outDir = join(CACHE, hashSources());
  if (existsSync(join(outDir, 'renderer', 'index.html'))) {
    console.log(`e2e: using the app built in ${relative(PACKAGE_ROOT, outDir)}`);
  } else {
    const started = Date.now();
    const building = `${outDir}.building-${process.pid}`;
    await buildApp({ outDir: building, quiet: true });
    try {
      await rename(building, outDir);
    } catch {
      // Another run finished the same build first; theirs is as good as ours.
      await rm(building, { recursive: true, force: true });
    }
    console.log(
      `e2e: built the app in ${((Date.now() - started) / 1000).toFixed(1)} s (${relative(PACKAGE_ROOT, outDir)})`,
    );
    await pruneOldBuilds(outDir);
  }
  project.provide('appOutDir', outDir);
}

/** Keeps the few most recent builds, so the cache does not grow with every edit. */
async function pruneOldBuilds(current: string): Promise<void> {
  const dirs = (await readdir(CACHE))
    .map((name) => join(CACHE, name))
    .filter((dir) => dir !== current && !dir.includes('.building-'))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  await Promise.all(dirs.slice(KEEP - 1).map((dir) => rm(dir, { recursive: true, force: true })));
}
