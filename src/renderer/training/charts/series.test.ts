import { describe, expect, it } from 'vitest';
import type { BatchPoint, EpochPoint } from '../../../shared/events.ts';
import {
  alignSeries,
  clampSmoothing,
  compareChartData,
  emaSmooth,
  hasValues,
  lastValue,
  learningRateChartData,
  metricChartData,
  thin,
  thinIndices,
  unionSorted,
} from './series.ts';

const batch = (step: number, loss: number | null, accuracy: number | null = null): BatchPoint => ({
  step,
  epoch: 0,
  loss,
  accuracy,
  learningRate: 0.01,
});

const epoch = (e: number, step: number, over: Partial<EpochPoint> = {}): EpochPoint => ({
  epoch: e,
  step,
  loss: null,
  accuracy: null,
  valLoss: null,
  valAccuracy: null,
  learningRate: 0.01,
  seconds: 1,
  ...over,
});

describe('emaSmooth', () => {
  it('keeps a constant series constant (debiased)', () => {
    for (const w of [0.3, 0.6, 0.9, 0.99]) {
      const out = emaSmooth([4, 4, 4, 4, 4], w);
      for (const v of out) expect(v).toBeCloseTo(4, 12);
    }
  });

  it('matches a small example worked by hand', () => {
    // w = 0.5: running 0.5, 1.25, 2.125 over debias 0.5, 0.75, 0.875
    const out = emaSmooth([1, 2, 3], 0.5);
    expect(out[0]).toBeCloseTo(1, 12);
    expect(out[1]).toBeCloseTo(5 / 3, 12);
    expect(out[2]).toBeCloseTo(17 / 7, 12);
    // w = 0.6 over [0, 10]: 0 / 0.4 = 0, then 4 / 0.64 = 6.25
    expect(emaSmooth([0, 10], 0.6)).toEqual([0, expect.closeTo(6.25, 12)]);
  });

  it('skips nulls and non-finite values, which stay null', () => {
    const out = emaSmooth([1, null, 2, Number.NaN, 3, Infinity], 0.5);
    expect(out[1]).toBeNull();
    expect(out[3]).toBeNull();
    expect(out[5]).toBeNull();
    expect(out[0]).toBeCloseTo(1, 12);
    expect(out[2]).toBeCloseTo(5 / 3, 12);
    expect(out[4]).toBeCloseTo(17 / 7, 12);
    expect(emaSmooth([null, null], 0.9)).toEqual([null, null]);
  });

  it('is the identity at smoothing 0 (and for nonsense smoothing)', () => {
    expect(emaSmooth([3, 1, null, 2], 0)).toEqual([3, 1, null, 2]);
    expect(emaSmooth([3, 1, 2], Number.NaN)).toEqual([3, 1, 2]);
    expect(emaSmooth([3, 1, 2], -1)).toEqual([3, 1, 2]);
    expect(emaSmooth([], 0.9)).toEqual([]);
  });

  it('stays exact over long series (past the point where w^n underflows)', () => {
    for (const v of emaSmooth(new Array<number>(20_000).fill(0.25), 0.9)) {
      expect(v).toBeCloseTo(0.25, 12);
    }
    // against the textbook formula, w^n from Math.pow
    const values = Array.from({ length: 10_000 }, (_, i) => Math.sin(i) + (i % 7 === 0 ? 3 : 0));
    const w = 0.95;
    let last = 0;
    const expected = values.map((v, i) => {
      last = last * w + (1 - w) * v;
      return last / (1 - Math.pow(w, i + 1));
    });
    const out = emaSmooth(values, w);
    for (let i = 0; i < values.length; i++) expect(out[i]).toBeCloseTo(expected[i]!, 9);
  });

  it('clamps the weight below 1', () => {
    expect(clampSmoothing(1)).toBe(0.999);
    expect(clampSmoothing(0.6)).toBe(0.6);
    expect(clampSmoothing(-0.2)).toBe(0);
    const out = emaSmooth([1, 2], 5);
    // w = 0.999: (0.999 * 0.001 + 0.001 * 2) / (1 - 0.999^2)
    expect(out[1]).toBeCloseTo((0.999 * 0.001 + 0.002) / (1 - 0.999 ** 2), 12);
  });
});

describe('thinning', () => {
  it('spreads the kept indices evenly and keeps the first and last', () => {
    expect(thinIndices(10, 4)).toEqual([0, 3, 6, 9]);
    expect(thinIndices(11, 4)).toEqual([0, 3, 7, 10]);
    expect(thinIndices(1000, 3)).toEqual([0, 500, 999]);
  });

  it('keeps everything when short enough', () => {
    expect(thinIndices(5, 10)).toEqual([0, 1, 2, 3, 4]);
    expect(thinIndices(5, 5)).toEqual([0, 1, 2, 3, 4]);
    expect(thinIndices(0, 5)).toEqual([]);
  });

  it('treats a max below 2 as 2', () => {
    expect(thinIndices(5, 1)).toEqual([0, 4]);
    expect(thinIndices(5, 0)).toEqual([0, 4]);
  });

  it('returns strictly increasing indices of the asked count', () => {
    const idx = thinIndices(100_000, 2000);
    expect(idx).toHaveLength(2000);
    expect(idx[0]).toBe(0);
    expect(idx[1999]).toBe(99_999);
    for (let i = 1; i < idx.length; i++) expect(idx[i]!).toBeGreaterThan(idx[i - 1]!);
  });

  it('thins items the same way', () => {
    expect(thin(['a', 'b', 'c', 'd', 'e'], 3)).toEqual(['a', 'c', 'e']);
    const items = [1, 2];
    const copy = thin(items, 10);
    expect(copy).toEqual([1, 2]);
    expect(copy).not.toBe(items);
  });
});

describe('joining series', () => {
  it('builds the sorted union of x values', () => {
    expect(unionSorted([3, 1, 2], [2, 5, Number.NaN], [])).toEqual([1, 2, 3, 5]);
    expect(unionSorted()).toEqual([]);
  });

  it('puts each value at its x, undefined where the series has none, null for NaN', () => {
    const x = [1, 2, 3, 5];
    const [a, b] = alignSeries(x, [
      { x: [1, 3], y: [0.5, null] },
      { x: [2, 5, 9], y: [Number.NaN, 7, 8] },
    ]);
    expect(a).toEqual([0.5, undefined, null, undefined]);
    expect(b).toEqual([undefined, null, undefined, 7]);
  });

  it('lets the last point win at a repeated x', () => {
    expect(alignSeries([1, 2], [{ x: [1, 1, 2], y: [5, 6, 7] }])).toEqual([[6, 7]]);
  });

  it('tells series with values from empty ones', () => {
    expect(hasValues([undefined, null, 0])).toBe(true);
    expect(hasValues([undefined, null])).toBe(false);
    expect(lastValue([1, 2, null, undefined])).toBe(2);
    expect(lastValue([undefined])).toBeNull();
  });
});

describe('metricChartData', () => {
  it('joins raw, smoothed, epoch and validation series on the step axis', () => {
    const batches = [batch(1, 1), batch(2, 2), batch(3, 3), batch(4, null)];
    const epochs = [epoch(0, 2, { loss: 1.5 }), epoch(1, 4, { loss: 2.5 })];
    const d = metricChartData(batches, epochs, 'loss', 0.5);
    expect(d.data[0]).toEqual([1, 2, 3, 4]);
    expect(d.data[1]).toEqual([1, 2, 3, null]);
    expect(d.data[2]).toEqual([
      expect.closeTo(1, 12),
      expect.closeTo(5 / 3, 12),
      expect.closeTo(17 / 7, 12),
      null,
    ]);
    expect(d.data[3]).toEqual([undefined, 1.5, undefined, 2.5]);
    expect(d.data[4]).toEqual([undefined, null, undefined, null]);
    expect(d.points).toBe(4);
    expect(d.epochs).toBe(2);
    expect(d.present).toEqual([true, true, true, false]);
  });

  it('takes accuracy and validation accuracy for the accuracy chart', () => {
    const d = metricChartData(
      [batch(1, 9, 0.25), batch(2, 9, 0.75)],
      [epoch(0, 3, { accuracy: 0.5, valAccuracy: 0.4, loss: 9, valLoss: 9 })],
      'accuracy',
      0,
    );
    expect(d.data).toEqual([
      [1, 2, 3],
      [0.25, 0.75, undefined],
      [0.25, 0.75, undefined],
      [undefined, undefined, 0.5],
      [undefined, undefined, 0.4],
    ]);
    expect(d.present).toEqual([true, true, true, true]);
  });

  it('smooths over every batch and then thins, keeping the epoch steps', () => {
    const batches = Array.from({ length: 10 }, (_, i) => batch(i + 1, i + 1));
    const d = metricChartData(batches, [epoch(0, 5, { loss: 0 })], 'loss', 0.5, 4);
    // kept batches: indices 0, 3, 6, 9 -> steps 1, 4, 7, 10; step 5 from the epoch
    expect(d.data[0]).toEqual([1, 4, 5, 7, 10]);
    expect(d.data[1]).toEqual([1, 4, undefined, 7, 10]);
    const full = emaSmooth(
      batches.map((b) => b.loss),
      0.5,
    );
    expect(d.data[2]).toEqual([full[0], full[3], undefined, full[6], full[9]]);
    expect(d.points).toBe(5);
  });

  it('is empty without data', () => {
    const d = metricChartData([], [], 'loss', 0.6);
    expect(d.data).toEqual([[], [], [], [], []]);
    expect(d.points).toBe(0);
    expect(d.epochs).toBe(0);
    expect(d.present).toEqual([false, false, false, false]);
  });
});

describe('learningRateChartData', () => {
  it('plots the batches, or the epochs when there are none', () => {
    const batches = [1, 2, 3].map((s) => ({ ...batch(s, 1), learningRate: 0.1 / s }));
    expect(learningRateChartData(batches, []).data).toEqual([
      [1, 2, 3],
      [0.1, 0.05, 0.1 / 3],
    ]);
    const epochs = [epoch(0, 10, { learningRate: 0.1 }), epoch(1, 20, { learningRate: 0.01 })];
    const d = learningRateChartData([], epochs);
    expect(d.data).toEqual([
      [10, 20],
      [0.1, 0.01],
    ]);
    expect(d.epochs).toBe(2);
  });
});

describe('compareChartData', () => {
  const a = {
    runId: 'a',
    name: 'A',
    batches: [batch(1, 1), batch(2, 1), batch(3, 1)],
    epochs: [epoch(0, 3, { loss: 1, valLoss: 2 })],
  };
  const b = {
    runId: 'b',
    name: 'B',
    batches: [],
    epochs: [epoch(0, 2, { loss: 0.5, valLoss: 0.7 }), epoch(1, 4, { loss: 0.25 })],
  };

  it('joins smoothed batch series, or epoch series for runs without batches', () => {
    const d = compareChartData([a, b], 'loss', 0.9);
    expect(d.data).toEqual([
      [1, 2, 3, 4],
      [expect.closeTo(1, 12), expect.closeTo(1, 12), expect.closeTo(1, 12), undefined],
      [undefined, 0.5, undefined, 0.25],
    ]);
    expect(d.present).toEqual([true, true]);
  });

  it('takes validation metrics from the epochs at their steps', () => {
    const d = compareChartData([a, b], 'valLoss', 0.9);
    expect(d.data).toEqual([
      [2, 3, 4],
      [undefined, 2, undefined],
      [0.7, undefined, null],
    ]);
    expect(compareChartData([a], 'valAccuracy', 0).present).toEqual([false]);
  });

  it('is empty without runs', () => {
    expect(compareChartData([], 'loss', 0).data).toEqual([[]]);
  });
});
