// The training loop. A hand-written loop rather than model.fit, so that it can
// pause between batches, stop with a checkpoint at the exact step, resume from
// one, catch a NaN loss at once, and stream throttled events.
import type { TrainConfig } from '../../shared/train-config.ts';
import type { TrainingEvent } from '../../shared/events.ts';
import { CodedError } from '../../shared/errors.ts';
import type { CheckpointKind, RunFolder } from '../runs/run-folder.ts';
import type { Tf } from './backend.ts';
import { makeBatch, subset } from './batches.ts';
import { saveCheckpoint, type TrainerState } from './checkpoint.ts';
import type { RunControl } from './control.ts';
import type { Dataset, Split } from './datasets/index.ts';
import { evaluateSplit } from './evaluate.ts';
import { trainStep, trainableVariables } from './step.ts';
import type { ParallelTrainer } from './parallel/trainer.ts';
import { setLearningRate, type Optimizer } from './optimizer.ts';
import { mix, shuffled } from './random.ts';
import { learningRateAt } from './schedule.ts';

type Model = ReturnType<Tf['model']>;

export class NonFiniteLossError extends CodedError {
  constructor(message: string) {
    super('E_NAN_LOSS', message);
  }
}

export interface TrainerOptions {
  tf: Tf;
  model: Model;
  optimizer: Optimizer;
  dataset: Dataset;
  train: Split;
  validation: Split | null;
  config: TrainConfig;
  probabilities: boolean;
  /** Where checkpoints go. */
  folder: RunFolder;
  control: RunControl;
  emit: (e: TrainingEvent) => void;
  state: TrainerState;
  /** Data-parallel replicas (replica 0 is `model` / `optimizer`), or null for one thread. */
  parallel?: ParallelTrainer | null;
  /** Batch events per second at most. */
  batchEventsPerSecond?: number;
  /** A failure to record the run's events (a full disk), which ends the run at the next batch. */
  writeFailure?: () => unknown;
}

export interface TrainerResult {
  status: 'completed' | 'stopped' | 'early-stopped';
  state: TrainerState;
}

export function freshState(): TrainerState {
  return { epoch: 0, batchInEpoch: 0, step: 0, best: null, sinceBest: 0, history: [] };
}

const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** Splits off the validation samples: the last fraction of the training set, as Keras does. */
export function splitValidation(
  train: Split,
  fraction: number,
  imageSize: number,
): { train: Split; validation: Split | null } {
  const nVal = Math.floor(train.count * fraction);
  if (nVal === 0) return { train, validation: null };
  return {
    train: subset(train, 0, train.count - nVal, imageSize),
    validation: subset(train, train.count - nVal, train.count, imageSize),
  };
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export async function runTrainer(o: TrainerOptions): Promise<TrainerResult> {
  const { tf, model, optimizer, dataset, config, control, emit } = o;
  const state = o.state;
  const n = o.train.count;
  const stepsPerEpoch = Math.ceil(n / config.batchSize);
  const minInterval = 1000 / (o.batchEventsPerSecond ?? 20);
  const vars = trainableVariables(model);
  const checkpoint = async (kind: CheckpointKind) => {
    const path = o.folder.checkpointDir(kind);
    await saveCheckpoint(path, model, optimizer, state);
    emit({ type: 'checkpoint', kind, epoch: state.epoch, step: state.step, path });
  };

  let lastEvent = 0;
  // Clocks for throughput and ETA leave out time spent paused.
  let runStart = performance.now();
  const stepsAtStart = state.step;
  control.step = state.step;
  for (; state.epoch < config.epochs; state.epoch++, state.batchInEpoch = 0) {
    const lr = learningRateAt(config.learningRate, config.schedule, state.epoch, config.epochs);
    setLearningRate(optimizer, lr);
    o.parallel?.setLearningRate(lr);
    const order = shuffled(n, mix(config.seed, state.epoch));
    let epochStart = performance.now();
    let lossSum = 0;
    let accSum = 0;
    let seen = 0;
    const augment = config.augment && dataset.name === 'cifar10';
    for (; state.batchInEpoch < stepsPerEpoch; state.batchInEpoch++) {
      // A training step runs synchronously: let the process handle what arrived meanwhile
      // (pause, resume, stop from the host) so that they act at the next batch, not at the end
      // of the epoch.
      await yieldToEventLoop();
      if (control.isPaused) {
        const pausedAt = performance.now();
        await control.waitIfPaused();
        const paused = performance.now() - pausedAt;
        runStart += paused;
        epochStart += paused;
      }
      const failure = o.writeFailure?.();
      if (failure) throw failure;
      if (control.stopRequested) {
        await checkpoint('last');
        return { status: 'stopped', state };
      }
      const b = state.batchInEpoch;
      const idx = order.subarray(b * config.batchSize, Math.min(n, (b + 1) * config.batchSize));
      const batch = makeBatch(tf, dataset, o.train, idx, {
        augmentSeed: augment ? mix(config.seed, state.epoch, b) : null,
      });
      const { loss, accuracy: a } = o.parallel
        ? o.parallel.step(batch.xs, batch.ys)
        : trainStep(tf, model, optimizer, vars, batch.xs, batch.ys, o.probabilities);
      batch.xs.dispose();
      batch.ys.dispose();
      if (!Number.isFinite(loss)) {
        throw new NonFiniteLossError(
          `The loss became ${loss} at epoch ${state.epoch + 1}, step ${state.step + 1}: training diverged. ` +
            'Lower the learning rate (or add BatchNormalization) and start again; the last good checkpoint is kept.',
        );
      }
      state.step++;
      control.step = state.step;
      lossSum += loss * idx.length;
      accSum += a * idx.length;
      seen += idx.length;
      const now = performance.now();
      const lastOfEpoch = b === stepsPerEpoch - 1;
      if (now - lastEvent >= minInterval || lastOfEpoch) {
        lastEvent = now;
        const secondsPerStep = (now - runStart) / 1000 / Math.max(1, state.step - stepsAtStart);
        const remaining =
          (config.epochs - state.epoch - 1) * stepsPerEpoch + (stepsPerEpoch - b - 1);
        emit({
          type: 'batch',
          epoch: state.epoch + 1,
          step: state.step,
          batchInEpoch: b + 1,
          stepsPerEpoch,
          loss: finite(loss),
          accuracy: finite(a),
          learningRate: lr,
          samplesPerSecond: seen / Math.max(1e-6, (now - epochStart) / 1000),
          etaSeconds: remaining * secondsPerStep,
        });
      }
    }
    const val = o.validation
      ? evaluateSplit(tf, model, dataset, o.validation, o.probabilities)
      : null;
    const record = {
      epoch: state.epoch + 1,
      loss: seen ? finite(lossSum / seen) : null,
      accuracy: seen ? finite(accSum / seen) : null,
      valLoss: val ? finite(val.testLoss) : null,
      valAccuracy: val ? finite(val.testAccuracy) : null,
      learningRate: lr,
      seconds: (performance.now() - epochStart) / 1000,
    };
    state.history.push(record);
    emit({ type: 'epoch', step: state.step, ...record });

    const monitored = record.valLoss ?? record.loss ?? Infinity;
    const minDelta = config.earlyStopping?.minDelta ?? 0;
    const improved = state.best === null || monitored < state.best - minDelta;
    if (improved) {
      state.best = monitored;
      state.sinceBest = 0;
    } else state.sinceBest++;
    const stopEarly =
      config.earlyStopping !== null && state.sinceBest >= config.earlyStopping.patience;
    const finishedAll = state.epoch + 1 >= config.epochs;
    // The saved state points at the next epoch, so resuming starts there.
    state.epoch++;
    state.batchInEpoch = 0;
    await checkpoint('last');
    if (improved) await checkpoint('best');
    state.epoch--;
    if (stopEarly && !finishedAll) {
      state.epoch++;
      return { status: 'early-stopped', state };
    }
  }
  return { status: 'completed', state };
}
