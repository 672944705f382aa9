import { describe, expect, it } from 'vitest';
import { toConfig } from './config.ts';
import { appendPoints, initialForm, MAX_POINTS, type ChartPoint } from './training-store.ts';
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
        batchSize: 32,
        epochs: 5,
        limitTrain: 640,
        limitTest: null,
      },
    });
  });

  it('says which field is wrong', () => {
    expect(toConfig({ ...initialForm, learningRate: '0' }, 'mnist')).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/Learning rate/),
    });
    expect(toConfig({ ...initialForm, batchSize: '3.5' }, 'mnist')).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/Batch size/),
    });
    expect(toConfig({ ...initialForm, limitTest: '-1' }, 'cifar10')).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/Limit test/),
    });
  });
});

describe('chart points', () => {
  it('keeps at most MAX_POINTS, ending with the newest', () => {
    const pts = (from: number, n: number): ChartPoint[] =>
      Array.from({ length: n }, (_, i) => ({ step: from + i, loss: 1, accuracy: 0.5 }));
    const kept = appendPoints(pts(1, MAX_POINTS), pts(MAX_POINTS + 1, 10));
    expect(kept.length).toBeLessThanOrEqual(MAX_POINTS);
    expect(kept[kept.length - 1]!.step).toBe(MAX_POINTS + 10);
  });

  it('formats the ETA', () => {
    expect(formatEta(42)).toBe('42 s');
    expect(formatEta(125)).toBe('2 min 5 s');
    expect(formatEta(3 * 3600 + 60)).toBe('3 h 1 min');
  });
});
