// The PyTorch engine end to end, as the CLI and the app drive it: `netforge train --engine torch`
// on real MNIST then `netforge evaluate` (tfjs, from the TF.js model the runner's checkpoint
// gave) agreeing with the runner's own test accuracy; pause, resume and stop through EngineHost;
// a killed Python giving E_ENGINE_DIED with the checkpoint, and the run continued from it.
// Skipped where no Python has torch.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { EngineHost } from '../../src/main/host/engine-host.ts';
import type { TrainingEvent, TrainingEventOf } from '../../src/shared/events.ts';
import { tempDirs, trainRequest, writeSyntheticMnist } from './fixtures.ts';
import { torchPython, torchTitle } from '../helpers/torch-python.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'netforge.js');
const MNIST = join(import.meta.dirname, '..', '..', '..', 'shared', 'datasets');
const python = torchPython();

const dirs = tempDirs('torch-engine');
let synthetic = '';
const hosts: EngineHost[] = [];

beforeAll(async () => {
  synthetic = await writeSyntheticMnist(join(await dirs.make(), 'mnist'));
});
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((h) => h.close()));
});
afterAll(() => dirs.cleanup());

async function netforge(
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, NETFORGE_PYTHON: python ?? '' };
  delete env.NETFORGE_DATA_DIR;
  try {
    const r = await promisify(execFile)(process.execPath, [BIN, ...args], { env });
    return { code: 0, ...r };
  } catch (e) {
    return e as { code: number; stdout: string; stderr: string };
  }
}

const lines = (stdout: string): TrainingEvent[] =>
  stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as TrainingEvent);

function newHost(onEvent?: (e: TrainingEvent, host: EngineHost) => void) {
  const host = new EngineHost();
  hosts.push(host);
  const events: TrainingEvent[] = [];
  host.onEvent((e) => {
    events.push(e);
    onEvent?.(e, host);
  });
  return { host, events };
}

/** The tiny graph on synthetic MNIST with the torch engine. */
const torchRequest = (
  runDir: string,
  config: Parameters<typeof trainRequest>[2],
  resume = false,
) => ({
  ...trainRequest(runDir, synthetic, { engine: 'torch', ...config }, { resume }),
  python,
});

describe.skipIf(!python)(torchTitle('the PyTorch engine'), () => {
  it('trains LeNet-5 for 3 epochs on 6,000 MNIST images; netforge evaluate agrees within 0.002', async () => {
    const runDir = join(await dirs.make(), 'lenet5');
    const train = await netforge(
        'train', 'lenet5', '--engine', 'torch', '--epochs', '3', '--limit-train', '6000',
        '--data-dir', MNIST, '--out', runDir, '--json',
      ); // prettier-ignore
    expect(train.code, train.stderr).toBe(0);
    const events = lines(train.stdout);
    const backend = events[0] as TrainingEventOf<'backend'>;
    expect(backend.backend).toMatchObject({ backend: 'torch', device: 'cpu' });
    expect(backend.backend.reason).toMatch(/^PyTorch \d+\.\d+ on CPU, \d+ threads?/);
    const finished = events.at(-1) as TrainingEventOf<'finished'>;
    expect(finished).toMatchObject({ status: 'completed', epochs: 3, step: 3 * 188 });
    expect(finished.testAccuracy).toBeGreaterThan(0.7); // it learned
    // The run's own evaluation event is tfjs's, of the TF.js model written from the runner's
    // last checkpoint.
    const own = events.find((e) => e.type === 'evaluation') as TrainingEventOf<'evaluation'>;
    expect(Math.abs(own.evaluation.testAccuracy - finished.testAccuracy!)).toBeLessThanOrEqual(
      0.002,
    );
    expect(JSON.parse(readFileSync(join(runDir, 'config.json'), 'utf8'))).toMatchObject({
      engine: 'torch',
    });
    expect(JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')).backend.backend).toBe(
      'torch',
    );

    const evaluate = await netforge('evaluate', runDir, '--data-dir', MNIST, '--json');
    expect(evaluate.code, evaluate.stderr).toBe(0);
    const { evaluation } = lines(evaluate.stdout).at(-1) as TrainingEventOf<'evaluation'>;
    expect(evaluation.samples).toBe(10_000);
    expect(Math.abs(evaluation.testAccuracy - finished.testAccuracy!)).toBeLessThanOrEqual(0.002);
  }, 300_000);

  it('pauses, resumes and stops at the next batch, with a checkpoint; --resume continues', async () => {
    let paused = false;
    let stopAt = 0;
    const { host, events } = newHost((e, h) => {
      if (e.type === 'batch' && !paused) {
        paused = true;
        void h.send({ type: 'pause' });
      } else if (e.type === 'status' && e.state === 'paused') {
        setTimeout(() => void h.send({ type: 'resume' }), 500);
      } else if (e.type === 'batch' && e.epoch === 2 && !stopAt) {
        stopAt = e.step;
        void h.send({ type: 'stop' });
      }
    });
    const runDir = await dirs.make();
    // 300 samples in batches of 2: 150 steps an epoch, a fraction of a second each. 30 epochs,
    // so that the stop lands well before the end however late a busy machine delivers it.
    await host.send({ type: 'train', request: torchRequest(runDir, { epochs: 30, batchSize: 2 }) });
    await host.whenIdle();
    const states = events.flatMap((e) => (e.type === 'status' ? [e.state] : []));
    expect(states).toEqual(['paused', 'resumed', 'stopping']);
    // Nothing trained while paused (500 ms: an epoch takes less): at most the batch events
    // already on their way.
    const pausedAt = events.findIndex((e) => e.type === 'status' && e.state === 'paused');
    const resumedAt = events.findIndex((e) => e.type === 'status' && e.state === 'resumed');
    expect(
      events.slice(pausedAt + 1, resumedAt).filter((e) => e.type === 'batch').length,
    ).toBeLessThanOrEqual(2);
    const finished = events.at(-1) as TrainingEventOf<'finished'>;
    expect(finished).toMatchObject({ type: 'finished', status: 'stopped' });
    expect(finished.step).toBeGreaterThanOrEqual(stopAt);
    expect(finished.step).toBeLessThan(30 * 150); // stopped, not trained to the end
    // The checkpoint is at the step it stopped at, inside an epoch (how far in depends on how
    // fast the stop came).
    const state = JSON.parse(
      await readFile(join(runDir, 'checkpoints', 'last', 'state.json'), 'utf8'),
    ) as { step: number; epoch: number };
    expect(state).toMatchObject({ step: finished.step, epoch: finished.epochs });
    expect(existsSync(join(runDir, 'model', 'model.json'))).toBe(true);

    // The tfjs engine cannot continue it (the optimizer state is PyTorch's), and says so.
    const before = events.length;
    await host.send({
      type: 'train',
      request: {
        ...torchRequest(runDir, { epochs: 30, batchSize: 2 }, true),
        config: { ...torchRequest(runDir, {}).config, batchSize: 2, engine: 'tfjs' },
      },
    });
    await host.whenIdle();
    expect(events.slice(before).at(-1)).toMatchObject({ type: 'error', code: 'E_NO_CHECKPOINT' });
    expect((events.at(-1) as TrainingEventOf<'error'>).message).toMatch(
      /PyTorch engine.*--engine torch/,
    );

    // Continued from the checkpoint: the rest of its epoch and one more, to the end (--resume
    // may set fewer epochs than the run first had).
    const epochs = finished.epochs + 2;
    const after = events.length;
    await host.send({
      type: 'train',
      request: torchRequest(runDir, { epochs, batchSize: 2 }, true),
    });
    await host.whenIdle();
    const resumed = events.slice(after);
    const started = resumed.find((e) => e.type === 'run-started') as TrainingEventOf<'run-started'>;
    expect(started.resumedFromStep).toBe(finished.step);
    const firstBatch = resumed.find((e) => e.type === 'batch') as TrainingEventOf<'batch'>;
    expect(firstBatch.epoch).toBe(finished.epochs + 1);
    expect(resumed.at(-1)).toMatchObject({
      type: 'finished',
      status: 'completed',
      step: epochs * 150,
      epochs,
    });
  });

  it.skipIf(process.platform !== 'linux')(
    'reports a killed Python as E_ENGINE_DIED with its checkpoint; the run continues from it',
    async () => {
      let killed: number | null = null;
      const { host, events } = newHost((e, h) => {
        if (e.type !== 'checkpoint' || killed !== null) return;
        // The runner is the engine process's child.
        const children = readFileSync(`/proc/${h.pid}/task/${h.pid}/children`, 'utf8').trim();
        killed = Number(children.split(' ')[0]);
        process.kill(killed, 'SIGKILL');
      });
      const runDir = await dirs.make();
      // 75 steps an epoch; 30 epochs, so that the kill lands long before the end however late a
      // busy machine relays the first checkpoint's event.
      await host.send({
        type: 'train',
        request: torchRequest(runDir, { epochs: 30, batchSize: 4 }),
      });
      await host.whenIdle();
      expect(killed).toBeGreaterThan(0);
      const error = events.at(-1) as TrainingEventOf<'error'>;
      expect(error).toMatchObject({ type: 'error', code: 'E_ENGINE_DIED' });
      expect(error.message).toContain('SIGKILL');
      expect(error.checkpoint).toBe(join(runDir, 'checkpoints', 'last'));
      expect(JSON.parse(readFileSync(join(runDir, 'error.json'), 'utf8'))).toMatchObject({
        code: 'E_ENGINE_DIED',
      });
      expect(host.pid).toBeTypeOf('number'); // the engine process lives on

      const kept = JSON.parse(
        readFileSync(join(runDir, 'checkpoints', 'last', 'state.json'), 'utf8'),
      ) as { step: number; epoch: number };
      // Continued for one more epoch than its checkpoint had (--resume may cut the epochs).
      const epochs = kept.epoch + 1;
      const after = events.length;
      await host.send({
        type: 'train',
        request: torchRequest(runDir, { epochs, batchSize: 4 }, true),
      });
      await host.whenIdle();
      const resumed = events.slice(after);
      expect(resumed.find((e) => e.type === 'run-started')).toMatchObject({
        resumedFromStep: kept.step,
      });
      expect(resumed.at(-1)).toMatchObject({
        type: 'finished',
        status: 'completed',
        step: epochs * 75,
      });
      expect(existsSync(join(runDir, 'error.json'))).toBe(false);
    },
  );

  it('trains data-parallel over 2 processes: identical replicas, the loss of one process', async () => {
    // 300 synthetic images in global batches of 30: 10 steps an epoch, 50 steps in all.
    const common = ['train', 'lenet5', '--engine', 'torch', '--epochs', '5', '--batch-size', '30',
      '--lr', '0.05', '--data-dir', synthetic, '--json']; // prettier-ignore
    const one = join(await dirs.make(), 'one');
    const two = join(await dirs.make(), 'two');
    const [single, ddp] = [
      await netforge(...common, '--out', one),
      await netforge(...common, '--out', two, '--nproc-per-node', '2'),
    ];
    expect(single.code, single.stderr).toBe(0);
    expect(ddp.code, ddp.stderr).toBe(0);
    const epochs = (r: { stdout: string }) =>
      lines(r.stdout).flatMap((e) => (e.type === 'epoch' ? [e.loss!] : []));
    expect(epochs(ddp)).toHaveLength(5);
    expect(lines(ddp.stdout).at(-1)).toMatchObject({ type: 'finished', step: 50 });
    // Each replica takes half of every global batch; DDP averages the gradients, so the curve is
    // one process's up to float rounding (no BatchNorm or dropout in LeNet-5).
    epochs(ddp).forEach((loss, i) => expect(loss).toBeCloseTo(epochs(single)[i]!, 3));
    expect(epochs(ddp)[4]).toBeLessThan(epochs(ddp)[0]!);
    const replicas = JSON.parse(readFileSync(join(two, 'torch', 'replicas.json'), 'utf8'));
    expect(replicas).toEqual({ world: 2, step: 50, maxDifference: 0 });
  }, 300_000);

  it('benchmarks the generated module: netforge bench --engine torch', async () => {
    const r = await netforge(
      'bench',
      '--engine',
      'torch',
      '--model',
      'mlp',
      '--samples',
      '512',
      '--json',
    );
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout.trim()) as Record<string, unknown>;
    expect(result).toMatchObject({ model: 'mlp', batch: 32, backend: 'torch', samples: 512 });
    expect(result.samples_per_s).toBeGreaterThan(0);
  });
});
