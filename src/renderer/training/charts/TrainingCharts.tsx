// The dashboard's live charts for one run: loss, accuracy and learning rate over training
// steps, stacked, with a shared hover cursor. Each chart is one uPlot instance made once;
// batch events only lead to setData, at most every DRAW_INTERVAL_MS (throttle.ts).
import { useCallback, useEffect, useId, useLayoutEffect, useRef } from 'react';
import type { BatchPoint, EpochPoint } from '../../../shared/events.ts';
import { PALETTE, withAlpha } from './format.ts';
import {
  accuracyRange,
  baseOptions,
  epochLine,
  formatterFor,
  legendValue,
  valueAxis,
  type YKind,
} from './options.ts';
import {
  MAX_CHART_POINTS,
  learningRateChartData,
  metricChartData,
  type BatchMetric,
} from './series.ts';
import { createDrawScheduler, type DrawScheduler } from './throttle.ts';
import { usePlot, type PlotFrame, type PlotOptions, type ThemeColors } from './usePlot.ts';
import 'uplot/dist/uPlot.min.css';
import './charts.css';

export interface TrainingChartsProps {
  batches: readonly BatchPoint[];
  epochs: readonly EpochPoint[];
  /** TensorBoard-style smoothing weight for the batch lines, 0 (none) to 0.99. */
  smoothing: number;
  /** Most batch points drawn per chart (thinned evenly, first and last kept). */
  maxPoints?: number;
}

interface Input {
  batches: readonly BatchPoint[];
  epochs: readonly EpochPoint[];
  smoothing: number;
  maxPoints: number;
}

const TRAIN_COLOR = PALETTE[1]; // amber
const VAL_COLOR = PALETTE[2]; // emerald
const RATE_COLOR = PALETTE[4]; // violet

const METRIC_HEIGHT = 150;
const RATE_HEIGHT = 100;

function metricOptions(t: ThemeColors, metric: BatchMetric, syncKey: string): PlotOptions {
  const kind: YKind = metric === 'loss' ? 'loss' : 'percent';
  const format = formatterFor(kind);
  const base = baseOptions(t, metric === 'loss' ? 'Loss' : 'Accuracy', syncKey);
  return {
    ...base,
    scales: { ...base.scales, y: metric === 'accuracy' ? { range: accuracyRange } : {} },
    axes: [...base.axes!, valueAxis(t, kind)],
    series: [
      ...base.series,
      {
        label: 'batch',
        stroke: withAlpha(t.accent, 0.3),
        width: 1,
        points: { show: false },
        value: legendValue(format),
      },
      { label: 'smoothed', stroke: t.accent, width: 2, value: legendValue(format) },
      epochLine('epoch', TRAIN_COLOR, format),
      epochLine('validation', VAL_COLOR, format),
    ],
  };
}

function rateOptions(t: ThemeColors, syncKey: string): PlotOptions {
  const base = baseOptions(t, 'Learning rate', syncKey);
  return {
    ...base,
    axes: [...base.axes!, valueAxis(t, 'rate')],
    series: [
      ...base.series,
      {
        label: 'learning rate',
        stroke: RATE_COLOR,
        width: 1.5,
        value: legendValue(formatterFor('rate')),
      },
    ],
  };
}

function metricFrame(input: Input, metric: BatchMetric): PlotFrame {
  const d = metricChartData(input.batches, input.epochs, metric, input.smoothing, input.maxPoints);
  // Legend entries for epoch series with nothing to show (before the first epoch ends, or no
  // validation split) are hidden rather than listed empty.
  const hideInLegend = [3, 4].filter((i) => !d.present[i - 1]);
  return { data: d.data, attrs: { points: d.points, epochs: d.epochs }, hideInLegend };
}

function rateFrame(input: Input): PlotFrame {
  const d = learningRateChartData(input.batches, input.epochs, input.maxPoints);
  return { data: d.data, attrs: { points: d.points, epochs: d.epochs } };
}

export function TrainingCharts({
  batches,
  epochs,
  smoothing,
  maxPoints = MAX_CHART_POINTS,
}: TrainingChartsProps) {
  const syncKey = useId();
  const input = useRef<Input>({ batches, epochs, smoothing, maxPoints });
  const lossRef = useRef<HTMLDivElement>(null);
  const accuracyRef = useRef<HTMLDivElement>(null);
  const rateRef = useRef<HTMLDivElement>(null);

  const redrawLoss = usePlot(lossRef, {
    height: METRIC_HEIGHT,
    makeOptions: useCallback((t: ThemeColors) => metricOptions(t, 'loss', syncKey), [syncKey]),
    getFrame: useCallback(() => metricFrame(input.current, 'loss'), []),
  });
  const redrawAccuracy = usePlot(accuracyRef, {
    height: METRIC_HEIGHT,
    makeOptions: useCallback((t: ThemeColors) => metricOptions(t, 'accuracy', syncKey), [syncKey]),
    getFrame: useCallback(() => metricFrame(input.current, 'accuracy'), []),
  });
  const redrawRate = usePlot(rateRef, {
    height: RATE_HEIGHT,
    makeOptions: useCallback((t: ThemeColors) => rateOptions(t, syncKey), [syncKey]),
    getFrame: useCallback(() => rateFrame(input.current), []),
  });

  const scheduler = useRef<DrawScheduler | null>(null);
  useEffect(() => {
    const s = createDrawScheduler(() => {
      redrawLoss();
      redrawAccuracy();
      redrawRate();
    });
    scheduler.current = s;
    return () => {
      s.cancel();
      scheduler.current = null;
    };
  }, [redrawLoss, redrawAccuracy, redrawRate]);

  // New props only mark the charts stale; the scheduler draws the latest ones.
  useLayoutEffect(() => {
    input.current = { batches, epochs, smoothing, maxPoints };
    scheduler.current?.schedule();
  }, [batches, epochs, smoothing, maxPoints]);

  return (
    <div className="nf-charts">
      <div ref={lossRef} className="nf-chart" data-testid="chart-loss" />
      <div ref={accuracyRef} className="nf-chart" data-testid="chart-accuracy" />
      <div ref={rateRef} className="nf-chart" data-testid="chart-lr" />
    </div>
  );
}
