// Checkpoints: model weights, optimizer state and where training stood, so a run resumes at the
// same step. The files, and how a crash mid-write leaves the previous checkpoint intact, are
// runs/checkpoint-files.ts's; this is the tfjs side.
import type { Optimizer } from '@tensorflow/tfjs';

import { CodedError } from '../../shared/errors.ts';
import {
  checkpointPaths,
  readCheckpointFiles,
  writeCheckpointFiles,
  type CheckpointData,
  type TensorData,
} from '../runs/checkpoint-files.ts';
import type { CheckpointState, EpochRecord } from '../runs/run-files.ts';
import type { Tf } from './backend.ts';

type Model = ReturnType<Tf['model']>;

export type { EpochRecord };
export type TrainerState = CheckpointState;

/** Saves a checkpoint into `dir` (a RunFolder's checkpointDir). */
export async function saveCheckpoint(
  dir: string,
  model: Model,
  optimizer: Optimizer,
  state: TrainerState,
): Promise<void> {
  const weights: TensorData[] = model.weights.map((w) => {
    const t = w.read();
    return { name: w.originalName, shape: t.shape, values: t.dataSync() as Float32Array };
  });
  const opt = await optimizer.getWeights();
  try {
    await writeCheckpointFiles(dir, {
      weights,
      optimizer: opt.map((w) => ({
        name: w.name,
        shape: w.tensor.shape,
        values: w.tensor.dataSync() as Float32Array,
      })),
      state,
    });
  } finally {
    // getWeights returns the optimizer's own variables plus a fresh iteration
    // count tensor: free only what is not a variable.
    for (const w of opt) if (!('assign' in w.tensor)) w.tensor.dispose();
  }
}

const sameShape = (a: readonly (number | null)[], b: readonly (number | null)[]) =>
  a.join() === b.join();

/**
 * Checks that the checkpoint's tensors fit `model`, before anything is restored: as many weights,
 * each of the model's shape (E_NO_CHECKPOINT naming weights.json: the checkpoint belongs to
 * another graph), and optimizer state of the optimizer's layout (E_IO naming optimizer.json): the
 * iteration count, then zero or more slots per trainable weight (momentum, Adam's moments...), in
 * the trainable weights' order, as tfjs's optimizers keep them.
 */
function checkFits(dir: string, model: Model, data: CheckpointData): void {
  const files = checkpointPaths(dir);
  const weightsFile = files.weightSpecs;
  const { weights, optimizer } = data;
  if (weights.length !== model.weights.length)
    throw new CodedError(
      'E_NO_CHECKPOINT',
      `The checkpoint in ${weightsFile} has ${weights.length} weights but the run's graph makes ` +
        `${model.weights.length}: it belongs to another graph.`,
    );
  model.weights.forEach((w, i) => {
    const { name, shape } = weights[i]!;
    if (!sameShape(shape, w.shape))
      throw new CodedError(
        'E_NO_CHECKPOINT',
        `The checkpoint's weight ${name} in ${weightsFile} has shape [${shape}] but the run's ` +
          `graph makes ${w.originalName} [${w.shape}]: the checkpoint belongs to another graph.`,
      );
  });
  if (!optimizer.length) return;
  const trainable = model.trainableWeights.map((w) => w.shape);
  const [iterations, ...slots] = optimizer;
  const fits =
    iterations!.shape.length === 0 &&
    (trainable.length === 0
      ? slots.length === 0
      : slots.length % trainable.length === 0 &&
        slots.every((t, i) => sameShape(t.shape, trainable[i % trainable.length]!)));
  if (!fits)
    throw new CodedError(
      'E_IO',
      `${files.optimizerSpecs} is damaged: its ${optimizer.length} ` +
        `optimizer tensors do not fit the model's ${trainable.length} trainable weights.`,
    );
}

/**
 * Restores weights (by position: the same graph builds the same weight order) and optimizer
 * state from the checkpoint in `dir` (a RunFolder's checkpoint()). Every file is read and checked
 * against the model before anything is restored; a missing or damaged file, or one that does not
 * fit the model, is a CodedError naming it (see checkFits).
 */
export async function loadCheckpoint(
  tf: Tf,
  dir: string,
  model: Model,
  optimizer: Optimizer,
): Promise<TrainerState> {
  const data = await readCheckpointFiles(dir);
  checkFits(dir, model, data);
  model.weights.forEach((w, i) => {
    const { shape, values } = data.weights[i]!;
    const t = tf.tensor(values, shape);
    w.write(t);
    t.dispose();
  });
  if (data.optimizer.length) {
    const named = data.optimizer.map(({ name, shape, values }) => ({
      name,
      tensor: tf.tensor(values, shape),
    }));
    await optimizer.setWeights(named); // copies them into the optimizer's variables
    for (const n of named) n.tensor.dispose();
  }
  return data.state;
}
