#!/usr/bin/env node
// Runs the CLI from the bundle `npm run build` makes (out/main/cli.js: plain Node, no tsx in any
// process) when it exists and no source file is newer; otherwise from the TypeScript sources
// through tsx, so `npx netforge` works right after `npm install`, without a build step.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bundle = join(root, 'out', 'main', 'cli.js');
const sources = join(root, 'src');

/** Newest modification time under dir (a few hundred files: a few ms). */
function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile())
      newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

const fresh =
  existsSync(bundle) && (!existsSync(sources) || statSync(bundle).mtimeMs >= newestMtime(sources));

let cli;
if (fresh) {
  cli = await import(pathToFileURL(bundle).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import('../src/main/cli/index.ts');
}
process.exitCode = await cli.main(process.argv.slice(2));
