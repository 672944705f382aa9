// The engine API in one table: every method the renderer (or any client) can call, with the
// schema of its parameters, of its result and the error codes it can fail with. The server's
// handlers (src/main/api/handlers.ts) are typed from it and the client's generic call()
// (src/renderer/engine/client.ts) checks results with it; the transports (Electron IPC, the
// browser-mode WebSocket) validate each request once, against apiRequestSchema.
//
// On the wire a request is `{ id, type: <method>, ...params }`, a reply `{ id, ok, result }` or
// `{ id, ok: false, error: { code, message } }`, and training events are pushed as
// `{ type: 'event', runId, event }` (no id).
import { z } from 'zod';
import type { ApiErrorCode } from './errors.ts';
import { trainingEventSchema } from './events.ts';
import { DATASETS, graphDocSchema } from './graph/types.ts';
import { runViewSchema } from './run.ts';
import { EXPORT_FORMATS } from './export/formats.ts';
import { ENGINES, trainConfigSchema } from './train-config.ts';

/** Names Windows reserves for devices, with or without an extension ("NUL", "com1.backup"). */
const RESERVED_NAME = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;

/**
 * Project files in the server's project folder are named like `my-net.netforge.json`. Names are
 * portable: the same project folder may be opened on Windows, where device names are not files
 * and a trailing dot or space is dropped.
 */
export const projectNameSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9 _.-]{0,99}$/,
    'a project name holds letters, digits, spaces, _ . - (at most 100)',
  )
  .refine((n) => !RESERVED_NAME.test(n.trim()), {
    message:
      'CON, PRN, AUX, NUL, COM1-9 and LPT1-9 are device names on Windows; choose another name',
  })
  .refine((n) => !/[ .]$/.test(n), { message: 'a project name cannot end in a space or a dot' });

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
  /**
   * Who trains a run in progress: this Netforge ('this'), or another Netforge process on the same
   * runs folder that holds the run's lock ('other': shown as running elsewhere; it cannot be
   * paused, stopped, continued or deleted from here). Absent for a run not in progress.
   */
  owner: z.enum(['this', 'other']).optional(),
  /** The optimizer and learning rate it trained with (config.json), to tell runs apart. */
  settings: z.object({ optimizer: z.string(), learningRate: z.number() }).nullable().optional(),
});
export type RunEntry = z.infer<typeof runEntrySchema>;

/** One export of a run's model (its exports.jsonl). */
export const exportRecordSchema = z.object({
  format: z.string(),
  /** Where it was written (absolute). */
  path: z.string(),
  files: z.array(z.string()),
  /** ISO 8601. */
  at: z.string(),
});
export type ExportRecordInfo = z.infer<typeof exportRecordSchema>;

export const runFilesSchema = z.object({
  runDir: z.string(),
  /** Every file in the run's folder, by path relative to it ('/'-separated), at most 500. */
  files: z.array(z.object({ path: z.string(), bytes: z.number() })),
  /** More files than listed. */
  truncated: z.boolean(),
});
export type RunFiles = z.infer<typeof runFilesSchema>;

export const runDetailSchema = z.object({
  entry: runEntrySchema,
  /** The trained graph (graph.json), null if the run folder lacks it. */
  graph: graphDocSchema.nullable(),
  /** The settings it was trained with (config.json). */
  config: trainConfigSchema.nullable(),
  /** The data folder it was started with, if one was named. */
  dataDir: z.string().nullable(),
  /** Its events (metrics.jsonl) folded by reduceRun, as the live dashboard shows them. */
  view: runViewSchema,
  /** What was exported from it, oldest first. */
  exports: z.array(exportRecordSchema).default([]),
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

/** engines.status: what each engine setting would train with on this machine, and why. */
export const enginesStatusSchema = z.object({
  /** The PyTorch engine: found or not, with the reason line ("PyTorch 1.13 on CPU, 2 threads"). */
  torch: z.object({
    available: z.boolean(),
    reason: z.string(),
    /** The interpreter that has torch, when found. */
    python: z.string().nullable(),
    device: z.enum(['cpu', 'cuda', 'mps']).nullable(),
  }),
  /**
   * What 'auto' picks, with its reason (or why it cannot start: $NETFORGE_ENGINE=torch without
   * torch). Whether tfjs-node-gpu has a GPU is known only once the engine loads it: a machine
   * with one trains there when PyTorch has no GPU of its own.
   */
  auto: z.object({
    engine: z.enum(ENGINES).exclude(['auto']),
    reason: z.string(),
    ok: z.boolean(),
  }),
  /** $NETFORGE_ENGINE when it pins auto's choice. */
  pinned: z.enum(ENGINES).exclude(['auto']).nullable(),
});
export type EnginesStatus = z.infer<typeof enginesStatusSchema>;

export const projectEntrySchema = z.object({
  name: z.string(),
  modified: z.string(),
  bytes: z.number().int(),
});
export type ProjectEntry = z.infer<typeof projectEntrySchema>;

/** The largest project file projects.write takes, in UTF-8 bytes. */
export const MAX_PROJECT_BYTES = 16 * 1024 * 1024;
/**
 * The largest request message, in bytes, that the WebSocket takes: a largest project as JSON
 * text (escaping can make a character six bytes) with room for the rest. A larger frame closes
 * the connection; the client refuses to send one (E_BAD_REQUEST) instead.
 */
export const MAX_MESSAGE_BYTES = 7 * MAX_PROJECT_BYTES;

/** A string's length in UTF-8 bytes, without encoding it. */
export function utf8Bytes(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

/** An export's file or folder name in the exports folder, e.g. `lenet-5.onnx`. */
export const exportNameSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9 _.-]{0,119}$/,
    'an export name holds letters, digits, spaces, _ . - (at most 120)',
  )
  .refine((n) => !/[ .]$/.test(n) && !/\.\./.test(n), {
    message: 'an export name cannot end in a space or a dot, or hold ".."',
  });

const runRef = z.object({ runId: runIdSchema });
const noParams = z.object({});

/** One method of the API: its parameters, its result and the codes it can fail with. */
interface MethodSpec {
  params: z.ZodObject;
  result: z.ZodType;
  errors: readonly ApiErrorCode[];
  /** What it does, for docs. */
  doc: string;
  /** How long a client waits for the reply, when longer than its usual bound (slow work). */
  replyWithinMs?: number;
}

const method = <P extends z.ZodObject, R extends z.ZodType>(spec: {
  params: P;
  result: R;
  errors: readonly ApiErrorCode[];
  doc: string;
  replyWithinMs?: number;
}) => spec;

/**
 * export.write's server side ends an export after 10 minutes (api/exports.ts); a client waits a
 * little longer, so the server's own message, not a client timeout, says what happened.
 */
export const EXPORT_REPLY_WITHIN_MS = 11 * 60_000;

/** Failures every method that touches the runs folder can meet. */
const RUN_IO = ['E_NO_TRAINING', 'E_IO'] as const;

export const API = {
  hello: method({
    doc: "The app's version, where projects are saved and the data folder used when a request names none.",
    params: noParams,
    result: z.object({
      version: z.string(),
      projectsDir: z.string(),
      /** `netforge serve --data-dir` (or $NETFORGE_DATA_DIR); null: the download cache. */
      dataDir: z.string().nullable().optional(),
      /** Where export.write writes ($NETFORGE_EXPORTS_DIR or ~/Netforge/exports). */
      exportsDir: z.string().optional(),
    }),
    errors: [],
  }),
  'projects.list': method({
    doc: 'The saved projects, most recently modified first.',
    params: noParams,
    result: z.array(projectEntrySchema),
    errors: ['E_IO'],
  }),
  'projects.read': method({
    doc: "A project file's text (read it with parseProject).",
    params: z.object({ name: projectNameSchema }),
    result: z.object({ text: z.string() }),
    errors: ['E_NOT_FOUND', 'E_IO'],
  }),
  'projects.write': method({
    doc: 'Saves a project (checked first), replacing an older version atomically.',
    params: z.object({
      name: projectNameSchema,
      text: z
        .string()
        .max(MAX_PROJECT_BYTES)
        .refine((t) => utf8Bytes(t) <= MAX_PROJECT_BYTES, {
          message: `a project file holds at most ${MAX_PROJECT_BYTES / 1024 / 1024} MiB`,
        }),
    }),
    result: z.object({ name: z.string() }),
    errors: ['E_BAD_PROJECT', 'E_IO'],
  }),
  'train.start': method({
    doc: 'Starts training a graph (one run at a time); its events are pushed tagged with the run id.',
    params: z.object({
      graph: graphDocSchema,
      config: trainConfigSchema,
      /** A folder with the dataset's files; else $NETFORGE_DATA_DIR, else the engine's cache. */
      dataDir: z.string().min(1).nullable().optional(),
    }),
    result: trainStartResultSchema,
    errors: ['E_BUSY', 'E_ENGINE', 'E_BAD_REQUEST', 'E_DISK_FULL', ...RUN_IO],
  }),
  'train.pause': method({
    doc: 'Pauses the run in progress after its current batch.',
    params: runRef,
    result: runRef,
    errors: ['E_NO_RUN', 'E_NO_TRAINING'],
  }),
  'train.resume': method({
    doc: 'Resumes a paused run.',
    params: runRef,
    result: runRef,
    errors: ['E_NO_RUN', 'E_NO_TRAINING'],
  }),
  'train.stop': method({
    doc: 'Stops the run after its current batch; it saves a checkpoint, evaluates and finishes.',
    params: runRef,
    result: runRef,
    errors: ['E_NO_RUN', 'E_NO_TRAINING'],
  }),
  'runs.list': method({
    doc: 'The runs in the runs folder, newest first.',
    params: noParams,
    result: z.array(runEntrySchema),
    errors: [...RUN_IO],
  }),
  'runs.get': method({
    doc: 'Everything kept of one run, to reopen it: graph, settings and its view (curves, evaluation, error).',
    params: runRef,
    result: runDetailSchema,
    errors: ['E_NOT_FOUND', ...RUN_IO],
  }),
  'runs.images': method({
    doc: "Test images of the run's dataset by index (never downloads).",
    params: runRef.extend({
      indices: z.array(z.number().int().min(0)).min(1).max(MAX_IMAGES_PER_REQUEST),
    }),
    result: runImagesSchema,
    errors: ['E_NOT_FOUND', 'E_BAD_REQUEST', 'E_DATA_MISSING', 'E_DATA_CORRUPT', ...RUN_IO],
  }),
  'runs.featureMaps': method({
    doc: "What the network sees (chapter 10.5): one layer's outputs for one test image; layer null is the first with an (h, w, c) output.",
    params: runRef.extend({
      layer: z.string().min(1).max(200).nullable(),
      index: z.number().int().min(0),
    }),
    result: featureMapsSchema,
    errors: [
      'E_NOT_FOUND',
      'E_BAD_REQUEST',
      'E_NO_MODEL',
      'E_NO_FEATURE_MAPS',
      'E_FEATURE_MAPS',
      'E_DATA_MISSING',
      'E_DATA_CORRUPT',
      ...RUN_IO,
    ],
  }),
  'runs.files': method({
    doc: "The run's folder and the files in it (model, checkpoints, metrics, evaluation).",
    params: runRef,
    result: runFilesSchema,
    errors: ['E_NOT_FOUND', ...RUN_IO],
  }),
  'runs.continue': method({
    doc: 'Continues a stopped, failed or cut-short run from its last checkpoint, in its folder with its settings (its checkpoint checked first; not a run another Netforge trains).',
    params: runRef,
    result: trainStartResultSchema,
    errors: [
      'E_NOT_FOUND',
      'E_FINISHED',
      'E_NO_CHECKPOINT',
      'E_BUSY',
      'E_ENGINE',
      'E_DISK_FULL',
      ...RUN_IO,
    ],
  }),
  'runs.delete': method({
    doc: "Deletes a run's folder with everything in it (not a run in progress, here or in another Netforge).",
    params: runRef,
    result: runRef,
    errors: ['E_NOT_FOUND', 'E_BUSY', 'E_DISK_FULL', ...RUN_IO],
  }),
  'export.write': method({
    doc: "Writes a run's trained model, or a design with its initial weights, as files another tool opens, into the exports folder.",
    replyWithinMs: EXPORT_REPLY_WITHIN_MS,
    params: z.object({
      /** A finished run's trained model; or `graph` (with `config`) for an untrained design. */
      runId: runIdSchema.optional(),
      graph: graphDocSchema.optional(),
      config: trainConfigSchema.partial().optional(),
      format: z.enum(EXPORT_FORMATS),
      /** The file (or folder) name in the exports folder. */
      name: exportNameSchema,
      /** keras-py: train under tf.distribute.MirroredStrategy. */
      distribute: z.boolean().default(false),
    }),
    result: z.object({
      format: z.enum(EXPORT_FORMATS),
      path: z.string(),
      files: z.array(z.string()),
      trained: z.boolean(),
    }),
    errors: [
      'E_EXPORT_UNSUPPORTED',
      'E_EXPORT',
      'E_NOT_FOUND',
      'E_NO_MODEL',
      'E_BAD_REQUEST',
      'E_GRAPH',
      ...RUN_IO,
    ],
  }),
  'datasets.status': method({
    doc: 'Whether a dataset is on disk yet, and where, or what a download would fetch.',
    params: z.object({
      dataset: z.enum(DATASETS),
      dataDir: z.string().min(1).nullable().optional(),
    }),
    result: datasetStatusSchema,
    errors: [],
  }),
  'engines.status': method({
    doc: "Which engines can train here (PyTorch found or not) and what 'auto' picks, with reasons.",
    // No interpreter path from the client: a request never names a program for main to run.
    // The Python is $NETFORGE_PYTHON, else python3, else /usr/bin/python3.
    params: noParams,
    result: enginesStatusSchema,
    errors: [],
  }),
} as const satisfies Record<string, MethodSpec>;

export type Method = keyof typeof API;
export const METHODS = Object.keys(API) as Method[];

/** How long a client waits for `method`'s reply if longer than its usual bound, else undefined. */
export const replyWithinMs = (method: Method): number | undefined =>
  (API[method] as MethodSpec).replyWithinMs;
/** zod types an empty object as Record<string, never>, which no request could extend. */
type Plain<T> = string extends keyof T ? object : T;
/** What a client passes to a method (settings with defaults may be left out). */
export type ParamsInput<M extends Method> = Plain<z.input<(typeof API)[M]['params']>>;
/** A method's parameters once validated (defaults filled in). */
export type Params<M extends Method> = Plain<z.output<(typeof API)[M]['params']>>;
export type Result<M extends Method> = z.output<(typeof API)[M]['result']>;

const requestOf = <M extends Method>(m: M) =>
  API[m].params.extend({ id: z.number().int(), type: z.literal(m) });
type RequestSchemaOf<M extends Method> = ReturnType<typeof requestOf<M>>;

/** Every request as it travels: `{ id, type, ...params }`. */
export const apiRequestSchema = z.discriminatedUnion(
  'type',
  METHODS.map(requestOf) as unknown as [RequestSchemaOf<Method>, ...RequestSchemaOf<Method>[]],
);
export type ApiRequest = { [M in Method]: Params<M> & { id: number; type: M } }[Method];
export type ApiRequestInput = { [M in Method]: ParamsInput<M> & { id: number; type: M } }[Method];

export const apiReplySchema = z.object({
  id: z.number().int(),
  ok: z.boolean(),
  /** The method's Result when ok. */
  result: z.unknown().optional(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});
export type ApiReply = z.infer<typeof apiReplySchema>;

/**
 * What the server sends without being asked (never carries an `id`, unlike replies): every
 * TrainingEvent of the run in progress, to every connection (WebSocket) or window (IPC channel
 * `netforge:event`).
 */
export const eventPushSchema = z.object({
  type: z.literal('event'),
  runId: runIdSchema,
  event: trainingEventSchema,
});
export type EventPush = z.infer<typeof eventPushSchema>;
