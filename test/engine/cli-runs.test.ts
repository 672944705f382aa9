// Where `netforge train` puts its runs and what later commands take from them, as a user runs
// the bin script: the one runs folder shared with the app (a CLI run is in the server's
// runs.list), --out refusing a used folder and --force moving a run aside (never deleting it),
// and evaluate / --resume using the run's own data folder and test limit unless told otherwise.
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { TrainingEvent, TrainingEventOf } from '../../src/shared/events.ts';
import { newProject, serializeProject } from '../../src/shared/project.ts';
import { startServer } from '../../src/main/server/server.ts';
import { tempDirs, tinyGraph, writeSyntheticMnist } from './fixtures.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'netforge.js');

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

const dirs = tempDirs('cli-runs');
let data = '';
let graphFile = '';
/** An empty download cache and home: a command that looked for data there would fail. */
let emptyHome = '';

async function netforge(args: string[], env: Record<string, string> = {}): Promise<Result> {
  const base: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: emptyHome,
    XDG_CACHE_HOME: join(emptyHome, '.cache'),
    ...env,
  };
  delete base.NETFORGE_DATA_DIR;
  if (!env.NETFORGE_RUNS_DIR) delete base.NETFORGE_RUNS_DIR;
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], {
      env: base,
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as Result;
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

const events = (r: Result): TrainingEvent[] =>
  r.stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as TrainingEvent);

/** A quick run's flags: 30 images in batches of 10, 40 test images. */
const QUICK = ['--limit-train', '30', '--batch-size', '10', '--limit-test', '40', '--epochs', '1'];

const train = (out: string, ...extra: string[]) =>
  netforge(['train', graphFile, '--data-dir', data, ...QUICK, '--out', out, '--json', ...extra]);

const runStarts = async (runDir: string) =>
  (await readFile(join(runDir, 'metrics.jsonl'), 'utf8')).match(/"type":"run-started"/g)?.length;

beforeAll(async () => {
  const root = await dirs.make();
  data = await writeSyntheticMnist(join(root, 'mnist'));
  graphFile = join(root, 'tiny.json');
  await writeFile(graphFile, JSON.stringify(tinyGraph()));
  emptyHome = join(root, 'home');
  await mkdir(emptyHome);
});
afterAll(() => dirs.cleanup());

describe('one runs folder for the CLI and the app', () => {
  it('a run made by `netforge train` is in runs.list of a server with the same runs folder', async () => {
    const root = await dirs.make();
    const runsDir = join(root, 'runs');
    // No --out: the run goes to NETFORGE_RUNS_DIR, as the app's would.
    const r = await netforge(['train', graphFile, '--data-dir', data, ...QUICK, '--json'], {
      NETFORGE_RUNS_DIR: runsDir,
    });
    expect(r.code, r.stderr).toBe(0);
    const [runId] = await readdir(runsDir);
    expect(runId).toMatch(/^tiny-convnet-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z$/);
    const finished = events(r).at(-1) as TrainingEventOf<'finished'>;
    expect(finished.runDir).toBe(join(runsDir, runId!));

    const renderer = join(root, 'renderer');
    await mkdir(renderer);
    await writeFile(join(renderer, 'index.html'), '<!doctype html>');
    const server = await startServer({
      port: 0,
      rendererDir: renderer,
      projectsDir: join(root, 'projects'),
      runsDir,
    });
    try {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`);
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      const reply = await new Promise<{ result: { runId: string }[] }>((resolve) => {
        ws.once('message', (d) => resolve(JSON.parse(d.toString()) as never));
        ws.send(JSON.stringify({ id: 1, type: 'runs.list' }));
      });
      ws.close();
      expect(reply.result).toEqual([
        expect.objectContaining({
          runId,
          name: 'Tiny convnet',
          status: 'completed',
          testAccuracy: finished.testAccuracy,
        }),
      ]);
    } finally {
      await server.close();
    }
  });

  it('--runs-dir names another runs folder', async () => {
    const runsDir = join(await dirs.make(), 'elsewhere');
    const r = await netforge([
      'train',
      graphFile,
      '--data-dir',
      data,
      ...QUICK,
      '--runs-dir',
      runsDir,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(await readdir(runsDir)).toHaveLength(1);
  });
});

describe('--out onto a used folder', () => {
  it('refuses a folder holding a run, naming it and --force, and leaves the run as it was', async () => {
    const out = join(await dirs.make(), 'run');
    expect((await train(out)).code).toBe(0);
    const before = await readdir(out, { recursive: true });
    const metrics = await readFile(join(out, 'metrics.jsonl'), 'utf8');
    const r = await train(out);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`--out ${out} already holds a run`);
    expect(r.stderr).toContain('--force');
    expect(r.stderr).toContain(`netforge train --resume ${out}`);
    expect(await readdir(out, { recursive: true })).toEqual(before);
    expect(await readFile(join(out, 'metrics.jsonl'), 'utf8')).toBe(metrics);
  });

  it('--force moves the run aside whole and starts a fresh one', async () => {
    const parent = await dirs.make();
    const out = join(parent, 'run');
    expect((await train(out)).code).toBe(0);
    const oldResult = await readFile(join(out, 'run.json'), 'utf8');
    const r = await train(out, '--force');
    expect(r.code, r.stderr).toBe(0);
    const aside = (await readdir(parent)).filter((n) => n.startsWith('run.replaced-'));
    expect(aside).toHaveLength(1);
    const moved = join(parent, aside[0]!);
    // The old run, whole, with its own result; the new one with a single start.
    expect(await readFile(join(moved, 'run.json'), 'utf8')).toBe(oldResult);
    expect(await runStarts(moved)).toBe(1);
    expect(existsSync(join(moved, 'netforge-lock.json'))).toBe(false);
    expect(await runStarts(out)).toBe(1);
    expect(events(r).at(-1)).toMatchObject({ type: 'finished', status: 'completed', runDir: out });
  });

  it('refuses a folder of other files, even with --force, and touches nothing', async () => {
    const out = await dirs.make();
    await writeFile(join(out, 'notes.txt'), 'mine');
    for (const extra of [[], ['--force']]) {
      const r = await train(out, ...extra);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`--out ${out} is not empty and holds no Netforge run`);
    }
    expect(await readdir(out)).toEqual(['notes.txt']);
  });

  it('takes an empty folder', async () => {
    const out = await dirs.make();
    const r = await train(out);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(out, 'netforge-run.json'))).toBe(true);
  });

  it('--force does not move a run another Netforge is training', async () => {
    const out = join(await dirs.make(), 'run');
    expect((await train(out)).code).toBe(0);
    const holder = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, '..', 'helpers', 'lock-child.ts'), 'hold', out],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    try {
      await new Promise((resolve) => holder.stdout.once('data', resolve));
      const r = await train(out, '--force');
      expect(r.code).toBe(1);
      expect(events(r).at(-1)).toMatchObject({ type: 'error', code: 'E_BUSY' });
      expect(existsSync(join(out, 'run.json'))).toBe(true);
    } finally {
      holder.stdin.end();
      await new Promise((resolve) => holder.once('exit', resolve));
    }
  });
});

describe("a run's own data folder and test limit", () => {
  let runDir = '';
  beforeAll(async () => {
    runDir = join(await dirs.make(), 'run');
    const r = await train(runDir);
    expect(r.code, r.stderr).toBe(0);
  });

  it('the run keeps its data folder in netforge-run.json', async () => {
    const start = JSON.parse(await readFile(join(runDir, 'netforge-run.json'), 'utf8'));
    expect(start).toMatchObject({ name: 'Tiny convnet', dataDir: data });
  });

  it('evaluate uses them without being told (no data anywhere else, no download)', async () => {
    const r = await netforge(['evaluate', runDir, '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const { evaluation } = events(r).at(-1) as TrainingEventOf<'evaluation'>;
    expect(evaluation.samples).toBe(40);
  });

  it('flags win: --limit-test and --data-dir', async () => {
    const fewer = await netforge(['evaluate', runDir, '--limit-test', '20', '--json']);
    expect(fewer.code, fewer.stderr).toBe(0);
    expect((events(fewer).at(-1) as TrainingEventOf<'evaluation'>).evaluation.samples).toBe(20);
    const missing = join(await dirs.make(), 'no-data');
    const other = await netforge(['evaluate', runDir, '--data-dir', missing, '--json']);
    expect(other.code).toBe(1);
    expect(events(other).at(-1)).toMatchObject({ type: 'error', code: 'E_DATA_MISSING' });
  });

  it('--resume goes on with the data folder and refuses settings it cannot change', async () => {
    const refused = await netforge(['train', '--resume', runDir, '--lr', '0.5']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('--lr cannot be changed when continuing a run');
    const r = await netforge(['train', '--resume', runDir, '--epochs', '2', '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(events(r).find((e) => e.type === 'run-started')).toMatchObject({
      resumedFromStep: 3,
      testSamples: 40,
    });
    expect(events(r).at(-1)).toMatchObject({ type: 'finished', status: 'completed', epochs: 2 });
  });

  it('says to give --data-dir when the run’s data folder is gone', async () => {
    const moved = `${data}-moved`;
    await rename(data, moved);
    try {
      const r = await netforge(['evaluate', runDir]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`The run was trained with the data in ${data}`);
      expect(r.stderr).toContain('--data-dir DIR');
      expect((await netforge(['evaluate', runDir, '--data-dir', moved])).code).toBe(0);
    } finally {
      await rename(moved, data);
    }
  });
});

describe('train on a project file', () => {
  it("uses the project's training settings, under the flags", async () => {
    const root = await dirs.make();
    const project = join(root, 'tiny.netforge.json');
    const p = newProject({ ...tinyGraph(), dataset: 'mnist' }, 'tiny project');
    p.training = { epochs: 1, batchSize: 15, learningRate: 0.05, limitTrain: 30 };
    await writeFile(project, serializeProject(p));
    const out = join(root, 'run');
    const r = await netforge(['train', project, '--data-dir', data, '--lr', '0.02', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const config = JSON.parse(await readFile(join(out, 'config.json'), 'utf8'));
    expect(config).toMatchObject({ epochs: 1, batchSize: 15, learningRate: 0.02, limitTrain: 30 });
  });
});
