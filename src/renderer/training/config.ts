// The form's text fields into a TrainConfig, or the first reason they can't be one.
import type { DatasetName } from '../../shared/graph/types.ts';
import type { Schedule, TrainConfigInput } from '../../shared/train-config.ts';
import type { TrainForm } from './training-store.ts';

export type ConfigResult = { ok: true; config: TrainConfigInput } | { ok: false; reason: string };

class FieldError extends Error {}

function int(text: string, label: string, min: number, max: number): number {
  const n = Number(text.trim());
  if (text.trim() === '' || !Number.isInteger(n) || n < min || n > max)
    throw new FieldError(
      `${label} must be a whole number from ${min} to ${max.toLocaleString('en-US')}.`,
    );
  return n;
}

/** A number in [min, max]; `above` makes min itself invalid. */
function num(text: string, label: string, min: number, max: number, above = false): number {
  const n = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(n) || n < min || (above && n === min) || n > max)
    throw new FieldError(
      `${label} must be a number ${above ? 'above' : 'from'} ${min} ${above ? 'and at most' : 'to'} ${max}.`,
    );
  return n;
}

/** Empty means "all"; else a whole number of at least 1. */
function limit(text: string, label: string): number | null {
  if (text.trim() === '') return null;
  return int(text, label, 1, 10_000_000);
}

function schedule(form: TrainForm): Schedule {
  switch (form.schedule) {
    case 'constant':
      return { kind: 'constant' };
    case 'step':
      return {
        kind: 'step',
        everyEpochs: int(form.stepEvery, 'Step schedule: every', 1, 10_000),
        factor: num(form.stepFactor, 'Step schedule: factor', 0, 1, true),
      };
    case 'exponential':
      return { kind: 'exponential', rate: num(form.expRate, 'Decay rate', 0, 1, true) };
    case 'cosine':
      return { kind: 'cosine', minLr: num(form.cosineMinLr, 'Minimum learning rate', 0, 10) };
  }
}

export function toConfig(form: TrainForm, dataset: DatasetName): ConfigResult {
  try {
    const learningRate = num(form.learningRate, 'Learning rate', 0, 10, true);
    const validationSplit = num(form.validationSplit, 'Validation split', 0, 50) / 100;
    const config: TrainConfigInput = {
      dataset,
      optimizer: form.optimizer,
      learningRate,
      momentum: form.optimizer === 'sgd' ? num(form.momentum, 'Momentum', 0, 1) : 0,
      schedule: schedule(form),
      batchSize: int(form.batchSize, 'Batch size', 1, 65_536),
      epochs: int(form.epochs, 'Epochs', 1, 10_000),
      validationSplit,
      augment: dataset === 'cifar10' && form.augment,
      earlyStopping: form.earlyStopping
        ? { patience: int(form.patience, 'Patience', 1, 10_000), minDelta: 0 }
        : null,
      seed: int(form.seed, 'Seed', 0, 2 ** 31 - 1),
      limitTrain: limit(form.limitTrain, 'Limit train'),
      limitTest: limit(form.limitTest, 'Limit test'),
    };
    return { ok: true, config };
  } catch (e) {
    if (e instanceof FieldError) return { ok: false, reason: e.message };
    throw e;
  }
}

/** The form's fields for a saved run's settings (to train it again with changes). */
export function toForm(config: TrainConfigInput, base: TrainForm): TrainForm {
  const s = config.schedule ?? { kind: 'constant' };
  return {
    ...base,
    optimizer: config.optimizer ?? base.optimizer,
    learningRate: String(config.learningRate ?? base.learningRate),
    momentum: String(config.momentum ?? 0),
    schedule: s.kind,
    stepEvery: s.kind === 'step' ? String(s.everyEpochs) : base.stepEvery,
    stepFactor: s.kind === 'step' ? String(s.factor) : base.stepFactor,
    expRate: s.kind === 'exponential' ? String(s.rate) : base.expRate,
    cosineMinLr: s.kind === 'cosine' ? String(s.minLr ?? 0) : base.cosineMinLr,
    batchSize: String(config.batchSize ?? base.batchSize),
    epochs: String(config.epochs ?? base.epochs),
    validationSplit: String(Math.round((config.validationSplit ?? 0) * 1000) / 10),
    augment: config.augment ?? false,
    earlyStopping: !!config.earlyStopping,
    patience: config.earlyStopping ? String(config.earlyStopping.patience) : base.patience,
    seed: String(config.seed ?? base.seed),
    limitTrain: config.limitTrain ? String(config.limitTrain) : '',
    limitTest: config.limitTest ? String(config.limitTest) : '',
  };
}
