import { describe, expect, it } from 'vitest';
import { trainConfigSchema } from '../../shared/train-config.ts';
import { settingsLine } from './settings-line.ts';

describe('settingsLine', () => {
  it('says the defaults briefly', () => {
    expect(settingsLine(trainConfigSchema.parse({ dataset: 'mnist' }))).toBe(
      'SGD · lr 0.01 · batch 32 · 10 epochs · seed 42',
    );
  });

  it('names every setting that differs', () => {
    const c = trainConfigSchema.parse({
      dataset: 'cifar10',
      optimizer: 'sgd',
      momentum: 0.9,
      learningRate: 0.1,
      schedule: { kind: 'step', everyEpochs: 30, factor: 0.1 },
      batchSize: 128,
      epochs: 1,
      validationSplit: 0.1,
      augment: true,
      earlyStopping: { patience: 5 },
      limitTrain: 5000,
      seed: 7,
    });
    expect(settingsLine(c)).toBe(
      'SGD, momentum 0.9 · lr 0.1, ×0.1 every 30 epochs · batch 128 · 1 epoch · 10% validation · ' +
        'augmented · early stopping after 5 · first 5,000 training images · seed 7',
    );
    expect(
      settingsLine({ ...c, optimizer: 'adam', schedule: { kind: 'cosine', minLr: 0 } }),
    ).toMatch(/^Adam · lr 0\.1, cosine to 0 · /);
  });
});
