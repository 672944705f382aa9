// The command line's flags: FLAGS (each flag's type), COMMAND_FLAGS (the flags each command
// takes: any other is refused, never ignored), and TRAIN_SETTINGS (train's flags that set a
// TrainConfig field, read and checked against the schema's own bounds). A new flag is a row in
// FLAGS plus its command's list (plus RESUME_FLAGS if --resume may take it too).
import type { z } from 'zod';

import { DATASETS } from '../../shared/graph/types.ts';
import { boundsOf, describeBounds, withinBounds } from '../../shared/number-bounds.ts';
import { ENGINES, OPTIMIZERS, trainConfigSchema } from '../../shared/train-config.ts';
import { OptionError } from './errors.ts';
import type { Options } from './options.ts';

export const FLAGS = {
  json: { type: 'boolean' },
  help: { type: 'boolean' },
  version: { type: 'boolean' },
  augment: { type: 'boolean' },
  dataset: { type: 'string' },
  'data-dir': { type: 'string' },
  epochs: { type: 'string' },
  'batch-size': { type: 'string' },
  optimizer: { type: 'string' },
  lr: { type: 'string' },
  momentum: { type: 'string' },
  'validation-split': { type: 'string' },
  'early-stopping': { type: 'string' },
  seed: { type: 'string' },
  'limit-train': { type: 'string' },
  'limit-test': { type: 'string' },
  out: { type: 'string' },
  force: { type: 'boolean' },
  backend: { type: 'string' },
  engine: { type: 'string' },
  python: { type: 'string' },
  device: { type: 'string' },
  'nproc-per-node': { type: 'string' },
  nnodes: { type: 'string' },
  'node-rank': { type: 'string' },
  master: { type: 'string' },
  resume: { type: 'string' },
  model: { type: 'string' },
  batch: { type: 'string' },
  samples: { type: 'string' },
  replicas: { type: 'string' },
  port: { type: 'string' },
  open: { type: 'boolean' },
  'projects-dir': { type: 'string' },
  'runs-dir': { type: 'string' },
  rebuild: { type: 'boolean' },
  'keep-token': { type: 'boolean' },
  format: { type: 'string' },
  distribute: { type: 'boolean' },
} as const satisfies Record<string, { type: 'string' | 'boolean' }>;
export type Flag = keyof typeof FLAGS;

/** Taken by every command. */
export const GLOBAL_FLAGS: readonly Flag[] = ['help', 'version'];

export const COMMAND_FLAGS: Record<string, readonly Flag[]> = {
  templates: ['json'],
  summary: ['json'],
  train: [
    'dataset',
    'data-dir',
    'epochs',
    'batch-size',
    'optimizer',
    'lr',
    'momentum',
    'validation-split',
    'early-stopping',
    'seed',
    'augment',
    'limit-train',
    'limit-test',
    'replicas',
    'backend',
    'engine',
    'python',
    'nproc-per-node',
    'nnodes',
    'node-rank',
    'master',
    'out',
    'runs-dir',
    'force',
    'resume',
    'json',
  ],
  evaluate: ['data-dir', 'limit-test', 'backend', 'json'],
  bench: ['model', 'batch', 'samples', 'backend', 'replicas', 'engine', 'device', 'python', 'json'],
  export: ['format', 'out', 'dataset', 'distribute', 'json'],
  serve: ['port', 'open', 'projects-dir', 'runs-dir', 'data-dir', 'rebuild', 'keep-token'],
};

/** What `train --resume` takes; the run's other settings are its own. */
export const RESUME_FLAGS: readonly string[] = [
  'resume',
  'epochs',
  'limit-test',
  'data-dir',
  'backend',
  'python',
  'json',
];

type ConfigInput = z.input<typeof trainConfigSchema>;
const S = trainConfigSchema.shape;

/** A train flag and the TrainConfig field it sets; the bounds are the schema's. */
type Setting =
  | { flag: Flag; field: keyof ConfigInput; kind: 'number'; schema: z.ZodType; sub?: string }
  | { flag: Flag; field: keyof ConfigInput; kind: 'choice'; choices: readonly string[] }
  | { flag: Flag; field: keyof ConfigInput; kind: 'switch' };

const num = (flag: Flag, field: keyof ConfigInput, sub?: string): Setting => ({
  flag,
  field,
  kind: 'number',
  schema: S[field] as z.ZodType,
  ...(sub ? { sub } : {}),
});

export const TRAIN_SETTINGS: readonly Setting[] = [
  { flag: 'dataset', field: 'dataset', kind: 'choice', choices: DATASETS },
  num('epochs', 'epochs'),
  num('batch-size', 'batchSize'),
  { flag: 'optimizer', field: 'optimizer', kind: 'choice', choices: OPTIMIZERS },
  num('lr', 'learningRate'),
  num('momentum', 'momentum'),
  num('validation-split', 'validationSplit'),
  num('early-stopping', 'earlyStopping', 'patience'),
  num('seed', 'seed'),
  { flag: 'augment', field: 'augment', kind: 'switch' },
  num('limit-train', 'limitTrain'),
  num('limit-test', 'limitTest'),
  num('replicas', 'replicas'),
  { flag: 'engine', field: 'engine', kind: 'choice', choices: ENGINES },
];

/** "--lr must be a number above 0 and at most 10 (got "-0.1")." */
function readSetting(s: Setting, raw: string | boolean): unknown {
  if (s.kind === 'switch') return raw === true;
  if (s.kind === 'choice') {
    if (!s.choices.includes(raw as string))
      throw new OptionError(`--${s.flag} must be one of ${s.choices.join(', ')} (got "${raw}").`);
    return raw;
  }
  const bounds = boundsOf(s.schema, s.sub);
  const n = Number(raw);
  if (raw === '' || !withinBounds(n, bounds))
    throw new OptionError(`--${s.flag} must be ${describeBounds(bounds)} (got "${raw}").`);
  return s.sub ? { [s.sub]: n } : n;
}

/** The TrainConfig fields the flags set (only those given), each checked against its bounds. */
export function configFromFlags(o: Options): Partial<ConfigInput> & {
  dataset?: (typeof DATASETS)[number];
} {
  const config: Record<string, unknown> = {};
  for (const s of TRAIN_SETTINGS) {
    const raw = o[s.flag];
    if (raw === undefined || (s.kind === 'switch' && raw !== true)) continue;
    config[s.field] = readSetting(s, raw);
  }
  return config;
}

/**
 * The settings' faults in the flags' names ("--validation-split must be a number from 0 to 0.5
 * (got 0.9)"), for settings that did not come from flags (a project's, a resumed run's).
 */
export function configErrorMessage(error: z.ZodError): string {
  const faults = error.issues.slice(0, 3).map((i) => {
    const field = String(i.path[0] ?? '');
    const s = TRAIN_SETTINGS.find((t) => t.field === field);
    if (s?.kind === 'number')
      return `--${s.flag} must be ${describeBounds(boundsOf(s.schema, s.sub))}`;
    return `${s ? `--${s.flag}` : i.path.join('.') || 'the settings'}: ${i.message}`;
  });
  return `Bad training settings: ${faults.join('; ')}.`;
}
