// A run's settings in one line, for the dashboard's header.
import type { TrainConfig } from '../../shared/train-config.ts';

/** How the optimizers are named to the user. */
export const OPTIMIZER_NAMES: Record<TrainConfig['optimizer'], string> = {
  sgd: 'SGD',
  adam: 'Adam',
  rmsprop: 'RMSprop',
  adagrad: 'Adagrad',
};

/** "SGD, momentum 0.9 · lr 0.01, step ×0.5 every 10 epochs · batch 32 · 10 epochs · …" */
export function settingsLine(c: TrainConfig): string {
  const s = c.schedule;
  const schedule =
    s.kind === 'step'
      ? `, ×${s.factor} every ${s.everyEpochs} epoch${s.everyEpochs === 1 ? '' : 's'}`
      : s.kind === 'exponential'
        ? `, ×${s.rate} per epoch`
        : s.kind === 'cosine'
          ? `, cosine to ${s.minLr}`
          : '';
  const parts = [
    `${OPTIMIZER_NAMES[c.optimizer]}${c.optimizer === 'sgd' && c.momentum > 0 ? `, momentum ${c.momentum}` : ''}`,
    `lr ${c.learningRate}${schedule}`,
    `batch ${c.batchSize}`,
    `${c.epochs} epoch${c.epochs === 1 ? '' : 's'}`,
  ];
  if (c.validationSplit > 0) parts.push(`${Math.round(c.validationSplit * 1000) / 10}% validation`);
  if (c.augment) parts.push('augmented');
  if (c.earlyStopping) parts.push(`early stopping after ${c.earlyStopping.patience}`);
  if (c.limitTrain) parts.push(`first ${c.limitTrain.toLocaleString('en-US')} training images`);
  if (c.limitTest) parts.push(`first ${c.limitTest.toLocaleString('en-US')} test images`);
  parts.push(`seed ${c.seed}`);
  return parts.join(' · ');
}
