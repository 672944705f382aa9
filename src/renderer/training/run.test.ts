// How the dashboard's store follows a run's events (no engine needed: apply() is pure store work).
import { beforeEach, describe, expect, it } from 'vitest';
import type { TrainingEvent } from '../../shared/events.ts';
import { apply } from './run.ts';
import { emptyRun, flushBatches, useTraining } from './training-store.ts';

const batch = (step: number, loss: number): TrainingEvent => ({
  type: 'batch',
  epoch: 1,
  step,
  batchInEpoch: step,
  stepsPerEpoch: 10,
  loss,
  accuracy: 0.5,
  learningRate: 0.01,
  samplesPerSecond: 100,
  etaSeconds: 5,
});

describe('following a run', () => {
  beforeEach(() => useTraining.setState({ ...emptyRun, phase: 'running', runId: 'r1' }));

  it('shows download progress until the run starts', () => {
    apply({
      type: 'dataset-progress',
      file: 'train-images-idx3-ubyte.gz',
      receivedBytes: 2e6,
      totalBytes: 9.9e6,
    });
    expect(useTraining.getState().download).toEqual({
      file: 'train-images-idx3-ubyte.gz',
      receivedBytes: 2e6,
      totalBytes: 9.9e6,
    });
    expect(useTraining.getState().activity).toMatch(/Downloading train-images.*2\.0 MB of 9\.9 MB/);
    apply({
      type: 'run-started',
      runDir: '/r',
      backend: { backend: 'wasm', device: 'CPU', reason: 'test' },
      totalParams: 1,
      trainSamples: 100,
      validationSamples: 10,
      testSamples: 50,
      stepsPerEpoch: 10,
      epochs: 2,
      resumedFromStep: null,
      notes: [],
    });
    expect(useTraining.getState().download).toBeNull();
    expect(useTraining.getState().info).toMatchObject({ validationSamples: 10, testSamples: 50 });
  });

  it('keeps batches in order before the epoch that follows them', () => {
    apply(batch(1, 2.3));
    apply(batch(2, 2.1));
    apply({
      type: 'epoch',
      epoch: 1,
      step: 2,
      loss: 2.2,
      accuracy: 0.4,
      valLoss: 2.0,
      valAccuracy: 0.45,
      learningRate: 0.01,
      seconds: 1,
    });
    const s = useTraining.getState();
    expect(s.batches.map((b) => [b.step, b.loss])).toEqual([
      [1, 2.3],
      [2, 2.1],
    ]);
    expect(s.epochs).toHaveLength(1);
    expect(s.epochs[0]).toMatchObject({ valLoss: 2.0, valAccuracy: 0.45 });
    expect(s.last?.step).toBe(2);
  });

  it('drops the points after the checkpoint a continued run starts from', () => {
    for (const step of [1, 2, 3, 4]) apply(batch(step, 2));
    flushBatches();
    apply({
      type: 'run-started',
      runDir: '/r',
      backend: { backend: 'wasm', device: 'CPU', reason: 'test' },
      totalParams: 1,
      trainSamples: 100,
      validationSamples: 0,
      testSamples: 50,
      stepsPerEpoch: 10,
      epochs: 2,
      resumedFromStep: 2,
      notes: [],
    });
    apply(batch(3, 1.5));
    flushBatches();
    expect(useTraining.getState().batches.map((b) => [b.step, b.loss])).toEqual([
      [1, 2],
      [2, 2],
      [3, 1.5],
    ]);
  });

  it('offers to continue a stopped run, or a failed one that kept a checkpoint', () => {
    apply({
      type: 'finished',
      status: 'stopped',
      runDir: '/r',
      epochs: 1,
      step: 12,
      seconds: 3,
      testAccuracy: 0.5,
      testLoss: 1,
    });
    expect(useTraining.getState().canContinue).toBe(true);
    useTraining.setState({ phase: 'running', canContinue: false });
    apply({ type: 'error', code: 'E_DATA_MISSING', message: 'No files.', checkpoint: null });
    expect(useTraining.getState().canContinue).toBe(false);
  });

  it('pauses, resumes, and ends with the error and its checkpoint', () => {
    apply({ type: 'status', state: 'paused', step: -1 });
    expect(useTraining.getState().phase).toBe('paused');
    apply({ type: 'status', state: 'resumed', step: -1 });
    expect(useTraining.getState().phase).toBe('running');
    apply(batch(3, 1));
    flushBatches();
    apply({
      type: 'error',
      code: 'E_NAN_LOSS',
      message: 'The loss became NaN.',
      checkpoint: '/r/checkpoints/last',
    });
    const s = useTraining.getState();
    expect(s.phase).toBe('error');
    expect(s.error).toMatch(/NaN.*checkpoint is kept in \/r\/checkpoints\/last/);
    expect(s.canContinue).toBe(true);
    // A late status event does not bring a failed run back to life.
    apply({ type: 'status', state: 'resumed', step: -1 });
    expect(useTraining.getState().phase).toBe('error');
  });
});
