// The engine API: what callers send the engine, and the events it streams
// back. Every message is checked with these schemas where it crosses a process
// boundary (engine process <-> host, host <-> renderer).
import { z } from 'zod';
import { graphDocSchema, DATASETS } from './graph/types.ts';

export const BACKENDS = ['tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

export const OPTIMIZERS = ['sgd', 'adam', 'rmsprop', 'adagrad'] as const;

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
});
export type TrainConfig = z.infer<typeof trainConfigSchema>;
export type TrainConfigInput = z.input<typeof trainConfigSchema>;

export const trainRequestSchema = z.object({
  graph: graphDocSchema,
  config: trainConfigSchema,
  /** Folder for this run's files; created if missing. */
  runDir: z.string().min(1),
  dataDir: z.string().nullable().default(null),
  cacheDir: z.string().nullable().default(null),
  backend: z.enum(BACKENDS).nullable().default(null),
  /** Continue from the run folder's last checkpoint. */
  resume: z.boolean().default(false),
});
export type TrainRequest = z.infer<typeof trainRequestSchema>;
export type TrainRequestInput = z.input<typeof trainRequestSchema>;

export const evaluateRequestSchema = z.object({
  runDir: z.string().min(1),
  dataDir: z.string().nullable().default(null),
  cacheDir: z.string().nullable().default(null),
  backend: z.enum(BACKENDS).nullable().default(null),
  limitTest: z.number().int().min(1).nullable().default(null),
});
export type EvaluateRequest = z.infer<typeof evaluateRequestSchema>;

export const engineCommandSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('train'), request: trainRequestSchema }),
  z.object({ type: z.literal('evaluate'), request: evaluateRequestSchema }),
  z.object({ type: z.literal('pause') }),
  z.object({ type: z.literal('resume') }),
  z.object({ type: z.literal('stop') }),
]);
export type EngineCommand = z.infer<typeof engineCommandSchema>;

const backendInfoSchema = z.object({
  backend: z.enum(BACKENDS),
  device: z.string(),
  /** Why this backend, e.g. "tfjs-node-gpu not installed: using wasm". */
  reason: z.string(),
});
export type BackendInfo = z.infer<typeof backendInfoSchema>;

const evaluationSchema = z.object({
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
const runErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  /** The last good checkpoint, if one was kept. */
  checkpoint: z.string().nullable(),
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
  z.object({
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
  }),
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
  z.object({
    type: z.literal('finished'),
    status: z.enum(['completed', 'stopped', 'early-stopped']),
    runDir: z.string(),
    epochs: z.number().int(),
    step: z.number().int(),
    seconds: z.number(),
    testAccuracy: z.number().nullable(),
    testLoss: z.number().nullable(),
  }),
  runErrorSchema.extend({ type: z.literal('error') }),
]);
export type TrainingEvent = z.infer<typeof trainingEventSchema>;
export type TrainingEventOf<T extends TrainingEvent['type']> = Extract<TrainingEvent, { type: T }>;

// ---- Browser mode: the renderer's requests to the local server over a WebSocket ----

/** Project files in the server's project folder are named like `my-net.netforge.json`. */
export const projectNameSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9 _.-]{0,99}$/,
    'a project name holds letters, digits, spaces, _ . - (at most 100)',
  );

/** A training run's id: its folder's name in the runs folder, `<name>-<timestamp>`. */
export const runIdSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_.-]{0,199}$/,
    'a run id holds letters, digits, _ . - (at most 200)',
  );

/** The most images one runs.images request may ask for. */
export const MAX_IMAGES_PER_REQUEST = 200;
/** The most channels a runs.featureMaps reply carries (the first ones). */
export const MAX_FEATURE_CHANNELS = 128;

export const clientRequestSchema = z.discriminatedUnion('type', [
  z.object({ id: z.number().int(), type: z.literal('hello') }),
  /** Starts a training run (one at a time); the result is a TrainStartResult. */
  z.object({
    id: z.number().int(),
    type: z.literal('train.start'),
    graph: graphDocSchema,
    config: trainConfigSchema,
    /** A folder with the dataset's files; else $NETFORGE_DATA_DIR, else the engine's cache. */
    dataDir: z.string().min(1).nullable().optional(),
  }),
  z.object({ id: z.number().int(), type: z.literal('train.pause'), runId: runIdSchema }),
  z.object({ id: z.number().int(), type: z.literal('train.resume'), runId: runIdSchema }),
  z.object({ id: z.number().int(), type: z.literal('train.stop'), runId: runIdSchema }),
  /** The runs in the runs folder, newest first (RunEntry[]). */
  z.object({ id: z.number().int(), type: z.literal('runs.list') }),
  /** Everything kept of one run, to reopen it (RunDetail). */
  z.object({ id: z.number().int(), type: z.literal('runs.get'), runId: runIdSchema }),
  /** Test-set images of a run's dataset by index (RunImages), e.g. its misclassified ones. */
  z.object({
    id: z.number().int(),
    type: z.literal('runs.images'),
    runId: runIdSchema,
    indices: z.array(z.number().int().min(0)).min(1).max(MAX_IMAGES_PER_REQUEST),
  }),
  /**
   * What the network sees (chapter 10.5): one layer's outputs for one test image, from the run's
   * trained model (FeatureMaps). `layer` null means the first layer with a spatial output.
   */
  z.object({
    id: z.number().int(),
    type: z.literal('runs.featureMaps'),
    runId: runIdSchema,
    layer: z.string().min(1).max(200).nullable(),
    index: z.number().int().min(0),
  }),
  /**
   * Continues a stopped, failed or cut-short run from its last checkpoint, in its folder with its
   * settings; the result is a TrainStartResult and its events come as for train.start.
   */
  z.object({ id: z.number().int(), type: z.literal('runs.continue'), runId: runIdSchema }),
  /** Deletes a run's folder with everything in it (not the run in progress): { runId }. */
  z.object({ id: z.number().int(), type: z.literal('runs.delete'), runId: runIdSchema }),
  /** Whether a dataset is on disk yet, and where (DatasetStatus). */
  z.object({
    id: z.number().int(),
    type: z.literal('datasets.status'),
    dataset: z.enum(DATASETS),
    dataDir: z.string().min(1).nullable().optional(),
  }),
  z.object({ id: z.number().int(), type: z.literal('projects.list') }),
  z.object({ id: z.number().int(), type: z.literal('projects.read'), name: projectNameSchema }),
  z.object({
    id: z.number().int(),
    type: z.literal('projects.write'),
    name: projectNameSchema,
    text: z.string().max(50_000_000),
  }),
]);
export type ClientRequest = z.infer<typeof clientRequestSchema>;
/** What a client may send: train.start's config may leave out settings that have defaults. */
export type ClientRequestInput = z.input<typeof clientRequestSchema>;

export const trainStartResultSchema = z.object({ runId: runIdSchema, runDir: z.string() });
export type TrainStartResult = z.infer<typeof trainStartResultSchema>;

export const RUN_STATUSES = [
  'running',
  'paused',
  'completed',
  'stopped',
  'early-stopped',
  'failed',
  /** Ended without a result: the app quit or the engine died during the run. */
  'incomplete',
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const runEntrySchema = z.object({
  runId: runIdSchema,
  runDir: z.string(),
  /** The trained graph's name. */
  name: z.string(),
  status: z.enum(RUN_STATUSES),
  /** Null until the run has been evaluated on the test set. */
  testAccuracy: z.number().nullable(),
  /** ISO 8601. */
  startedAt: z.string(),
});
export type RunEntry = z.infer<typeof runEntrySchema>;

/** One training batch as kept for charts (metrics.jsonl's batch events, thinned). */
export const batchPointSchema = z.object({
  step: z.number().int(),
  epoch: z.number().int(),
  loss: num,
  accuracy: num,
  learningRate: z.number(),
});
export type BatchPoint = z.infer<typeof batchPointSchema>;

/** The most batch points runs.get returns; longer runs are thinned evenly, keeping the last. */
export const MAX_BATCH_POINTS = 2000;

export const runDetailSchema = z.object({
  entry: runEntrySchema,
  /** The trained graph (graph.json), null if the run folder lacks it. */
  graph: graphDocSchema.nullable(),
  /** The settings it was trained with (config.json). */
  config: trainConfigSchema.nullable(),
  /** The data folder it was started with, if one was named. */
  dataDir: z.string().nullable(),
  backend: backendInfoSchema.nullable(),
  /** From its run-started event. */
  info: z
    .object({
      totalParams: z.number().int(),
      trainSamples: z.number().int(),
      validationSamples: z.number().int(),
      testSamples: z.number().int(),
      stepsPerEpoch: z.number().int(),
      epochs: z.number().int(),
    })
    .nullable(),
  batches: z.array(batchPointSchema),
  epochs: z.array(epochPointSchema),
  evaluation: evaluationSchema.nullable(),
  /** A failed run's error, with its last checkpoint. */
  error: runErrorSchema.nullable(),
  /** True when model/ holds a trained model (feature maps need it). */
  hasModel: z.boolean(),
  /** True when checkpoints/last can be continued from (runs.continue). */
  hasCheckpoint: z.boolean(),
});
export type RunDetail = z.infer<typeof runDetailSchema>;

export const runImagesSchema = z.object({
  width: z.number().int(),
  height: z.number().int(),
  /** 1 (MNIST, grey) or 3 (CIFAR-10, RGB). */
  channels: z.number().int(),
  classNames: z.array(z.string()),
  images: z.array(
    z.object({
      index: z.number().int(),
      label: z.number().int(),
      /** base64 of height*width*channels bytes, row-major, channels last (0..255). */
      pixels: z.string(),
    }),
  ),
});
export type RunImages = z.infer<typeof runImagesSchema>;

export const featureMapsSchema = z.object({
  /** Layers of the trained model with an (h, w, c) output, in graph order, to choose from. */
  layers: z.array(z.object({ name: z.string(), shape: z.array(z.number().int()) })),
  layer: z.string(),
  index: z.number().int(),
  label: z.number().int(),
  predicted: z.number().int(),
  height: z.number().int(),
  width: z.number().int(),
  /** Channels of the layer's output; only the first `shown` (at most MAX_FEATURE_CHANNELS) are sent. */
  channels: z.number().int(),
  shown: z.number().int(),
  /**
   * base64 of shown*height*width bytes, channel-major (one h*w map after another), each map
   * scaled on its own from its min (0) to its max (255); a constant map is all 0.
   */
  maps: z.string(),
  /** Each shown map's min and max before scaling. */
  ranges: z.array(z.tuple([z.number(), z.number()])),
});
export type FeatureMaps = z.infer<typeof featureMapsSchema>;

export const datasetStatusSchema = z.object({
  dataset: z.enum(DATASETS),
  /** Found on disk: in the named folder, $NETFORGE_DATA_DIR, or the download cache. */
  found: z.boolean(),
  source: z.enum(['folder', 'env', 'cache']).nullable(),
  /** The folder holding its files when found. */
  path: z.string().nullable(),
  /** About how much a download would fetch, to tell the user before Start. */
  downloadBytes: z.number(),
  /** E.g. "only 1 of 5 CIFAR-10 training batches present". */
  notes: z.array(z.string()),
  /** When not found: why (e.g. the named folder has no MNIST files), written for the user. */
  message: z.string().nullable(),
});
export type DatasetStatus = z.infer<typeof datasetStatusSchema>;

export const projectEntrySchema = z.object({
  name: z.string(),
  modified: z.string(),
  bytes: z.number().int(),
});
export type ProjectEntry = z.infer<typeof projectEntrySchema>;

export const serverReplySchema = z.object({
  id: z.number().int(),
  ok: z.boolean(),
  /**
   * hello: { version, projectsDir }; projects.list: ProjectEntry[]; projects.read: { text };
   * projects.write: { name }; train.start: TrainStartResult; train.pause/resume/stop: { runId };
   * runs.list: RunEntry[]; runs.get: RunDetail; runs.images: RunImages;
   * runs.featureMaps: FeatureMaps; runs.continue: TrainStartResult; runs.delete: { runId };
   * datasets.status: DatasetStatus.
   */
  result: z.unknown().optional(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});
export type ServerReply = z.infer<typeof serverReplySchema>;

/**
 * What the server sends without being asked (never carries an `id`, unlike replies): every
 * TrainingEvent of the run in progress, to every connection (WebSocket) or window (IPC channel
 * `netforge:event`).
 */
export const serverPushSchema = z.object({
  type: z.literal('event'),
  runId: runIdSchema,
  event: trainingEventSchema,
});
export type ServerPush = z.infer<typeof serverPushSchema>;
