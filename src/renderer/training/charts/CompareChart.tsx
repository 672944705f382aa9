// Several runs' loss, accuracy or validation metric on one chart, one coloured line per run.
// Runs step differently, so their points are joined on the union of their x values; the gaps
// that leaves are spanned. The chart is re-created only when the runs or the metric change.
import { useEffect, useLayoutEffect, useRef } from 'react';
import type { BatchPoint, EpochPoint } from '../../../shared/events.ts';
import { paletteColor } from './format.ts';
import {
  accuracyRange,
  baseOptions,
  formatterFor,
  legendValue,
  sparseDots,
  valueAxis,
  type YKind,
} from './options.ts';
import { MAX_CHART_POINTS, compareChartData, type CompareMetric } from './series.ts';
import { createDrawScheduler, type DrawScheduler } from './throttle.ts';
import { usePlot, type PlotFrame, type PlotOptions, type ThemeColors } from './usePlot.ts';
import 'uplot/dist/uPlot.min.css';
import './charts.css';

export interface CompareChartRun {
  runId: string;
  name: string;
  batches: BatchPoint[];
  epochs: EpochPoint[];
}

export interface CompareChartProps {
  runs: CompareChartRun[];
  metric: CompareMetric;
  /** Smoothing of the batch lines (loss and accuracy), 0 to 0.99. */
  smoothing: number;
  /** Most points drawn per run (thinned evenly, first and last kept). */
  maxPoints?: number;
}

interface Input {
  runs: CompareChartRun[];
  metric: CompareMetric;
  smoothing: number;
  maxPoints: number;
}

const TITLES: Record<CompareMetric, string> = {
  loss: 'Loss',
  accuracy: 'Accuracy',
  valLoss: 'Validation loss',
  valAccuracy: 'Validation accuracy',
};

const HEIGHT = 200;

type SeriesOptions = NonNullable<PlotOptions['series']>[number];

/** Whether a run's line is made of epoch points (dots help then) rather than batches. */
function byEpoch(run: CompareChartRun, metric: CompareMetric): boolean {
  return metric === 'valLoss' || metric === 'valAccuracy' || run.batches.length === 0;
}

function compareOptions(t: ThemeColors, input: Input): PlotOptions {
  const kind: YKind = input.metric === 'loss' || input.metric === 'valLoss' ? 'loss' : 'percent';
  const format = formatterFor(kind);
  const base = baseOptions(t, TITLES[input.metric]);
  return {
    ...base,
    focus: { alpha: 0.3 },
    cursor: { ...base.cursor, focus: { prox: 16 } },
    scales: { ...base.scales, y: kind === 'percent' ? { range: accuracyRange } : {} },
    axes: [...base.axes!, valueAxis(t, kind)],
    series: [
      ...base.series,
      ...input.runs.map((run, i): SeriesOptions => {
        const color = paletteColor(i);
        return {
          label: run.name,
          stroke: color,
          width: 1.5,
          spanGaps: true,
          value: legendValue(format),
          ...(byEpoch(run, input.metric)
            ? { points: { show: sparseDots, size: 5, width: 1, stroke: color, fill: color } }
            : {}),
        };
      }),
    ],
  };
}

function compareFrame(input: Input): PlotFrame {
  const d = compareChartData(input.runs, input.metric, input.smoothing, input.maxPoints);
  return { data: d.data, attrs: { points: d.points, series: input.runs.length } };
}

export function CompareChart({
  runs,
  metric,
  smoothing,
  maxPoints = MAX_CHART_POINTS,
}: CompareChartProps) {
  const input = useRef<Input>({ runs, metric, smoothing, maxPoints });
  const ref = useRef<HTMLDivElement>(null);
  // The series (names, colours, dots) are fixed at creation: a new chart when they change.
  const recreateKey = JSON.stringify([
    metric,
    runs.map((r) => [r.runId, r.name, byEpoch(r, metric)]),
  ]);

  const redraw = usePlot(ref, {
    height: HEIGHT,
    recreateKey,
    makeOptions: (t) => compareOptions(t, input.current),
    getFrame: () => compareFrame(input.current),
  });

  const scheduler = useRef<DrawScheduler | null>(null);
  useEffect(() => {
    const s = createDrawScheduler(redraw);
    scheduler.current = s;
    return () => {
      s.cancel();
      scheduler.current = null;
    };
  }, [redraw]);

  useLayoutEffect(() => {
    input.current = { runs, metric, smoothing, maxPoints };
    scheduler.current?.schedule();
  }, [runs, metric, smoothing, maxPoints]);

  return (
    <div className="nf-charts">
      <div ref={ref} className="nf-chart" data-testid="chart-compare" />
    </div>
  );
}
