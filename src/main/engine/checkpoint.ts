// Checkpoints: model weights, optimizer state and where training stood, so a
// run resumes at the same step. Written to a temporary folder and swapped in,
// so a crash mid-write leaves the previous checkpoint intact.
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Tf } from './backend.ts';

type Model = ReturnType<Tf['model']>;
import type { Optimizer } from '@tensorflow/tfjs';

export interface EpochRecord {
  epoch: number;
  loss: number | null;
  accuracy: number | null;
  valLoss: number | null;
  valAccuracy: number | null;
  learningRate: number;
  seconds: number;
}

export interface TrainerState {
  /** The epoch in progress (0-based) and the next batch in it. */
  epoch: number;
  batchInEpoch: number;
  /** Optimizer steps done. */
  step: number;
  /** Best monitored loss so far, and epochs since it improved (early stopping). */
  best: number | null;
  sinceBest: number;
  history: EpochRecord[];
}

interface TensorSpec {
  name: string;
  shape: number[];
}

async function writeTensors(
  dir: string,
  base: string,
  tensors: { name: string; values: Float32Array; shape: number[] }[],
) {
  const total = tensors.reduce((n, t) => n + t.values.length, 0);
  const all = new Float32Array(total);
  let o = 0;
  for (const t of tensors) {
    all.set(t.values, o);
    o += t.values.length;
  }
  await writeFile(join(dir, `${base}.bin`), new Uint8Array(all.buffer));
  const specs: TensorSpec[] = tensors.map((t) => ({ name: t.name, shape: t.shape }));
  await writeFile(join(dir, `${base}.json`), JSON.stringify(specs));
}

async function readTensors(
  dir: string,
  base: string,
): Promise<{ spec: TensorSpec; values: Float32Array }[]> {
  const specs = JSON.parse(await readFile(join(dir, `${base}.json`), 'utf8')) as TensorSpec[];
  const bytes = await readFile(join(dir, `${base}.bin`));
  const all = new Float32Array(
    bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
  );
  let o = 0;
  return specs.map((spec) => {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    const values = all.subarray(o, o + n);
    o += n;
    return { spec, values };
  });
}

export async function saveCheckpoint(
  dir: string,
  model: Model,
  optimizer: Optimizer,
  state: TrainerState,
): Promise<void> {
  const tmp = `${dir}.writing`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  const weights = model.weights.map((w) => {
    const t = w.read();
    return { name: w.originalName, shape: t.shape, values: t.dataSync() as Float32Array };
  });
  await writeTensors(tmp, 'weights', weights);
  const opt = await optimizer.getWeights();
  await writeTensors(
    tmp,
    'optimizer',
    opt.map((w) => ({
      name: w.name,
      shape: w.tensor.shape,
      values: w.tensor.dataSync() as Float32Array,
    })),
  );
  // getWeights returns the optimizer's own variables plus a fresh iteration
  // count tensor: free only what is not a variable.
  for (const w of opt) if (!('assign' in w.tensor)) w.tensor.dispose();
  await writeFile(join(tmp, 'state.json'), JSON.stringify(state, null, 1));
  await rm(dir, { recursive: true, force: true });
  await rename(tmp, dir);
}

/** Restores weights (by position: the same graph builds the same weight order) and optimizer state. */
export async function loadCheckpoint(
  tf: Tf,
  dir: string,
  model: Model,
  optimizer: Optimizer,
): Promise<TrainerState> {
  const weights = await readTensors(dir, 'weights');
  if (weights.length !== model.weights.length)
    throw new Error(
      `The checkpoint in ${dir} has ${weights.length} weights but the model has ${model.weights.length}: it belongs to another graph.`,
    );
  model.weights.forEach((w, i) => {
    const { spec, values } = weights[i]!;
    if (spec.shape.join() !== w.shape.join())
      throw new Error(
        `The checkpoint's weight ${spec.name} has shape [${spec.shape}] but the model's ${w.originalName} is [${w.shape}].`,
      );
    const t = tf.tensor(values, spec.shape);
    w.write(t);
    t.dispose();
  });
  const opt = await readTensors(dir, 'optimizer');
  if (opt.length) {
    const named = opt.map(({ spec, values }) => ({
      name: spec.name,
      tensor: tf.tensor(values, spec.shape),
    }));
    await optimizer.setWeights(named); // copies them into the optimizer's variables
    for (const n of named) n.tensor.dispose();
  }
  return JSON.parse(await readFile(join(dir, 'state.json'), 'utf8')) as TrainerState;
}
