// The Training form: its fields as typed, and the three ways they meet a TrainConfig. Start
// turns them into a config or says what is wrong with the first bad field (toConfig); Save keeps
// each valid one in the project (savedTraining); Open and "Edit and train again" put saved
// settings back (formFrom). Every number's limits come from the TrainConfig schema (bounds.ts).
import type { DatasetName } from '../../shared/graph/types.ts';
import type { ProjectTraining } from '../../shared/project.ts';
import {
  scheduleSchema,
  trainConfigSchema,
  type EngineSetting,
  type OPTIMIZERS,
  type Schedule,
  type TrainConfigInput,
} from '../../shared/train-config.ts';
import { boundsOf, describeBounds, scaled, withinBounds, type NumberBounds } from './bounds.ts';

export type Optimizer = (typeof OPTIMIZERS)[number];
export type ScheduleKind = Schedule['kind'];

/**
 * The form's fields, as typed (text until Start turns them into a TrainConfig). The dataset is
 * not one: it is the graph's own (GraphDoc.dataset), so the shape checks use it too.
 */
export interface TrainForm {
  /** A setting of this machine, not of the project: never saved in it. */
  dataDir: string;
  optimizer: Optimizer;
  learningRate: string;
  momentum: string;
  schedule: ScheduleKind;
  /** step: every N epochs multiply by factor. */
  stepEvery: string;
  stepFactor: string;
  /** exponential: lr * rate^epoch. */
  expRate: string;
  /** cosine: down to this. */
  cosineMinLr: string;
  batchSize: string;
  epochs: string;
  /** Percent of the training set held out. */
  validationSplit: string;
  augment: boolean;
  earlyStopping: boolean;
  patience: string;
  seed: string;
  limitTrain: string;
  limitTest: string;
  /** Which engine trains: auto (what engines.status says it picks), TensorFlow.js or PyTorch. */
  engine: EngineSetting;
}

export const initialForm: TrainForm = {
  dataDir: '',
  optimizer: 'sgd',
  learningRate: '0.01',
  momentum: '0',
  schedule: 'constant',
  stepEvery: '10',
  stepFactor: '0.5',
  expRate: '0.95',
  cosineMinLr: '0',
  batchSize: '32',
  epochs: '5',
  validationSplit: '0',
  augment: false,
  earlyStopping: false,
  patience: '3',
  seed: '42',
  limitTrain: '',
  limitTest: '',
  engine: 'auto',
};

/** The fields typed as text (not the choices among names, nor the data folder). */
export type NumberField = Exclude<
  { [K in keyof TrainForm]: string extends TrainForm[K] ? K : never }[keyof TrainForm],
  'dataDir'
>;

interface FieldSpec {
  /** How the field is named in messages (as its label reads). */
  label: string;
  /** In the form's units. */
  bounds: NumberBounds;
  /** Form units per setting unit (the validation split is typed as a percentage). */
  scale?: number;
}

const S = trainConfigSchema.shape;
const percent = 100;

/** Every number the form takes, with the bounds of the setting it becomes. */
export const NUMBER_FIELDS: Record<NumberField, FieldSpec> = {
  learningRate: { label: 'Learning rate', bounds: boundsOf(S.learningRate) },
  momentum: { label: 'Momentum', bounds: boundsOf(S.momentum) },
  stepEvery: { label: 'Step schedule: every', bounds: boundsOf(scheduleSchema, 'everyEpochs') },
  stepFactor: { label: 'Step schedule: factor', bounds: boundsOf(scheduleSchema, 'factor') },
  expRate: { label: 'Decay rate', bounds: boundsOf(scheduleSchema, 'rate') },
  cosineMinLr: { label: 'Minimum learning rate', bounds: boundsOf(scheduleSchema, 'minLr') },
  batchSize: { label: 'Batch size', bounds: boundsOf(S.batchSize) },
  epochs: { label: 'Epochs', bounds: boundsOf(S.epochs) },
  validationSplit: {
    label: 'Validation split',
    bounds: scaled(boundsOf(S.validationSplit), percent),
    scale: percent,
  },
  patience: { label: 'Patience', bounds: boundsOf(S.earlyStopping, 'patience') },
  seed: { label: 'Seed', bounds: boundsOf(S.seed) },
  limitTrain: { label: 'Limit train', bounds: boundsOf(S.limitTrain) },
  limitTest: { label: 'Limit test', bounds: boundsOf(S.limitTest) },
};

/** What a number field takes, e.g. "a whole number from 1 to 10,000" (for its tooltip). */
export const fieldRange = (name: NumberField): string => describeBounds(NUMBER_FIELDS[name].bounds);

class FieldError extends Error {}

/** The field's value as a setting; a FieldError naming the field and its range if it is not. */
function read(form: TrainForm, name: NumberField): number {
  const { label, bounds, scale = 1 } = NUMBER_FIELDS[name];
  const text = form[name].trim();
  const n = Number(text);
  if (text === '' || !withinBounds(n, bounds))
    throw new FieldError(`${label} must be ${describeBounds(bounds)}.`);
  return n / scale;
}

/** Empty means "all". */
const limit = (form: TrainForm, name: 'limitTrain' | 'limitTest'): number | null =>
  form[name].trim() === '' ? null : read(form, name);

function schedule(form: TrainForm): Schedule {
  switch (form.schedule) {
    case 'constant':
      return { kind: 'constant' };
    case 'step':
      return {
        kind: 'step',
        everyEpochs: read(form, 'stepEvery'),
        factor: read(form, 'stepFactor'),
      };
    case 'exponential':
      return { kind: 'exponential', rate: read(form, 'expRate') };
    case 'cosine':
      return { kind: 'cosine', minLr: read(form, 'cosineMinLr') };
  }
}

type Setting = keyof Omit<ProjectTraining, 'replicas'>;

/** Each setting the form holds, read from its fields, in the form's order. */
const SETTINGS: { [K in Setting]-?: (form: TrainForm) => Required<ProjectTraining>[K] } = {
  optimizer: (f) => f.optimizer,
  learningRate: (f) => read(f, 'learningRate'),
  momentum: (f) => read(f, 'momentum'),
  schedule,
  batchSize: (f) => read(f, 'batchSize'),
  epochs: (f) => read(f, 'epochs'),
  validationSplit: (f) => read(f, 'validationSplit'),
  augment: (f) => f.augment,
  earlyStopping: (f) => (f.earlyStopping ? { patience: read(f, 'patience'), minDelta: 0 } : null),
  seed: (f) => read(f, 'seed'),
  limitTrain: (f) => limit(f, 'limitTrain'),
  limitTest: (f) => limit(f, 'limitTest'),
  engine: (f) => f.engine,
};

export type ConfigResult = { ok: true; config: TrainConfigInput } | { ok: false; reason: string };

/** The number fields a run reads with the form's choices (the optimizer's, the schedule's...). */
export function activeFields(form: TrainForm): NumberField[] {
  const fields: NumberField[] = ['learningRate'];
  if (form.optimizer === 'sgd') fields.push('momentum');
  if (form.schedule === 'step') fields.push('stepEvery', 'stepFactor');
  if (form.schedule === 'exponential') fields.push('expRate');
  if (form.schedule === 'cosine') fields.push('cosineMinLr');
  fields.push('batchSize', 'epochs', 'validationSplit');
  if (form.earlyStopping) fields.push('patience');
  fields.push('seed', 'limitTrain', 'limitTest');
  return fields;
}

export type FieldErrors = Partial<Record<NumberField, string>>;

/** What is wrong with each field Start would read, by field, in the form's order. */
export function fieldErrors(form: TrainForm): FieldErrors {
  const errors: FieldErrors = {};
  for (const name of activeFields(form)) {
    try {
      if (name === 'limitTrain' || name === 'limitTest') limit(form, name);
      else read(form, name);
    } catch (e) {
      if (!(e instanceof FieldError)) throw e;
      errors[name] = e.message;
    }
  }
  return errors;
}

/** Start's reason to wait for the form: how many fields are marked, and the first one's fault. */
export function formBlocker(errors: FieldErrors): string | null {
  const messages = Object.values(errors);
  if (messages.length === 0) return null;
  if (messages.length === 1) return messages[0]!;
  return `Fix the ${messages.length} marked settings (${messages[0]})`;
}

/** The run's settings for Start, or the first field that is wrong and what it takes. */
export function toConfig(form: TrainForm, dataset: DatasetName): ConfigResult {
  try {
    const config: TrainConfigInput = {
      dataset,
      optimizer: form.optimizer,
      learningRate: SETTINGS.learningRate(form),
      // Momentum is SGD's alone: another optimizer's run ignores what the field holds.
      momentum: form.optimizer === 'sgd' ? SETTINGS.momentum(form) : 0,
      schedule: SETTINGS.schedule(form),
      batchSize: SETTINGS.batchSize(form),
      epochs: SETTINGS.epochs(form),
      validationSplit: SETTINGS.validationSplit(form),
      augment: dataset === 'cifar10' && form.augment,
      earlyStopping: SETTINGS.earlyStopping(form),
      seed: SETTINGS.seed(form),
      limitTrain: SETTINGS.limitTrain(form),
      limitTest: SETTINGS.limitTest(form),
      engine: form.engine,
    };
    return { ok: true, config };
  } catch (e) {
    if (e instanceof FieldError) return { ok: false, reason: e.message };
    throw e;
  }
}

/**
 * The settings a project keeps of the form: each one whose fields are valid, as typed (momentum
 * and augmentation too, whatever the optimizer and dataset, so switching back finds them).
 */
export function savedTraining(form: TrainForm): ProjectTraining {
  const saved: Record<string, unknown> = {};
  for (const [key, readSetting] of Object.entries(SETTINGS)) {
    try {
      saved[key] = readSetting(form);
    } catch (e) {
      if (!(e instanceof FieldError)) throw e;
    }
  }
  return saved as ProjectTraining;
}

const text = (n: number): string => String(n);

/**
 * The form with saved settings put in (a project's, or a reopened run's config); fields they do
 * not name keep `base`'s values.
 */
export function formFrom(saved: ProjectTraining, base: TrainForm): TrainForm {
  const f = { ...base };
  if (saved.optimizer) f.optimizer = saved.optimizer;
  if (saved.learningRate !== undefined) f.learningRate = text(saved.learningRate);
  if (saved.momentum !== undefined) f.momentum = text(saved.momentum);
  const s = saved.schedule;
  if (s) {
    f.schedule = s.kind;
    if (s.kind === 'step') {
      f.stepEvery = text(s.everyEpochs);
      f.stepFactor = text(s.factor);
    } else if (s.kind === 'exponential') f.expRate = text(s.rate);
    else if (s.kind === 'cosine') f.cosineMinLr = text(s.minLr);
  }
  if (saved.batchSize !== undefined) f.batchSize = text(saved.batchSize);
  if (saved.epochs !== undefined) f.epochs = text(saved.epochs);
  if (saved.validationSplit !== undefined)
    f.validationSplit = text(Math.round(saved.validationSplit * percent * 10) / 10);
  if (saved.augment !== undefined) f.augment = saved.augment;
  if (saved.earlyStopping !== undefined) {
    f.earlyStopping = saved.earlyStopping !== null;
    if (saved.earlyStopping) f.patience = text(saved.earlyStopping.patience);
  }
  if (saved.seed !== undefined) f.seed = text(saved.seed);
  if (saved.limitTrain !== undefined)
    f.limitTrain = saved.limitTrain === null ? '' : text(saved.limitTrain);
  if (saved.limitTest !== undefined)
    f.limitTest = saved.limitTest === null ? '' : text(saved.limitTest);
  // A reopened run's config names the engine it trained with (auto resolved); a project the
  // choice as made.
  if (saved.engine) f.engine = saved.engine;
  return f;
}
