// Pure data preparation for the training charts: smoothing, thinning, joining series on one x
// axis and building uPlot's AlignedData. No DOM and no uPlot at runtime (types only), so it is
// unit-tested in Node.
//
// uPlot tells two kinds of missing values apart, and so do these helpers:
//   null      a measured value that was NaN/Infinity (or not a number): the line breaks there;
//   undefined no sample of this series at that x (it belongs to another series): the line
//             simply continues over it.
import type uPlot from 'uplot';
import type { BatchPoint, EpochPoint } from '../../../shared/events.ts';

export type Value = number | null;
export type Aligned = (number | null | undefined)[];

/** At most this many x values per batch series unless told otherwise (the parent thins too). */
export const MAX_CHART_POINTS = 2000;

/** The highest smoothing weight honoured; 1 would freeze the line at its first value. */
export const MAX_SMOOTHING = 0.999;

/** Smoothing clamped to [0, MAX_SMOOTHING]; anything that is not a finite number means 0. */
export function clampSmoothing(smoothing: number): number {
  if (!Number.isFinite(smoothing) || smoothing <= 0) return 0;
  return Math.min(smoothing, MAX_SMOOTHING);
}

function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/**
 * Exponential moving average with TensorBoard's debiasing: the running average starts at 0
 * and is divided by 1 - w^n (n = values seen so far), so the first points aren't pulled
 * towards 0. A constant series stays that constant. Null (and non-finite) values are skipped
 * and stay null; smoothing 0 returns the values unchanged.
 */
export function emaSmooth(values: readonly Value[], smoothing: number): Value[] {
  const smoothed = emaSmoothBy(values, identity, smoothing);
  return Array.from(smoothed, (v) => (Number.isNaN(v) ? null : v));
}

function identity(v: Value): Value {
  return v;
}

/**
 * emaSmooth over a value read from each item, into a Float64Array with NaN for null: no
 * intermediate array and no boxed numbers, as this runs over whole runs (10^5 batches).
 */
export function emaSmoothBy<T>(
  items: readonly T[],
  get: (item: T) => Value,
  smoothing: number,
): Float64Array {
  const w = clampSmoothing(smoothing);
  const n = items.length;
  const out = new Float64Array(n);
  let last = 0;
  let decay = 1; // w^(values seen so far)
  for (let i = 0; i < n; i++) {
    const v = get(items[i]!);
    if (v === null || !Number.isFinite(v)) {
      out[i] = Number.NaN;
    } else if (w === 0) {
      out[i] = v;
    } else {
      last = last * w + (1 - w) * v;
      // Once w^n is below double precision the debias factor is 1; stopping there also keeps
      // `decay` out of subnormal numbers, which are very slow to compute with.
      if (decay !== 0) decay = decay < 1e-17 ? 0 : decay * w;
      out[i] = last / (1 - decay);
    }
  }
  return out;
}

/**
 * Indices of at most `max` items out of `length`, evenly spread and always keeping the first
 * and the last. Returns every index when length <= max. `max` below 2 counts as 2.
 */
export function thinIndices(length: number, max: number): number[] {
  const n = Math.max(0, Math.floor(length));
  const m = Math.max(2, Math.floor(Number.isFinite(max) ? max : 2));
  if (n <= m) return Array.from({ length: n }, (_, i) => i);
  const out = new Array<number>(m);
  const stride = (n - 1) / (m - 1); // > 1, so the rounded indices strictly increase
  for (let i = 0; i < m; i++) out[i] = Math.round(i * stride);
  out[m - 1] = n - 1;
  return out;
}

/** At most `max` items, evenly spread, first and last kept (see thinIndices). */
export function thin<T>(items: readonly T[], max: number): T[] {
  if (items.length <= Math.max(2, max)) return items.slice();
  return thinIndices(items.length, max).map((i) => items[i]!);
}

/** The sorted union of several lists of x values, without duplicates or non-finite values. */
export function unionSorted(...lists: readonly (readonly number[])[]): number[] {
  const set = new Set<number>();
  for (const list of lists) for (const x of list) if (Number.isFinite(x)) set.add(x);
  return Array.from(set).sort((a, b) => a - b);
}

export interface XY {
  x: readonly number[];
  y: readonly Value[];
}

/**
 * Each series' values placed on the joined x axis: the value where the series has a point at
 * that x (null stays null, a non-finite number becomes null), undefined where it has none. If
 * a series has several points at one x, the last one wins.
 */
export function alignSeries(x: readonly number[], series: readonly XY[]): Aligned[] {
  const index = new Map<number, number>();
  for (let i = 0; i < x.length; i++) index.set(x[i]!, i);
  return series.map((s) => {
    const out: Aligned = new Array<number | null | undefined>(x.length).fill(undefined);
    const len = Math.min(s.x.length, s.y.length);
    for (let i = 0; i < len; i++) {
      const at = index.get(s.x[i]!);
      if (at === undefined) continue;
      const v = s.y[i];
      out[at] = isFiniteNumber(v) ? v : null;
    }
    return out;
  });
}

/** Whether a series has at least one finite value to draw. */
export function hasValues(values: readonly (number | null | undefined)[]): boolean {
  for (const v of values) if (isFiniteNumber(v)) return true;
  return false;
}

/** Joined data for uPlot plus what the chart's wrapper reports about it. */
export interface ChartData {
  data: uPlot.AlignedData;
  /** x values drawn (data[0].length). */
  points: number;
  /** Per series after x (data[i + 1]): whether it has anything to draw. */
  present: boolean[];
}

export interface MetricChartData extends ChartData {
  /** Epoch points drawn. */
  epochs: number;
}

export type BatchMetric = 'loss' | 'accuracy';

function join(series: XY[]): ChartData {
  const x = unionSorted(...series.map((s) => s.x));
  const ys = alignSeries(x, series);
  return {
    data: [x, ...ys] as uPlot.AlignedData,
    points: x.length,
    present: ys.map(hasValues),
  };
}

/**
 * The loss or accuracy chart: x = step, then the series
 *   1 per-batch raw values, 2 per-batch smoothed values (smoothed over all the batches given,
 *   then thinned), 3 per-epoch training value, 4 per-epoch validation value,
 * the epoch series at each epoch's step.
 */
export function metricChartData(
  batches: readonly BatchPoint[],
  epochs: readonly EpochPoint[],
  metric: BatchMetric,
  smoothing: number,
  maxPoints: number = MAX_CHART_POINTS,
): MetricChartData {
  const smoothed = emaSmoothBy(batches, (b) => b[metric], smoothing);
  const keep = thinIndices(batches.length, maxPoints);
  const bx = keep.map((i) => batches[i]!.step);
  const shownEpochs = thin(epochs, maxPoints);
  const ex = shownEpochs.map((e) => e.step);
  const joined = join([
    { x: bx, y: keep.map((i) => batches[i]![metric]) },
    { x: bx, y: keep.map((i) => smoothed[i]!) },
    { x: ex, y: shownEpochs.map((e) => e[metric]) },
    { x: ex, y: shownEpochs.map((e) => (metric === 'loss' ? e.valLoss : e.valAccuracy)) },
  ]);
  return { ...joined, epochs: shownEpochs.length };
}

/**
 * The learning-rate chart: x = step, one series. Per batch; from the epochs when there are no
 * batch points (a run read back without them).
 */
export function learningRateChartData(
  batches: readonly BatchPoint[],
  epochs: readonly EpochPoint[],
  maxPoints: number = MAX_CHART_POINTS,
): MetricChartData {
  const source: readonly (BatchPoint | EpochPoint)[] = batches.length > 0 ? batches : epochs;
  const kept = thin(source, maxPoints);
  const joined = join([{ x: kept.map((p) => p.step), y: kept.map((p) => p.learningRate) }]);
  return { ...joined, epochs: thin(epochs, maxPoints).length };
}

export type CompareMetric = 'loss' | 'accuracy' | 'valLoss' | 'valAccuracy';

export interface CompareRun {
  runId: string;
  name: string;
  batches: readonly BatchPoint[];
  epochs: readonly EpochPoint[];
}

/** One run's line for the compare chart, before joining. */
export function compareSeries(
  run: CompareRun,
  metric: CompareMetric,
  smoothing: number,
  maxPoints: number = MAX_CHART_POINTS,
): XY {
  if ((metric === 'loss' || metric === 'accuracy') && run.batches.length > 0) {
    const smoothed = emaSmoothBy(run.batches, (b) => b[metric], smoothing);
    const keep = thinIndices(run.batches.length, maxPoints);
    return { x: keep.map((i) => run.batches[i]!.step), y: keep.map((i) => smoothed[i]!) };
  }
  const epochs = thin(run.epochs, maxPoints);
  return { x: epochs.map((e) => e.step), y: epochs.map((e) => e[metric]) };
}

/**
 * The compare chart: x = the union of every run's steps, then one series per run in the
 * order given (undefined where a run has no point at that x).
 */
export function compareChartData(
  runs: readonly CompareRun[],
  metric: CompareMetric,
  smoothing: number,
  maxPoints: number = MAX_CHART_POINTS,
): ChartData {
  return join(runs.map((r) => compareSeries(r, metric, smoothing, maxPoints)));
}

/** The last finite value of a series, or null. */
export function lastValue(values: ArrayLike<number | null | undefined>): number | null {
  for (let i = values.length - 1; i >= 0; i--) {
    const v = values[i];
    if (isFiniteNumber(v)) return v;
  }
  return null;
}
