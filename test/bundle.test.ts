// The main bundle as `npm run build` makes it: every process Netforge starts has an entry of its
// own, and `netforge train` runs from it with no tsx in any process (the CLI's, the engine's, the
// data-parallel worker threads'). Also: bin/netforge.js runs the bundle only while it is fresh.
import { execFile, fork, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cp, mkdir, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { MAIN_ENTRIES } from '../src/main/host/entries.ts';
import { buildApp, PACKAGE_ROOT } from '../src/main/server/build.ts';
import type { TrainingEvent } from '../src/shared/events.ts';
import { tempDirs, tinyGraph, writeSyntheticMnist } from './engine/fixtures.ts';

// Inside the package, so the bundle's external imports (tfjs, zod, ...) resolve from its
// node_modules as they do for out/.
const scratch = join(PACKAGE_ROOT, 'node_modules', '.cache', `netforge-bundle-test-${process.pid}`);
const outDir = join(scratch, 'out');
const dirs = tempDirs('bundle');

/** Fails any import of tsx in the process that registers it (module.register hooks). */
const NO_TSX_HOOK = `export async function resolve(specifier, context, next) {
  if (/^tsx(\\/|$)/.test(specifier) || /[\\\\/]node_modules[\\\\/]tsx[\\\\/]/.test(specifier))
    throw new Error('tsx was imported: ' + specifier);
  return next(specifier, context);
}`;

/** Runs the bundled CLI as bin/netforge.js does, with tsx made unloadable. */
const RUNNER = `import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(NO_TSX_HOOK)}));
const { main } = await import(${JSON.stringify(pathToFileURL(join(outDir, 'main', 'cli.js')).href)});
process.exitCode = await main(process.argv.slice(2));
`;

beforeAll(async () => {
  await buildApp({ outDir, quiet: true });
  await writeFile(join(scratch, 'run-cli.mjs'), RUNNER);
}, 120_000);
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
  await dirs.cleanup();
});

/** The command line of every process whose parent is `pid` (Linux /proc). */
function childrenOf(pid: number): string[][] {
  const out: string[][] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // pid (comm) state ppid ...: comm may hold spaces, so split after its closing parenthesis.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid)
        out.push(readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').filter(Boolean));
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

describe('the main bundle', () => {
  it('has an entry per process and imports no tsx', () => {
    const main = join(outDir, 'main');
    for (const name of Object.keys(MAIN_ENTRIES))
      expect(existsSync(join(main, `${name}.js`)), `${name}.js`).toBe(true);
    for (const file of readdirSync(main).filter((f) => f.endsWith('.js')))
      expect(readFileSync(join(main, file), 'utf8'), file).not.toMatch(/(from|import\()\s*["']tsx/);
  });

  it.skipIf(process.platform !== 'linux')(
    'runs `netforge train` (2 data-parallel replicas) with the bundled engine, without tsx',
    async () => {
      const root = await dirs.make();
      const data = await writeSyntheticMnist(join(root, 'mnist'));
      const graph = join(root, 'tiny.json');
      await writeFile(graph, JSON.stringify(tinyGraph()));
      const runDir = join(root, 'run');
      const args = ['train', graph, '--data-dir', data, '--epochs', '1', '--limit-test', '32'];
      args.push('--replicas', '2', '--backend', 'wasm', '--out', runDir, '--json');
      const cli = spawn(process.execPath, [join(scratch, 'run-cli.mjs'), ...args], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      let engines: string[][] | null = null;
      cli.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      cli.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        // The engine sent its first event, so it runs: look at its command line now.
        engines ??= childrenOf(cli.pid!);
      });
      const code = await new Promise<number | null>((resolve) => cli.once('close', resolve));
      expect(stderr).not.toMatch(/tsx was imported/);
      expect(code, stderr).toBe(0);

      expect(engines).toEqual([[process.execPath, join(outDir, 'main', 'engine.js')]]);
      const events = stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as TrainingEvent);
      expect(events[0]).toMatchObject({ type: 'backend', backend: { backend: 'wasm' } });
      expect(events.at(-1)).toMatchObject({ type: 'finished', status: 'completed' });
      expect(existsSync(join(runDir, 'model', 'model.json'))).toBe(true);

      // The bundled feature-map process, forked as its host forks it, reads that model.
      const child = fork(join(outDir, 'main', 'feature-maps.js'), ['wasm'], {
        execArgv: [],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      try {
        const replies: { kind: string; result?: { layer: string; channels: number } }[] = [];
        const next = () =>
          new Promise<(typeof replies)[number]>((resolve) =>
            child.once('message', (m) => resolve(m as (typeof replies)[number])),
          );
        replies.push(await next());
        const pixels = Array.from({ length: 28 * 28 }, (_, i) => i % 256);
        const job = { modelDir: join(runDir, 'model'), dataset: 'mnist', pixels, layer: null };
        child.send({ kind: 'job', id: 1, job: { ...job, shape: [28, 28, 1] } });
        replies.push(await next());
        expect(replies[0]).toMatchObject({ kind: 'ready' });
        expect(replies[1]).toMatchObject({
          kind: 'result',
          result: { layer: 'conv', channels: 4 },
        });
      } finally {
        child.kill('SIGKILL');
      }
    },
    120_000,
  );
});

describe('bin/netforge.js', () => {
  /** A package with a copy of the bin script, a stand-in bundle and stand-in sources. */
  const fake = join(scratch, 'fake');
  const run = async () =>
    (await promisify(execFile)(process.execPath, [join(fake, 'bin', 'netforge.js')])).stdout.trim();
  const setTime = (path: string, s: number) => utimes(path, s, s);

  it('runs out/main/cli.js while no source is newer, else the sources through tsx', async () => {
    await mkdir(join(fake, 'out', 'main'), { recursive: true });
    await mkdir(join(fake, 'src', 'main', 'cli'), { recursive: true });
    await cp(join(PACKAGE_ROOT, 'bin'), join(fake, 'bin'), { recursive: true });
    await writeFile(join(fake, 'package.json'), JSON.stringify({ type: 'module' }));
    const bundle = join(fake, 'out', 'main', 'cli.js');
    const source = join(fake, 'src', 'main', 'cli', 'index.ts');
    await writeFile(bundle, `export async function main() { console.log('bundle'); return 0; }`);
    // Type annotations: only tsx can run this file.
    await writeFile(
      source,
      `export async function main(): Promise<number> { console.log('sources'); return 0; }`,
    );

    await setTime(source, 1_000_000);
    await setTime(bundle, 2_000_000);
    expect(await run()).toBe('bundle');
    await setTime(source, 3_000_000);
    expect(await run()).toBe('sources');
    await rm(bundle);
    expect(await run()).toBe('sources');
  });
});
