// The files of a run folder: their names and a zod schema for each JSON file. These are saved
// formats: runs written by an older Netforge must still read (test/fixtures/runs-v1 holds runs
// written by the code of November 2026), so a field is only ever added with a default.
// Only run-folder.ts, checkpoint-files.ts and model-files.ts use the names.
import { z } from 'zod';

import { exportRecordSchema } from '../../shared/api.ts';

import {
  backendInfoSchema,
  epochPointSchema,
  evaluationSchema,
  finishedEventSchema,
  runErrorSchema,
} from '../../shared/events.ts';

/** Names inside a run folder. */
export const RUN_FILES = {
  /** RunStart, written by main when it makes the folder (`netforge train --out` writes none). */
  start: 'netforge-run.json',
  graph: 'graph.json',
  config: 'config.json',
  /** One TrainingEvent per line with its `time`, appended as the run goes. */
  metrics: 'metrics.jsonl',
  evaluation: 'evaluation.json',
  /** RunResult: how the run ended, when it ended without an error. */
  result: 'run.json',
  /** RunErrorFile: how the run failed. */
  error: 'error.json',
  /** The trained model (TF.js layers format, model-files.ts). */
  model: 'model',
  /** `last` and `best`, each a folder of CHECKPOINT_FILES. */
  checkpoints: 'checkpoints',
  /** One ExportRecord per line: what was exported from this run, where and when. */
  exports: 'exports.jsonl',
  /** RunLock: the Netforge process training the run (run-lock.ts); there only while it does. */
  lock: 'netforge-lock.json',
  /** The PyTorch engine's files: model.py, the data module, the runner and its job (TORCH_FILES). */
  torch: 'torch',
} as const;

/** Names inside torch/ (engine/torch/): what the Python runner runs, and what it reports. */
export const TORCH_FILES = {
  model: 'model.py',
  data: 'netforge_data.py',
  runner: 'runner.py',
  checkpoints: 'netforge_checkpoint.py',
  job: 'job.json',
  /** A distributed run's check that every replica ended with rank 0's weights. */
  replicas: 'replicas.json',
} as const;

/** Names inside a checkpoint folder. A tensor file `x.bin` is described by `x.json`. */
export const CHECKPOINT_FILES = {
  weights: { values: 'weights.bin', specs: 'weights.json' },
  optimizer: { values: 'optimizer.bin', specs: 'optimizer.json' },
  /** Written last: a checkpoint folder with it is complete. */
  state: 'state.json',
} as const;

/** Names inside model/: what tf.loadLayersModel reads. */
export const MODEL_FILES = { topology: 'model.json', weights: 'weights.bin' } as const;

export const CHECKPOINT_KINDS = ['last', 'best'] as const;
export type CheckpointKind = (typeof CHECKPOINT_KINDS)[number];

/** netforge-run.json. */
export const runStartSchema = z.object({
  /** The graph's name. */
  name: z.string(),
  /** ISO 8601. */
  startedAt: z.string(),
  /** The data folder the run was given (the one named, else $NETFORGE_DATA_DIR); null: the cache. */
  dataDir: z.string().nullable(),
});
export type RunStart = z.infer<typeof runStartSchema>;

/** netforge-run.json as read: each field that is there and well-formed (older runs lack dataDir). */
export const runStartFieldsSchema = z.object({
  name: z.string().optional().catch(undefined),
  startedAt: z.string().optional().catch(undefined),
  dataDir: z.string().nullable().optional().catch(undefined),
});

/** netforge-lock.json: who trains the run now (run-lock.ts). */
export const runLockSchema = z.object({
  /** The process holding the lock and the computer it runs on (os.hostname()). */
  pid: z.number().int().positive(),
  hostname: z.string(),
  /** ISO 8601: when the lock was taken. */
  startedAt: z.string(),
  /** The Netforge instance (one per TrainingService or CLI run; several may share a process). */
  instance: z.string(),
  /** One per lock taken: its holder removes the lock only while it is still this one. */
  token: z.string(),
  /**
   * The process's start time (field 22 of /proc/<pid>/stat) and the boot it belongs to (Linux),
   * so that a pid reused by another process, or a lock from before a restart, is seen as stale.
   */
  processStart: z.string().nullable(),
  bootId: z.string().nullable(),
});
export type RunLock = z.infer<typeof runLockSchema>;

/** evaluation.json. */
export const evaluationFileSchema = evaluationSchema;
export type EvaluationFile = z.infer<typeof evaluationFileSchema>;

/** error.json: the run's error event (its `type` is not read). */
export const runErrorFileSchema = runErrorSchema;
export type RunErrorFile = z.infer<typeof runErrorFileSchema>;

/**
 * run.json: the run's finished event (its `type` is not read; runDir is where the run was when
 * it ended, never read, as the folder may have moved) and the backend that trained it.
 */
export const runResultSchema = finishedEventSchema
  .omit({ type: true })
  .extend({ backend: backendInfoSchema });
export type RunResult = z.infer<typeof runResultSchema>;

/** One epoch as a checkpoint's history keeps it. */
export const epochRecordSchema = epochPointSchema.omit({ step: true });
export type EpochRecord = z.infer<typeof epochRecordSchema>;

/** A checkpoint's state.json: where training stood, so a run resumes at the same step. */
export const checkpointStateSchema = z.object({
  /** The epoch in progress (0-based) and the next batch in it. */
  epoch: z.number().int().min(0),
  batchInEpoch: z.number().int().min(0),
  /** Optimizer steps done. */
  step: z.number().int().min(0),
  /** Best monitored loss so far, and epochs since it improved (early stopping). */
  best: z.number().nullable(),
  sinceBest: z.number().int().min(0),
  history: z.array(epochRecordSchema),
});
export type CheckpointState = z.infer<typeof checkpointStateSchema>;

/** A checkpoint's weights.json / optimizer.json: the tensors in its .bin, in order (float32). */
export const tensorSpecsSchema = z.array(
  z.object({ name: z.string(), shape: z.array(z.number().int().min(0)) }),
);
export type TensorSpec = z.infer<typeof tensorSpecsSchema>[number];

/** model/model.json (the parts Netforge reads; tfjs checks the topology itself). */
export const modelJsonSchema = z.object({
  modelTopology: z.record(z.string(), z.unknown()),
  weightsManifest: z.array(z.object({ paths: z.array(z.string()), weights: z.array(z.unknown()) })),
});

/** A line of exports.jsonl (the API's record of an export). */
export { exportRecordSchema };
export type ExportRecord = z.infer<typeof exportRecordSchema>;
