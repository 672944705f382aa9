// A checkpoint folder (checkpoints/last or checkpoints/best): the model's weights and the
// optimizer's state as float32 tensor files, and state.json. The engine is its only writer.
//
// A checkpoint is written whole into `<kind>.writing`, then swapped in: the old folder is renamed
// to `<kind>.old`, the new one to `<kind>`, and the old one removed. A crash at any point leaves a
// complete checkpoint: `<kind>`, or between the two renames `<kind>.old`, which
// completeCheckpoint() finds. Each file is written atomically too, and state.json last, so a
// folder that has state.json is complete.
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

import { CodedError } from '../../shared/errors.ts';
import { writeFileAtomic } from './atomic-write.ts';
import { readBytesStrict, readJsonStrict } from './file-readers.ts';
import {
  CHECKPOINT_FILES,
  checkpointStateSchema,
  tensorSpecsSchema,
  type CheckpointState,
  type TensorSpec,
} from './run-files.ts';

export interface TensorData {
  name: string;
  shape: number[];
  values: Float32Array;
}

/** What a checkpoint holds. */
export interface CheckpointData {
  weights: TensorData[];
  optimizer: TensorData[];
  state: CheckpointState;
}

/** The paths of the files of the checkpoint in `dir`, for messages that name one. */
export function checkpointPaths(dir: string) {
  const { weights, optimizer, state } = CHECKPOINT_FILES;
  return {
    weights: join(dir, weights.values),
    weightSpecs: join(dir, weights.specs),
    optimizer: join(dir, optimizer.values),
    optimizerSpecs: join(dir, optimizer.specs),
    state: join(dir, state),
  };
}

/** A .bin of float32 values and the .json describing its tensors. */
type TensorFiles = { values: string; specs: string };

const OLD = '.old';
const WRITING = '.writing';

/** `dir` if it holds a complete checkpoint, else its `.old` copy if that does, else null. */
export function completeCheckpoint(dir: string): string | null {
  for (const candidate of [dir, dir + OLD])
    if (existsSync(join(candidate, CHECKPOINT_FILES.state))) return candidate;
  return null;
}

async function writeTensors(dir: string, files: TensorFiles, tensors: TensorData[]) {
  const all = new Float32Array(tensors.reduce((n, t) => n + t.values.length, 0));
  let o = 0;
  for (const t of tensors) {
    all.set(t.values, o);
    o += t.values.length;
  }
  await writeFileAtomic(join(dir, files.values), new Uint8Array(all.buffer));
  const specs: TensorSpec[] = tensors.map((t) => ({ name: t.name, shape: t.shape }));
  await writeFileAtomic(join(dir, files.specs), JSON.stringify(specs));
}

/** The tensors `files.specs` describes, and the number of bytes they take in `files.values`. */
async function readSpecs(dir: string, files: TensorFiles) {
  const specs = await readJsonStrict(join(dir, files.specs), tensorSpecsSchema);
  const sizes = specs.map((s) => s.shape.reduce((a, b) => a * b, 1));
  return { specs, sizes, bytes: sizes.reduce((a, b) => a + b, 0) * 4 };
}

/** E_IO naming the .bin unless it holds the bytes its .json describes. */
function checkSize(dir: string, files: TensorFiles, actual: number, expected: number): void {
  if (actual !== expected)
    throw new CodedError(
      'E_IO',
      `${join(dir, files.values)} is damaged: it holds ${actual} bytes but ` +
        `${files.specs} describes ${expected / 4} float32 values (${expected} bytes).`,
    );
}

async function readTensors(dir: string, files: TensorFiles): Promise<TensorData[]> {
  const { specs, sizes, bytes: expected } = await readSpecs(dir, files);
  const bytes = await readBytesStrict(join(dir, files.values));
  checkSize(dir, files, bytes.byteLength, expected);
  // A copy: a Buffer's memory may be pooled and need not be aligned for a Float32Array.
  const all = new Float32Array(new Uint8Array(bytes).buffer);
  let o = 0;
  return specs.map((spec, i) => {
    const values = all.subarray(o, o + sizes[i]!);
    o += sizes[i]!;
    return { name: spec.name, shape: spec.shape, values };
  });
}

/** The size of the file at `path`; E_NOT_FOUND if it is missing, E_IO if it cannot be read. */
async function sizeOf(path: string): Promise<number> {
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new CodedError('E_IO', `${path} is not a file.`);
    return s.size;
  } catch (e) {
    if (e instanceof CodedError) throw e;
    if ((e as NodeJS.ErrnoException).code === 'ENOENT')
      throw new CodedError('E_NOT_FOUND', `There is no ${path}.`);
    throw new CodedError('E_IO', `Could not read ${path} (${(e as Error).message}).`);
  }
}

/**
 * Which engine wrote the checkpoint in `dir`: the PyTorch runner names its optimizer tensors
 * "torch/..." (it always keeps its RNG there). Null when optimizer.json cannot be read (the
 * strict readers then say what is wrong).
 */
export async function checkpointEngine(dir: string): Promise<'tfjs' | 'torch' | null> {
  try {
    const { specs } = await readSpecs(dir, CHECKPOINT_FILES.optimizer);
    return specs.some((s) => s.name.startsWith('torch/')) ? 'torch' : 'tfjs';
  } catch {
    return null;
  }
}

/** Writes a checkpoint to `dir`, replacing the one there only once the new one is complete. */
export async function writeCheckpointFiles(dir: string, data: CheckpointData): Promise<void> {
  const tmp = dir + WRITING;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  await writeTensors(tmp, CHECKPOINT_FILES.weights, data.weights);
  await writeTensors(tmp, CHECKPOINT_FILES.optimizer, data.optimizer);
  await writeFileAtomic(join(tmp, CHECKPOINT_FILES.state), JSON.stringify(data.state, null, 1));
  if (existsSync(dir)) {
    await rm(dir + OLD, { recursive: true, force: true });
    await rename(dir, dir + OLD);
  }
  // Until this rename, `dir.old` (if any) is the complete checkpoint; it goes only after it.
  await rename(tmp, dir);
  await rm(dir + OLD, { recursive: true, force: true });
}

/**
 * Checks every file of the checkpoint in `dir` without loading its tensors: each JSON file parses
 * and matches its schema (state.json's epoch and step are whole numbers, not negative), and each
 * .bin holds exactly the bytes its .json describes (a truncated file does not). Main does this
 * before it lets a run continue. E_NOT_FOUND naming a missing file, E_IO a damaged one.
 */
export async function checkCheckpointFiles(dir: string): Promise<CheckpointState> {
  for (const files of [CHECKPOINT_FILES.weights, CHECKPOINT_FILES.optimizer]) {
    const { bytes } = await readSpecs(dir, files);
    checkSize(dir, files, await sizeOf(join(dir, files.values)), bytes);
  }
  return readJsonStrict(join(dir, CHECKPOINT_FILES.state), checkpointStateSchema);
}

/**
 * The checkpoint in `dir` (a folder completeCheckpoint() returned). E_NOT_FOUND naming the file
 * that is missing, E_IO naming the one that is damaged.
 */
export async function readCheckpointFiles(dir: string): Promise<CheckpointData> {
  return {
    weights: await readTensors(dir, CHECKPOINT_FILES.weights),
    optimizer: await readTensors(dir, CHECKPOINT_FILES.optimizer),
    state: await readJsonStrict(join(dir, CHECKPOINT_FILES.state), checkpointStateSchema),
  };
}
