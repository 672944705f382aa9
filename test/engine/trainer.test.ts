// Training runs in-process, as the engine process does them: a tiny convnet on a synthetic
// MNIST folder, through runTraining with a RunControl, checking the events it streams and the
// run folder it leaves behind.
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend, tf } from '../../src/main/engine/backend.ts';
import type { TrainerState } from '../../src/main/engine/checkpoint.ts';
import { RunControl } from '../../src/main/engine/control.ts';
import { readMnist } from '../../src/main/engine/datasets/mnist.ts';
import { evaluateSplit } from '../../src/main/engine/evaluate.ts';
import { loadTfjsModel } from '../../src/main/engine/load-model.ts';
import { runTraining } from '../../src/main/engine/run.ts';
import { learningRateAt } from '../../src/main/engine/schedule.ts';
import type { Evaluation, TrainingEvent, TrainingEventOf } from '../../src/shared/events.ts';
import type { TrainConfigInput } from '../../src/shared/train-config.ts';
import {
  TEST_SAMPLES,
  TRAIN_SAMPLES,
  tempDirs,
  tinyGraph,
  trainRequest,
  writeSyntheticMnist,
} from './fixtures.ts';

const dirs = tempDirs('trainer');
let data = '';

beforeAll(async () => {
  data = await writeSyntheticMnist(join(await dirs.make(), 'mnist'));
  // Every run selects wasm itself; starting it here lets a test read tf.memory() first.
  await selectBackend('wasm');
});
afterAll(() => dirs.cleanup());

type Listener = (e: TrainingEvent, events: TrainingEvent[]) => void;

/** Runs one training request to its end and returns every event it emitted. */
async function train(
  runDir: string,
  config: Partial<TrainConfigInput> = {},
  opts: { control?: RunControl; onEvent?: Listener; resume?: boolean; dataDir?: string } = {},
): Promise<TrainingEvent[]> {
  const events: TrainingEvent[] = [];
  const req = trainRequest(runDir, opts.dataDir ?? data, config, { resume: opts.resume });
  await runTraining(
    req,
    (e) => {
      events.push(e);
      opts.onEvent?.(e, events);
    },
    opts.control,
  );
  return events;
}

const ofType = <T extends TrainingEvent['type']>(events: TrainingEvent[], type: T) =>
  events.filter((e): e is TrainingEventOf<T> => e.type === type);

function only<T extends TrainingEvent['type']>(events: TrainingEvent[], type: T) {
  const found = ofType(events, type);
  expect(found, `${type} events`).toHaveLength(1);
  return found[0]!;
}

/** The run's trained weights, as saved in model/weights.bin. */
async function modelWeights(runDir: string): Promise<Float32Array> {
  const bytes = await readFile(join(runDir, 'model', 'weights.bin'));
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
}

function expectClose(actual: Float32Array, expected: Float32Array, tolerance = 1e-6): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++)
    worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  expect(worst).toBeLessThanOrEqual(tolerance);
}

const readJson = async <T>(...path: string[]): Promise<T> =>
  JSON.parse(await readFile(join(...path), 'utf8')) as T;

// One uninterrupted 3-epoch run with the default settings: the first test inspects it, the
// pause test must end with the same weights.
let reference: Promise<{ runDir: string; events: TrainingEvent[] }> | null = null;
const referenceRun = () =>
  (reference ??= dirs.make().then(async (runDir) => ({ runDir, events: await train(runDir) })));

const STEPS_PER_EPOCH = Math.ceil(TRAIN_SAMPLES / 32);

/**
 * Calls `action` at the batch event of exactly `step` (in epoch 2 or later). Batch events come
 * at most 20 a second, but always at an epoch's last batch and right after a pause longer than
 * that: pausing briefly at each event from the end of epoch 1 on walks to `step`.
 */
function atStep(control: RunControl, step: number, action: (e: TrainingEventOf<'batch'>) => void) {
  let reached = false;
  return (e: TrainingEvent): void => {
    if (reached || e.type !== 'batch' || e.step < STEPS_PER_EPOCH) return;
    if (e.step >= step) {
      reached = true;
      action(e);
    } else if (control.pause()) setTimeout(() => control.resume(), 60);
  };
}

describe('a training run', () => {
  it('learns the synthetic digits and reports every stage in order', async () => {
    const { events } = await referenceRun();

    // backend first, then run-started; per epoch: batches, epoch, checkpoint last (+ best).
    const shape = events
      .map((e) => (e.type === 'checkpoint' ? `checkpoint-${e.kind}` : e.type))
      .join(' ')
      .replace(/(batch )+/g, 'batch* ');
    expect(shape).toMatch(
      /^backend run-started (batch\* epoch checkpoint-last (checkpoint-best )?){3}evaluation finished$/,
    );

    const started = only(events, 'run-started');
    expect(started).toMatchObject({
      trainSamples: TRAIN_SAMPLES,
      validationSamples: 0,
      testSamples: TEST_SAMPLES,
      stepsPerEpoch: STEPS_PER_EPOCH,
      epochs: 3,
      resumedFromStep: null,
      totalParams: 13 * 13 * 4 * 10 + 10 + 3 * 3 * 4 + 4,
    });

    const batches = ofType(events, 'batch');
    for (const b of batches) {
      expect(b.loss).toBeTypeOf('number');
      expect(b.accuracy).toBeGreaterThanOrEqual(0);
      expect(b.accuracy).toBeLessThanOrEqual(1);
      expect(b.samplesPerSecond).toBeGreaterThan(0);
      expect(b.etaSeconds).toBeGreaterThanOrEqual(0);
      expect(b.stepsPerEpoch).toBe(STEPS_PER_EPOCH);
      expect(b.learningRate).toBe(0.1);
    }
    const steps = batches.map((b) => b.step);
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
    expect(new Set(steps).size).toBe(steps.length);
    expect(batches.at(-1)).toMatchObject({ step: 3 * STEPS_PER_EPOCH, epoch: 3, etaSeconds: 0 });

    const epochs = ofType(events, 'epoch');
    expect(epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
    expect(epochs.at(-1)!.loss!).toBeLessThan(epochs[0]!.loss! / 2);

    const finished = only(events, 'finished');
    expect(finished).toMatchObject({ status: 'completed', epochs: 3, step: 3 * STEPS_PER_EPOCH });
    expect(finished.testAccuracy).toBeGreaterThan(0.8);
    expect(only(events, 'evaluation').evaluation.testAccuracy).toBe(finished.testAccuracy);
  });

  it('leaves a complete run folder: graph, config, metrics, model, checkpoints, evaluation', async () => {
    const { runDir, events } = await referenceRun();

    expect(await readJson(runDir, 'graph.json')).toEqual(tinyGraph());
    expect(await readJson(runDir, 'config.json')).toMatchObject({
      dataset: 'mnist',
      epochs: 3,
      batchSize: 32,
      learningRate: 0.1,
    });

    // metrics.jsonl: one JSON object per event, in the same order.
    const lines = (await readFile(join(runDir, 'metrics.jsonl'), 'utf8')).trimEnd().split('\n');
    const records = lines.map((l) => JSON.parse(l) as { time: number; type: string });
    expect(records.map((r) => r.type)).toEqual(events.map((e) => e.type));
    for (const r of records) expect(r.time).toBeTypeOf('number');

    // The saved model is the trained one: it scores what the run reported.
    const evaluation = await readJson<Evaluation>(runDir, 'evaluation.json');
    const model = await loadTfjsModel(tf, join(runDir, 'model'));
    try {
      expect(model.countParams()).toBe(only(events, 'run-started').totalParams);
      const ds = await readMnist(data);
      const again = evaluateSplit(tf, model, ds, ds.test, false);
      expect(again.testAccuracy).toBe(evaluation.testAccuracy);
      expect(again.testLoss).toBeCloseTo(evaluation.testLoss, 5);
    } finally {
      model.dispose();
    }

    expect(evaluation.samples).toBe(TEST_SAMPLES);
    expect(evaluation.confusion).toHaveLength(10);
    for (const row of evaluation.confusion) expect(row).toHaveLength(10);
    expect(evaluation.confusion.flat().reduce((a, b) => a + b, 0)).toBe(TEST_SAMPLES);
    const correct = evaluation.confusion.reduce((n, row, i) => n + row[i]!, 0);
    expect(correct / TEST_SAMPLES).toBe(evaluation.testAccuracy);

    for (const kind of ['last', 'best']) {
      const dir = join(runDir, 'checkpoints', kind);
      for (const f of ['weights.bin', 'weights.json', 'optimizer.json', 'state.json'])
        expect(existsSync(join(dir, f)), `${kind}/${f}`).toBe(true);
    }
    const last = await readJson<TrainerState>(runDir, 'checkpoints', 'last', 'state.json');
    expect(last).toMatchObject({ epoch: 3, batchInEpoch: 0, step: 3 * STEPS_PER_EPOCH });
    expect(last.history).toHaveLength(3);
    // The last checkpoint holds the final weights, in the model's order.
    const ckpt = await readFile(join(runDir, 'checkpoints', 'last', 'weights.bin'));
    expect(ckpt.equals(await readFile(join(runDir, 'model', 'weights.bin')))).toBe(true);
  });
});

describe('pause, stop and resume', () => {
  it('pauses between batches and, once resumed, ends with the same weights as an uninterrupted run', async () => {
    const { runDir: referenceDir } = await referenceRun();
    const PAUSE_AT = STEPS_PER_EPOCH + 2; // after the second batch of epoch 2
    const control = new RunControl();
    let pausedWith = -1;
    let duringPause: { events: number; isPaused: boolean; done: boolean } | null = null;
    let done = false;
    const runDir = await dirs.make();
    const events: TrainingEvent[] = [];
    const walk = atStep(control, PAUSE_AT, () => {
      control.pause();
      pausedWith = events.length;
      setTimeout(() => {
        duringPause = { events: events.length, isPaused: control.isPaused, done };
        control.resume();
      }, 300);
    });
    await train(
      runDir,
      {},
      {
        control,
        onEvent: (e) => {
          events.push(e);
          walk(e);
        },
      },
    ).finally(() => (done = true));

    // Nothing happened for 300 ms: no events, the run was waiting, not finished.
    expect(duringPause).toEqual({ events: pausedWith, isPaused: true, done: false });
    // The run announces the pause and the resume at the step where they took effect.
    expect(events.slice(pausedWith - 2, pausedWith + 2)).toMatchObject([
      { type: 'batch', step: PAUSE_AT },
      { type: 'status', state: 'paused', step: PAUSE_AT },
      { type: 'status', state: 'resumed', step: PAUSE_AT },
      { type: 'batch', step: PAUSE_AT + 1 },
    ]);
    expect(only(events, 'finished')).toMatchObject({
      status: 'completed',
      step: 3 * STEPS_PER_EPOCH,
    });
    expectClose(await modelWeights(runDir), await modelWeights(referenceDir));
  });

  it('stops mid-epoch with a checkpoint and resumes from it to the same result', async () => {
    const config = { epochs: 2, momentum: 0.9, learningRate: 0.05 };
    const STOP_AT = STEPS_PER_EPOCH + 3; // the third batch of epoch 2

    const dirA = await dirs.make();
    const a = await train(dirA, config);
    expect(only(a, 'finished')).toMatchObject({ status: 'completed', step: 2 * STEPS_PER_EPOCH });

    const dirB = await dirs.make();
    const control = new RunControl();
    const b1 = await train(dirB, config, {
      control,
      onEvent: atStep(control, STOP_AT, () => control.stop()),
    });
    const last = ofType(b1, 'batch').at(-1)!;
    expect(last).toMatchObject({ step: STOP_AT, epoch: 2, batchInEpoch: 3 });
    expect(only(b1, 'finished')).toMatchObject({ status: 'stopped', step: STOP_AT, epochs: 1 });
    const saved = await readJson<TrainerState>(dirB, 'checkpoints', 'last', 'state.json');
    expect(saved).toMatchObject({ epoch: 1, batchInEpoch: 3, step: STOP_AT });

    const b2 = await train(dirB, config, { resume: true });
    expect(only(b2, 'run-started').resumedFromStep).toBe(STOP_AT);
    expect(ofType(b2, 'batch')[0]!.step).toBe(STOP_AT + 1);
    const finishedA = only(a, 'finished');
    const finishedB = only(b2, 'finished');
    expect(finishedB).toMatchObject({ status: 'completed', step: finishedA.step, epochs: 2 });
    expectClose(await modelWeights(dirB), await modelWeights(dirA));
    // The momentum buffers travelled through the checkpoint too.
    const optimizerState = async (dir: string) => {
      const bytes = await readFile(join(dir, 'checkpoints', 'last', 'optimizer.bin'));
      return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    };
    expectClose(await optimizerState(dirB), await optimizerState(dirA));
  });

  it('refuses to resume a folder without a checkpoint', async () => {
    const events = await train(await dirs.make(), {}, { resume: true });
    expect(events.at(-1)).toMatchObject({ type: 'error', checkpoint: null });
    expect((events.at(-1) as TrainingEventOf<'error'>).message).toMatch(/no checkpoint/i);
  });
});

describe('a diverging run', () => {
  // The request schema caps the learning rate at 10, and this tiny ReLU net just dies at that;
  // a rate past float32's reach overflows the weights within two steps.
  const DIVERGING_LR = 1e30;

  it('stops at the first NaN loss with E_NAN_LOSS and writes no checkpoint of broken weights', async () => {
    const runDir = await dirs.make();
    const req = trainRequest(runDir, data, { epochs: 2 });
    req.config.learningRate = DIVERGING_LR;
    const events: TrainingEvent[] = [];
    await runTraining(req, (e) => events.push(e));

    const error = events.at(-1) as TrainingEventOf<'error'>;
    expect(error).toMatchObject({ type: 'error', code: 'E_NAN_LOSS', checkpoint: null });
    expect(error.message).toMatch(/lower the learning rate/i);
    expect(ofType(events, 'finished')).toHaveLength(0);
    expect(ofType(events, 'checkpoint')).toHaveLength(0);
    expect(existsSync(join(runDir, 'checkpoints', 'last'))).toBe(false);
    for (const b of ofType(events, 'batch')) expect(b.loss).not.toBeNull();
  });

  it('points at the last good checkpoint when it diverges after one', async () => {
    const runDir = await dirs.make();
    const good = await train(runDir, { epochs: 1 });
    expect(only(good, 'finished').status).toBe('completed');

    // Resume the healthy run for two more epochs at a rate that blows up.
    const req = trainRequest(runDir, data, { epochs: 3 }, { resume: true });
    req.config.learningRate = DIVERGING_LR;
    const events: TrainingEvent[] = [];
    await runTraining(req, (e) => events.push(e));

    const last = join(runDir, 'checkpoints', 'last');
    expect(events.at(-1)).toMatchObject({ type: 'error', code: 'E_NAN_LOSS', checkpoint: last });
    expect((events.at(-1) as TrainingEventOf<'error'>).message).toMatch(/epoch 2/);
    const state = await readJson<TrainerState>(last, 'state.json');
    expect(state).toMatchObject({ epoch: 1, step: STEPS_PER_EPOCH });
    // The folder tells of the resumed run, which failed; the first one's result (and its model)
    // stay until a resumed run writes its own (resume-safety.test.ts).
    expect(await readJson(runDir, 'error.json')).toEqual(events.at(-1));
    expect(await readJson(runDir, 'run.json')).toMatchObject({ status: 'completed', epochs: 1 });
    expect(existsSync(join(runDir, 'evaluation.json'))).toBe(true);
    const bytes = await readFile(join(last, 'weights.bin'));
    const weights = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    expect(weights.every(Number.isFinite)).toBe(true);
  });
});

describe('resources', () => {
  it('holds a constant number of tensors from batch to batch and frees them all at the end', async () => {
    const before = tf.memory().numTensors;
    const counts: { step: number; tensors: number }[] = [];
    const events = await train(
      await dirs.make(),
      { epochs: 2, optimizer: 'adam', learningRate: 0.01, validationSplit: 0.2 },
      {
        onEvent: (e) => {
          if (e.type === 'batch') counts.push({ step: e.step, tensors: tf.memory().numTensors });
        },
      },
    );
    expect(only(events, 'finished').status).toBe('completed');
    // Adam makes its moment variables on the first step; from then on nothing may accumulate.
    const settled = counts.find((c) => c.step >= 3)!;
    const last = counts.at(-1)!;
    expect(last.step).toBeGreaterThan(settled.step);
    expect(last.tensors).toBe(settled.tensors);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('optimizers and schedules', () => {
  it.each<[string, Partial<TrainConfigInput>]>([
    ['sgd', { optimizer: 'sgd', learningRate: 0.1 }],
    ['sgd with momentum', { optimizer: 'sgd', learningRate: 0.05, momentum: 0.9 }],
    ['adam', { optimizer: 'adam', learningRate: 0.01 }],
    ['rmsprop', { optimizer: 'rmsprop', learningRate: 0.005 }],
    ['adagrad', { optimizer: 'adagrad', learningRate: 0.1 }],
  ])('%s trains an epoch', async (_name, config) => {
    const events = await train(await dirs.make(), { epochs: 1, limitTrain: 128, ...config });
    const finished = only(events, 'finished');
    expect(finished).toMatchObject({ status: 'completed', step: 4 });
    expect(only(events, 'epoch').loss).toBeTypeOf('number');
    expect(finished.testAccuracy).toBeTypeOf('number');
  });

  it('learningRateAt follows step, exponential and cosine schedules', () => {
    const at = (s: Parameters<typeof learningRateAt>[1], epochs: number) =>
      Array.from({ length: epochs }, (_, e) => learningRateAt(0.1, s, e, epochs));
    expect(at({ kind: 'constant' }, 3)).toEqual([0.1, 0.1, 0.1]);
    const step = at({ kind: 'step', everyEpochs: 2, factor: 0.5 }, 5);
    [0.1, 0.1, 0.05, 0.05, 0.025].forEach((lr, i) => expect(step[i]).toBeCloseTo(lr, 12));
    const exp = at({ kind: 'exponential', rate: 0.9 }, 4);
    [0.1, 0.09, 0.081, 0.0729].forEach((lr, i) => expect(exp[i]).toBeCloseTo(lr, 12));
    const cos = at({ kind: 'cosine', minLr: 0.001 }, 5);
    [
      0.1,
      0.001 + 0.099 * 0.5 * (1 + Math.SQRT1_2),
      0.0505,
      0.001 + 0.099 * 0.5 * (1 - Math.SQRT1_2),
      0.001,
    ].forEach((lr, i) => expect(cos[i]).toBeCloseTo(lr, 12));
    expect(learningRateAt(0.1, { kind: 'cosine', minLr: 0 }, 0, 1)).toBe(0.1);
  });

  it('applies the schedule to each epoch of a run', async () => {
    const events = await train(await dirs.make(), {
      epochs: 3,
      limitTrain: 64,
      schedule: { kind: 'step', everyEpochs: 1, factor: 0.5 },
    });
    expect(ofType(events, 'epoch').map((e) => e.learningRate)).toEqual([0.1, 0.05, 0.025]);
    for (const b of ofType(events, 'batch'))
      expect(b.learningRate).toBe(0.1 * 0.5 ** (b.epoch - 1));
  });

  it('stops early when the validation loss stops improving', async () => {
    const events = await train(await dirs.make(), {
      epochs: 6,
      learningRate: 1e-4,
      validationSplit: 0.2,
      earlyStopping: { patience: 1, minDelta: 10 },
    });
    const started = only(events, 'run-started');
    expect(started).toMatchObject({ trainSamples: 240, validationSamples: 60 });
    const epochs = ofType(events, 'epoch');
    expect(epochs).toHaveLength(2);
    for (const e of epochs) expect(e.valLoss).toBeTypeOf('number');
    expect(only(events, 'finished')).toMatchObject({ status: 'early-stopped', epochs: 2 });
  });
});

describe('bad requests', () => {
  it('a graph whose input does not fit the dataset fails with E_GRAPH naming E_INPUT_SHAPE', async () => {
    const runDir = await dirs.make();
    const events: TrainingEvent[] = [];
    await runTraining(trainRequest(runDir, data, {}, { graph: tinyGraph([32, 32, 3]) }), (e) =>
      events.push(e),
    );
    // Refused before anything is loaded: the (existing) folder only records the failure.
    expect(events.map((e) => e.type)).toEqual(['error']);
    expect((await readdir(runDir)).sort()).toEqual(['error.json', 'metrics.jsonl']);
    const error = events[0] as TrainingEventOf<'error'>;
    expect(error.code).toBe('E_GRAPH');
    expect(error.message).toContain('E_INPUT_SHAPE');
    expect(error.message).toContain('28');
  });

  it('a run folder that cannot be created is an error event, not an exception', async () => {
    const file = join(await dirs.make(), 'a-file');
    await writeFile(file, 'not a folder');
    const runDir = join(file, 'run');
    const events = await train(runDir);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'error', code: 'E_INTERNAL', checkpoint: null });
    expect((events[0] as TrainingEventOf<'error'>).message).toContain(runDir);
  });

  it('a missing data folder fails with E_DATA_MISSING naming the folder', async () => {
    const missing = join(await dirs.make(), 'no-such-folder');
    const events = await train(await dirs.make(), {}, { dataDir: missing });
    const error = events.at(-1) as TrainingEventOf<'error'>;
    expect(error).toMatchObject({ type: 'error', code: 'E_DATA_MISSING', checkpoint: null });
    expect(error.message).toContain(missing);
    expect(ofType(events, 'run-started')).toHaveLength(0);
  });
});
