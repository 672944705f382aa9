// `netforge train` and `netforge evaluate` as a user runs them: the bin script in a child
// process (which starts the engine in a process of its own), on the synthetic MNIST folder.
import { execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
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

/**
 * Runs the CLI as a terminal's foreground job (a process group of its own) and, once it prints a
 * batch of epoch `epoch`, sends SIGINT to the whole group, as Ctrl+C does. On Linux the engine
 * process gets one of its own too (a terminal that signals every process, as Windows does):
 * only the CLI's request may stop it.
 */
async function interruptAt(epoch: number, args: string[]): Promise<Result> {
  const env = { ...process.env };
  delete env.NETFORGE_DATA_DIR;
  const cli = spawn(process.execPath, [BIN, ...args], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  let stdout = '';
  let stderr = '';
  let interrupted = false;
  let engines = 0;
  cli.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  cli.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    if (interrupted) return;
    const lines = stdout.split('\n').slice(0, -1); // complete lines only
    const reached = lines.some((l) => {
      const e = JSON.parse(l) as TrainingEvent;
      return e.type === 'batch' && e.epoch === epoch;
    });
    if (!reached) return;
    interrupted = true;
    process.kill(-cli.pid!, 'SIGINT');
    for (const pid of childPids(cli.pid!)) {
      process.kill(pid, 'SIGINT');
      engines++;
    }
  });
  const code = await new Promise<number | null>((resolve) => cli.once('close', resolve));
  expect(interrupted, `no batch of epoch ${epoch} was printed: ${stderr}`).toBe(true);
  if (existsSync('/proc/self/stat')) expect(engines, 'the engine process was not found').toBe(1);
  return { code: code ?? -1, stdout, stderr };
}

/** The processes whose parent is `pid` (Linux /proc; none elsewhere). */
function childPids(pid: number): number[] {
  if (!existsSync('/proc/self/stat')) return [];
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
      } catch {
        return false; // it ended while we looked
      }
    })
    .map(Number);
}

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
    [['--epochs', '0'], /--epochs must be a whole number from 1 to 10,000 \(got "0"\)/],
    [['--optimizer', 'foo'], /--optimizer must be one of sgd, adam, rmsprop, adagrad/],
    [['--frobnicate'], /Unknown option --frobnicate\./],
    [['--epoch', '2'], /Unknown option --epoch\. Did you mean --epochs\?/],
    [['--lr', '-0.1'], /--lr must be a number above 0 and at most 10 \(got "-0.1"\)/],
    [
      ['--validation-split', '0.9'],
      /--validation-split must be a number from 0 to 0.5 \(got "0.9"\)/,
    ],
  ])('refuses %j with a readable message', async (bad, message) => {
    const out = join(await dirs.make(), 'never');
    const r = await netforge('train', graphFile, '--data-dir', data, '--out', out, ...bad);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^netforge: /);
    expect(r.stderr).toMatch(message);
    // One line for the mistake and one saying where the help is; not the whole help.
    expect(r.stderr.trim().split('\n')).toHaveLength(2);
    expect(r.stderr).toContain("Run 'netforge train --help' for the options.");
    expect(r.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
  });

  describe.skipIf(process.platform === 'win32')('Ctrl+C in a terminal, then --resume', () => {
    const LIMIT = 60;
    it.each([
      ['inside the first epoch', 1],
      ['in a later epoch', 2],
    ])(
      '%s: the stop keeps a checkpoint at the exact step and --resume goes on from the next one',
      async (_when, stopInEpoch) => {
        const runDir = join(await dirs.make(), 'run');
        const epochs = 2;
        // Batches of 1 from 60 images, no validation: 60 steps an epoch, so the stop lands
        // mid-epoch.
        const stopped = await interruptAt(stopInEpoch, [
          'train',
          graphFile,
          '--data-dir',
          data,
          '--out',
          runDir,
          '--json',
          '--batch-size',
          '1',
          '--validation-split',
          '0',
          '--limit-train',
          String(LIMIT),
          '--epochs',
          String(epochs),
        ]);
        const { stderr } = stopped;
        expect(stopped.code, stderr).toBe(0);
        const lines = events(stopped);
        expect(lines.some((e) => e.type === 'error')).toBe(false);
        const spe = (lines.find((e) => e.type === 'run-started') as TrainingEventOf<'run-started'>)
          .stepsPerEpoch;
        expect(spe).toBe(LIMIT);
        const finished = lines.at(-1) as TrainingEventOf<'finished'>;
        expect(finished).toMatchObject({ type: 'finished', status: 'stopped' });
        const step = finished.step;
        // Mid-epoch, in the epoch the interrupt was sent in.
        expect(Math.ceil(step / spe), `stopped at step ${step}`).toBe(stopInEpoch);
        expect(step % spe).not.toBe(0);
        const lastBatch = lines
          .filter((e) => e.type === 'batch')
          .at(-1) as TrainingEventOf<'batch'>;
        expect(lastBatch.step).toBeLessThanOrEqual(step);
        // The checkpoint holds that step: saved on the stop, not at an epoch's end.
        const state = JSON.parse(
          await readFile(join(runDir, 'checkpoints', 'last', 'state.json'), 'utf8'),
        ) as { step: number; epoch: number; batchInEpoch: number };
        expect(state).toMatchObject({
          step,
          epoch: stopInEpoch - 1,
          batchInEpoch: step - (stopInEpoch - 1) * spe,
        });
        // What the CLI said is what happened.
        expect(stderr).toContain('Stopping after this batch (Ctrl+C): the run saves a checkpoint');
        expect(stderr).toContain(
          `Stopped at step ${step} (epoch ${stopInEpoch}, ${step % spe} of ${spe} batches done); ` +
            `its checkpoint is in ${join(runDir, 'checkpoints', 'last')}`,
        );
        expect(stderr).toContain(`netforge train --resume ${runDir}`);

        const resumed = await netforge('train', '--resume', runDir, '--data-dir', data, '--json');
        expect(resumed.code, resumed.stderr).toBe(0);
        const more = events(resumed);
        expect(more.find((e) => e.type === 'run-started')).toMatchObject({ resumedFromStep: step });
        const batches = more.filter((e) => e.type === 'batch') as TrainingEventOf<'batch'>[];
        expect(batches[0]).toMatchObject({ step: step + 1, epoch: stopInEpoch });
        expect(batches[0]!.batchInEpoch).toBe((step % spe) + 1);
        // Steps go up one by one from there (events are throttled, so some are not shown).
        for (let i = 1; i < batches.length; i++)
          expect(batches[i]!.step).toBeGreaterThan(batches[i - 1]!.step);
        expect(more.at(-1)).toMatchObject({
          type: 'finished',
          status: 'completed',
          step: epochs * spe,
          epochs,
        });
        console.log(
          `cli-train, stop ${_when}: stopped at step ${step}, checkpoint step ${state.step}; ` +
            `resumed from ${step}, first batch ${batches[0]!.step}, finished at ${epochs * spe}`,
        );
        // Every epoch recorded once over both commands: none repeated, none lost.
        const metrics = (await readFile(join(runDir, 'metrics.jsonl'), 'utf8'))
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as TrainingEvent);
        expect(metrics.filter((e) => e.type === 'epoch').map((e) => e.epoch)).toEqual([1, 2]);
      },
    );
  });

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
