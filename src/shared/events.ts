// What every engine emits while it trains or evaluates: the TrainingEvent union. The engine
// process validates nothing it sends; the host that receives the events checks each with these
// schemas, metrics.jsonl keeps them one per line, and reduceRun (run.ts) folds them into the
// dashboard's view of the run.
import { z } from 'zod';

/** The TensorFlow.js backends (what --backend can ask for). */
export const BACKENDS = ['tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];
/** What a run reports it trained on: a tfjs backend, or 'torch' (the PyTorch engine). */
export const RUN_BACKENDS = [...BACKENDS, 'torch'] as const;

export const backendInfoSchema = z.object({
  backend: z.enum(RUN_BACKENDS),
  device: z.string(),
  /** Why this backend, e.g. "tfjs-node-gpu not installed: using wasm", "PyTorch 1.13 on CPU, 2 threads". */
  reason: z.string(),
});
export type BackendInfo = z.infer<typeof backendInfoSchema>;

export const evaluationSchema = z.object({
  testLoss: z.number(),
  testAccuracy: z.number(),
  samples: z.number().int(),
  classNames: z.array(z.string()),
  /** confusion[true][predicted] */
  confusion: z.array(z.array(z.number().int())),
  perClassAccuracy: z.array(z.number()),
  /** Test-set indices of wrong predictions (at most 1,000), with what was predicted. */
  misclassified: z.array(
    z.object({
      index: z.number().int(),
      label: z.number().int(),
      predicted: z.number().int(),
      confidence: z.number(),
    }),
  ),
  /**
   * Some right predictions per class (the first EXAMPLES_PER_CLASS of each in test order), so a
   * diagonal cell of the confusion matrix can show its images too. Older runs lack it.
   */
  correct: z
    .array(z.object({ index: z.number().int(), label: z.number().int(), confidence: z.number() }))
    .default([]),
});
/** How many right predictions per class an evaluation keeps (Evaluation.correct). */
export const EXAMPLES_PER_CLASS = 50;
export type Evaluation = z.infer<typeof evaluationSchema>;

const num = z.number().nullable(); // NaN and Infinity travel as null in JSON

/** One finished epoch (metrics.jsonl's epoch events). */
export const epochPointSchema = z.object({
  epoch: z.number().int(),
  step: z.number().int(),
  loss: num,
  accuracy: num,
  valLoss: num,
  valAccuracy: num,
  learningRate: z.number(),
  seconds: z.number(),
});
export type EpochPoint = z.infer<typeof epochPointSchema>;

/** A run's failure: what went wrong and the last good checkpoint (the error event, error.json). */
export const runErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  /** The last good checkpoint, if one was kept. */
  checkpoint: z.string().nullable(),
});

export const batchEventSchema = z.object({
  type: z.literal('batch'),
  epoch: z.number().int(),
  step: z.number().int(),
  batchInEpoch: z.number().int(),
  stepsPerEpoch: z.number().int(),
  loss: num,
  accuracy: num,
  learningRate: z.number(),
  samplesPerSecond: z.number(),
  etaSeconds: z.number(),
});

export const finishedEventSchema = z.object({
  type: z.literal('finished'),
  status: z.enum(['completed', 'stopped', 'early-stopped']),
  runDir: z.string(),
  epochs: z.number().int(),
  step: z.number().int(),
  seconds: z.number(),
  testAccuracy: z.number().nullable(),
  testLoss: z.number().nullable(),
});

export const trainingEventSchema = z.discriminatedUnion('type', [
  /** Always the first event of a run: which backend and device will do the work, and why. */
  z.object({ type: z.literal('backend'), backend: backendInfoSchema }),
  z.object({
    type: z.literal('run-started'),
    runDir: z.string(),
    backend: backendInfoSchema,
    totalParams: z.number().int(),
    trainSamples: z.number().int(),
    validationSamples: z.number().int(),
    testSamples: z.number().int(),
    stepsPerEpoch: z.number().int(),
    epochs: z.number().int(),
    resumedFromStep: z.number().int().nullable(),
    notes: z.array(z.string()),
  }),
  z.object({
    type: z.literal('dataset-progress'),
    file: z.string(),
    receivedBytes: z.number(),
    totalBytes: z.number().nullable(),
  }),
  batchEventSchema,
  epochPointSchema.extend({ type: z.literal('epoch') }),
  z.object({
    type: z.literal('checkpoint'),
    kind: z.enum(['best', 'last']),
    epoch: z.number().int(),
    step: z.number().int(),
    path: z.string(),
  }),
  z.object({
    type: z.literal('status'),
    state: z.enum(['paused', 'resumed', 'stopping']),
    step: z.number().int(),
  }),
  z.object({ type: z.literal('evaluation'), evaluation: evaluationSchema }),
  finishedEventSchema,
  runErrorSchema.extend({ type: z.literal('error') }),
]);
export type TrainingEvent = z.infer<typeof trainingEventSchema>;
export type TrainingEventOf<T extends TrainingEvent['type']> = Extract<TrainingEvent, { type: T }>;

export type RunErrorInfo = z.infer<typeof runErrorSchema>;

/** One training batch as kept for charts (a batch event's values). */
export const batchPointSchema = z.object({
  step: z.number().int(),
  epoch: z.number().int(),
  loss: num,
  accuracy: num,
  learningRate: z.number(),
});
export type BatchPoint = z.infer<typeof batchPointSchema>;
