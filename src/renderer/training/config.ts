// The form's text fields into a TrainConfig, or the first reason they can't be one.
import type { DatasetName } from '../../shared/graph/types.ts';
import type { TrainConfigInput } from '../../shared/protocol.ts';
import type { TrainForm } from './training-store.ts';

export type ConfigResult = { ok: true; config: TrainConfigInput } | { ok: false; reason: string };

function int(text: string, label: string, min: number, max: number): number | string {
  const n = Number(text.trim());
  if (text.trim() === '' || !Number.isInteger(n) || n < min || n > max)
    return `${label} must be a whole number from ${min} to ${max.toLocaleString('en-US')}.`;
  return n;
}

/** Empty means "all"; else a whole number of at least 1. */
function limit(text: string, label: string): number | null | string {
  if (text.trim() === '') return null;
  return int(text, label, 1, 10_000_000);
}

export function toConfig(form: TrainForm, dataset: DatasetName): ConfigResult {
  const lr = Number(form.learningRate.trim());
  if (form.learningRate.trim() === '' || !Number.isFinite(lr) || lr <= 0 || lr > 10)
    return { ok: false, reason: 'Learning rate must be a number above 0 and at most 10.' };
  const batchSize = int(form.batchSize, 'Batch size', 1, 65_536);
  const epochs = int(form.epochs, 'Epochs', 1, 10_000);
  const limitTrain = limit(form.limitTrain, 'Limit train');
  const limitTest = limit(form.limitTest, 'Limit test');
  for (const v of [batchSize, epochs, limitTrain, limitTest])
    if (typeof v === 'string') return { ok: false, reason: v };
  return {
    ok: true,
    config: {
      dataset,
      optimizer: form.optimizer,
      learningRate: lr,
      batchSize: batchSize as number,
      epochs: epochs as number,
      limitTrain: limitTrain as number | null,
      limitTest: limitTest as number | null,
    },
  };
}
