// `netforge train` and `netforge evaluate` as a user runs them: the bin script in a child
// process (which starts the engine in a process of its own), on the synthetic MNIST folder.
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrainingEvent, TrainingEventOf } from '../../src/shared/events.ts';
import { TEST_SAMPLES, tempDirs, tinyGraph, writeSyntheticMnist } from './fixtures.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'netforge.js');

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

async function netforge(...args: string[]): Promise<Result> {
  // Without NETFORGE_DATA_DIR, so only --data-dir decides where the data is.
  const env = { ...process.env };
  delete env.NETFORGE_DATA_DIR;
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], {
      env,
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as Result;
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

/** --json output: one event per line. */
const events = (r: Result): TrainingEvent[] =>
  r.stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as TrainingEvent);

const dirs = tempDirs('cli-train');
let data = '';
let graphFile = '';

beforeAll(async () => {
  const root = await dirs.make();
  data = await writeSyntheticMnist(join(root, 'mnist'));
  graphFile = join(root, 'tiny.json');
  await writeFile(graphFile, JSON.stringify(tinyGraph()));
});
afterAll(() => dirs.cleanup());

// One real training run; the evaluate test reuses its folder.
let trained: Promise<{ runDir: string; result: Result }> | null = null;
const trainOnce = () =>
  (trained ??= dirs.make().then(async (root) => {
    const runDir = join(root, 'run');
    const result = await netforge(
      'train',
      graphFile,
      '--dataset',
      'mnist',
      '--data-dir',
      data,
      '--epochs',
      '1',
      '--lr',
      '0.1',
      '--out',
      runDir,
      '--json',
    );
    return { runDir, result };
  }));

describe('netforge train', () => {
  it('trains a graph file and prints its events as JSON lines', async () => {
    const { runDir, result } = await trainOnce();
    expect(result.code, result.stderr).toBe(0);
    const lines = events(result);
    expect(lines[0]!.type).toBe('backend');
    expect(lines.map((e) => e.type)).toContain('run-started');
    const finished = lines.at(-1) as TrainingEventOf<'finished'>;
    expect(finished).toMatchObject({ type: 'finished', status: 'completed', runDir, epochs: 1 });
    expect(finished.testAccuracy).toBeTypeOf('number');
    // The run's owner lock was held while it trained and is gone now.
    expect(existsSync(join(runDir, 'netforge-lock.json'))).toBe(false);
  });

  it('refuses --resume of a run another Netforge process is training, naming it', async () => {
    const { runDir } = await trainOnce();
    const holder = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(import.meta.dirname, '..', 'helpers', 'lock-child.ts'),
        'hold',
        runDir,
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    try {
      await new Promise((resolve) => holder.stdout.once('data', resolve)); // it holds the lock
      const r = await netforge('train', '--resume', runDir, '--epochs', '2', '--json');
      expect(r.code).toBe(1);
      const error = events(r).at(-1) as TrainingEventOf<'error'>;
      expect(error).toMatchObject({ type: 'error', code: 'E_BUSY' });
      expect(error.message).toContain(
        `${runDir} is running in another Netforge (pid ${holder.pid} on host ${hostname()})`,
      );
    } finally {
      holder.stdin.end(); // it releases the lock and exits
      await new Promise((resolve) => holder.once('exit', resolve));
    }
    expect(existsSync(join(runDir, 'netforge-lock.json'))).toBe(false);
  });

  it.each<[string[], RegExp]>([
    [['--epochs', '0'], /--epochs must be a whole number of at least 1 \(got "0"\)/],
    [['--optimizer', 'foo'], /--optimizer must be one of sgd, adam, rmsprop, adagrad/],
    [['--frobnicate'], /Unknown option '--frobnicate'/],
  ])('refuses %j with a readable message', async (bad, message) => {
    const out = join(await dirs.make(), 'never');
    const r = await netforge('train', graphFile, '--data-dir', data, '--out', out, ...bad);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^netforge: /);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
  });

  it.skipIf(process.platform === 'win32')(
    'Ctrl+C in a terminal (SIGINT to the whole process group) stops the run with a checkpoint',
    async () => {
      const runDir = join(await dirs.make(), 'run');
      // Batches of 1: a long epoch, so the stop lands mid-epoch. Detached: a process group of its
      // own, as a terminal's foreground job has.
      const args = ['train', graphFile, '--data-dir', data, '--out', runDir, '--json'];
      const cli = spawn(process.execPath, [BIN, ...args, '--batch-size', '1', '--epochs', '1'], {
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      let interrupted = false;
      cli.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      cli.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (interrupted || !stdout.includes('"type":"batch"')) return;
        interrupted = true;
        process.kill(-cli.pid!, 'SIGINT'); // the CLI and the engine, as the terminal does
      });
      const code = await new Promise<number | null>((resolve) => cli.once('close', resolve));
      expect(stderr).toContain('Stopping after this batch');
      expect(code, stderr).toBe(0);
      const lines = events({ code: 0, stdout, stderr });
      expect(lines.some((e) => e.type === 'error')).toBe(false);
      expect(lines.at(-1)).toMatchObject({ type: 'finished', status: 'stopped' });
      expect(existsSync(join(runDir, 'checkpoints', 'last', 'state.json'))).toBe(true);
    },
  );

  it('fails with E_DATA_MISSING when the data folder does not exist', async () => {
    const missing = join(await dirs.make(), 'no-mnist-here');
    const out = join(await dirs.make(), 'run');
    const r = await netforge('train', graphFile, '--data-dir', missing, '--out', out, '--json');
    expect(r.code).toBe(1);
    const error = events(r).at(-1) as TrainingEventOf<'error'>;
    expect(error).toMatchObject({ type: 'error', code: 'E_DATA_MISSING' });
    expect(error.message).toContain(missing);
  });
});

describe('netforge evaluate', () => {
  it('evaluates a finished run on the test set', async () => {
    const { runDir, result } = await trainOnce();
    const trainedAccuracy = (events(result).at(-1) as TrainingEventOf<'finished'>).testAccuracy;

    const r = await netforge('evaluate', runDir, '--data-dir', data, '--json');
    expect(r.code, r.stderr).toBe(0);
    const lines = events(r);
    expect(lines.map((e) => e.type)).toEqual(['backend', 'evaluation']);
    const { evaluation } = lines[1] as TrainingEventOf<'evaluation'>;
    expect(evaluation.samples).toBe(TEST_SAMPLES);
    expect(evaluation.testAccuracy).toBe(trainedAccuracy);
    expect(evaluation.confusion.flat().reduce((a, b) => a + b, 0)).toBe(TEST_SAMPLES);
  });

  it('says when a folder is not a run', async () => {
    const notARun = await dirs.make();
    const r = await netforge('evaluate', notARun, '--data-dir', data);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/Error \[E_NOT_FOUND\]/);
    expect(r.stdout).toContain(notARun);
  });
});
