// A training run's settings (config.json; the Training panel's form and the CLI's options are
// checked against it, and their bounds come from it).
import { z } from 'zod';
import { DATASETS } from './graph/types.ts';

export const OPTIMIZERS = ['sgd', 'adam', 'rmsprop', 'adagrad'] as const;

/**
 * Which engine trains: 'tfjs' (TensorFlow.js, always there), 'torch' (PyTorch through a Python
 * interpreter, when one with torch is found) or 'auto' (a GPU engine if one works, else the
 * faster CPU engine; $NETFORGE_ENGINE pins it). A run's config.json records the engine it used.
 */
export const ENGINES = ['auto', 'tfjs', 'torch'] as const;
export type EngineSetting = (typeof ENGINES)[number];
export type EngineName = Exclude<EngineSetting, 'auto'>;

export const scheduleSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('constant') }),
  /** lr * factor every `everyEpochs` epochs. */
  z.object({
    kind: z.literal('step'),
    everyEpochs: z.number().int().min(1),
    factor: z.number().positive().max(1),
  }),
  /** lr * rate^(epoch). */
  z.object({ kind: z.literal('exponential'), rate: z.number().positive().max(1) }),
  /** Cosine from lr down to minLr over all epochs. */
  z.object({ kind: z.literal('cosine'), minLr: z.number().min(0).default(0) }),
]);
export type Schedule = z.infer<typeof scheduleSchema>;

export const trainConfigSchema = z.object({
  dataset: z.enum(DATASETS),
  epochs: z.number().int().min(1).max(10_000).default(10),
  batchSize: z.number().int().min(1).max(65_536).default(32),
  optimizer: z.enum(OPTIMIZERS).default('sgd'),
  learningRate: z.number().positive().max(10).default(0.01),
  /** SGD momentum (0 = plain SGD); ignored by the other optimizers. */
  momentum: z.number().min(0).max(1).default(0),
  schedule: scheduleSchema.default({ kind: 'constant' }),
  /** Fraction of the training set held out for validation (its last samples, as Keras does). */
  validationSplit: z.number().min(0).max(0.5).default(0),
  earlyStopping: z
    .object({ patience: z.number().int().min(1), minDelta: z.number().min(0).default(0) })
    .nullable()
    .default(null),
  seed: z.number().int().min(0).default(42),
  /** CIFAR-10 only: random crop (4 px zero padding) and horizontal flip. */
  augment: z.boolean().default(false),
  /** Use only the first N training / test samples (quick experiments, tests). */
  limitTrain: z.number().int().min(1).nullable().default(null),
  limitTest: z.number().int().min(1).nullable().default(null),
  /** wasm only: split each batch across this many threads and average the gradients (1 = off). */
  replicas: z.number().int().min(1).max(8).default(1),
  engine: z.enum(ENGINES).default('auto'),
});
export type TrainConfig = z.infer<typeof trainConfigSchema>;
export type TrainConfigInput = z.input<typeof trainConfigSchema>;
