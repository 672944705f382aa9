import { describe, expect, it } from 'vitest';
import { trainConfigSchema } from '../../shared/train-config.ts';
import { toConfig, toForm } from './config.ts';
import { appendPoints, initialForm } from './training-store.ts';
import { formatEta } from './TrainingProgress.tsx';

describe('training form', () => {
  it('turns the fields into a config, empty limits meaning all', () => {
    const r = toConfig({ ...initialForm, limitTrain: '640', limitTest: '' }, 'mnist');
    expect(r).toEqual({
      ok: true,
      config: {
        dataset: 'mnist',
        optimizer: 'sgd',
        learningRate: 0.01,
        momentum: 0,
        schedule: { kind: 'constant' },
        batchSize: 32,
        epochs: 5,
        validationSplit: 0,
        augment: false,
        earlyStopping: null,
        seed: 42,
        limitTrain: 640,
        limitTest: null,
      },
    });
  });

  it('carries the schedule, validation split, early stopping and augmentation', () => {
    const r = toConfig(
      {
        ...initialForm,
        optimizer: 'sgd',
        momentum: '0.9',
        schedule: 'step',
        stepEvery: '3',
        stepFactor: '0.1',
        validationSplit: '10',
        earlyStopping: true,
        patience: '2',
        augment: true,
        seed: '7',
      },
      'cifar10',
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config).toMatchObject({
      momentum: 0.9,
      schedule: { kind: 'step', everyEpochs: 3, factor: 0.1 },
      validationSplit: 0.1,
      earlyStopping: { patience: 2 },
      augment: true,
      seed: 7,
    });
    // The engine's own schema takes what the form makes.
    expect(trainConfigSchema.safeParse(r.config).success).toBe(true);
  });

  it('does not augment MNIST, and ignores momentum for Adam', () => {
    const r = toConfig(
      { ...initialForm, augment: true, optimizer: 'adam', momentum: '5' },
      'mnist',
    );
    expect(r).toMatchObject({ ok: true, config: { augment: false, momentum: 0 } });
  });

  it('says which field is wrong', () => {
    const reason = (change: Partial<typeof initialForm>) => {
      const r = toConfig({ ...initialForm, ...change }, 'mnist');
      return r.ok ? null : r.reason;
    };
    expect(reason({ learningRate: '0' })).toMatch(/Learning rate/);
    expect(reason({ batchSize: '3.5' })).toMatch(/Batch size/);
    expect(reason({ limitTest: '-1' })).toMatch(/Limit test/);
    expect(reason({ validationSplit: '60' })).toMatch(/Validation split .* 0 to 50/);
    expect(reason({ momentum: '1.5' })).toMatch(/Momentum/);
    expect(reason({ schedule: 'exponential', expRate: '0' })).toMatch(/Decay rate/);
    expect(reason({ schedule: 'step', stepEvery: '0' })).toMatch(/every/);
    expect(reason({ earlyStopping: true, patience: '' })).toMatch(/Patience/);
    expect(reason({ seed: 'x' })).toMatch(/Seed/);
  });

  it('reads a saved config back into the form', () => {
    const form = {
      ...initialForm,
      optimizer: 'sgd' as const,
      momentum: '0.9',
      schedule: 'cosine' as const,
      cosineMinLr: '0.001',
      validationSplit: '20',
      earlyStopping: true,
      patience: '4',
      limitTrain: '1000',
    };
    const r = toConfig(form, 'mnist');
    if (!r.ok) throw new Error(r.reason);
    const back = toForm(trainConfigSchema.parse(r.config), initialForm);
    expect(toConfig(back, 'mnist')).toEqual(r);
  });
});

describe('chart points', () => {
  it('keeps at most the maximum, thinning the older points and keeping the newest', () => {
    const pts = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);
    const kept = appendPoints(pts(1, 100), pts(101, 10), 100);
    expect(kept.length).toBeLessThanOrEqual(100);
    expect(kept.slice(-50)).toEqual(pts(61, 50));
    expect(kept[0]).toBe(1);
    expect([...kept].sort((a, b) => a - b)).toEqual(kept);
  });

  it('formats the ETA', () => {
    expect(formatEta(42)).toBe('42 s');
    expect(formatEta(125)).toBe('2 min 5 s');
    expect(formatEta(3 * 3600 + 60)).toBe('3 h 1 min');
  });
});
