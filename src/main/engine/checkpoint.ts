// Checkpoints: model weights, optimizer state and where training stood, so a run resumes at the
// same step. The files, and how a crash mid-write leaves the previous checkpoint intact, are
// runs/checkpoint-files.ts's; this is the tfjs side.
import type { Optimizer } from '@tensorflow/tfjs';

import {
  readCheckpointFiles,
  writeCheckpointFiles,
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

/**
 * Restores weights (by position: the same graph builds the same weight order) and optimizer
 * state from the checkpoint in `dir` (a RunFolder's checkpoint()). A missing or damaged file is
 * a CodedError naming it.
 */
export async function loadCheckpoint(
  tf: Tf,
  dir: string,
  model: Model,
  optimizer: Optimizer,
): Promise<TrainerState> {
  const { weights, optimizer: opt, state } = await readCheckpointFiles(dir);
  if (weights.length !== model.weights.length)
    throw new Error(
      `The checkpoint in ${dir} has ${weights.length} weights but the model has ${model.weights.length}: it belongs to another graph.`,
    );
  model.weights.forEach((w, i) => {
    const { name, shape, values } = weights[i]!;
    if (shape.join() !== w.shape.join())
      throw new Error(
        `The checkpoint's weight ${name} has shape [${shape}] but the model's ${w.originalName} is [${w.shape}].`,
      );
    const t = tf.tensor(values, shape);
    w.write(t);
    t.dispose();
  });
  if (opt.length) {
    const named = opt.map(({ name, shape, values }) => ({
      name,
      tensor: tf.tensor(values, shape),
    }));
    await optimizer.setWeights(named); // copies them into the optimizer's variables
    for (const n of named) n.tensor.dispose();
  }
  return state;
}
