// Where each of Netforge's own entry points lives. `npm run build` bundles every one of them into
// out/main/<name>.js (electron.vite.config.ts builds exactly MAIN_ENTRIES). Code running from that
// bundle starts a process from its bundled file with plain Node, so neither the app nor the CLI
// needs tsx or src/ at run time; code running from the TypeScript sources (the tests,
// bin/netforge.js before a build) starts the entry's .ts file through tsx.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Entry name -> its source, from the package root. */
export const MAIN_ENTRIES = {
  /** The Electron main process. */
  index: 'src/main/desktop/index.ts',
  /** `netforge <command>` (bin/netforge.js runs it). */
  cli: 'src/main/cli/index.ts',
  /** The engine process (engine-host.ts). */
  engine: 'src/main/engine/engine-process.ts',
  /** The feature-map process (feature-maps-host.ts). */
  'feature-maps': 'src/main/engine/feature-maps-process.ts',
  /** The data-parallel trainer's worker threads (engine/parallel/trainer.ts picks it itself). */
  'parallel-worker': 'src/main/engine/parallel/worker.ts',
} as const;

export type EntryName = keyof typeof MAIN_ENTRIES;

/** A Node entry to fork: its file and the Node options it needs. */
export interface NodeEntry {
  file: string;
  execArgv: string[];
}

/** True when this code runs from the bundle (a .js chunk in out/main), false from src/ (.ts). */
export const FROM_BUNDLE = /\.m?js$/.test(new URL(import.meta.url).pathname);

/** The package root: out/main/<chunk>.js and src/main/host/entries.ts are 2 and 3 levels down. */
export const PACKAGE_ROOT = fileURLToPath(
  new URL(FROM_BUNDLE ? '../..' : '../../..', import.meta.url),
);

/** The entry to fork for `name`: its bundled .js next to this chunk, or its source through tsx. */
export function nodeEntry(name: EntryName): NodeEntry {
  return FROM_BUNDLE
    ? nodeEntryOf(fileURLToPath(new URL(`./${name}.js`, import.meta.url)))
    : nodeEntryOf(join(PACKAGE_ROOT, MAIN_ENTRIES[name]));
}

/** A file to fork as it is (.js) or through tsx (.ts). */
export function nodeEntryOf(file: string): NodeEntry {
  if (!file.endsWith('.ts')) return { file, execArgv: [] };
  // tsx by its absolute address: a bare `--import tsx` resolves from the working directory,
  // which fails when the CLI is run from outside the package.
  const tsx = createRequire(import.meta.url).resolve('tsx');
  return { file, execArgv: ['--import', pathToFileURL(tsx).href] };
}
