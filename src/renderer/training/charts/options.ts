// uPlot options shared by the charts: themed axes, a step x axis, legends that show the latest
// values while the pointer is elsewhere.
import type uPlot from 'uplot';
import {
  formatLoss,
  formatPercent,
  formatRate,
  formatStep,
  percentTicks,
  rateTicks,
} from './format.ts';
import { lastValue } from './series.ts';
import type { ThemeColors } from './usePlot.ts';

export type Formatter = (v: number | null | undefined) => string;

/** Width of every y axis, so that stacked charts line their plots up. */
const Y_AXIS_SIZE = 58;
const FONT = '11px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

/** Whole-number tick spacings for the step axis: 1, 2, 5, 10, 20, 50, ... */
const STEP_INCRS = Array.from(
  { length: 30 },
  (_, i) => [1, 2, 5][i % 3]! * 10 ** Math.floor(i / 3),
);

/**
 * A legend value: the value under the cursor, or the series' latest value when the cursor is
 * off the chart.
 */
export function legendValue(format: Formatter): uPlot.Series.Value {
  return (u, raw, seriesIdx, idx) =>
    format(idx == null ? lastValue(u.data[seriesIdx] ?? []) : (raw as number | null));
}

export function stepSeries(): uPlot.Series {
  return { label: 'step', value: legendValue(formatStep) };
}

function axisBase(t: ThemeColors): uPlot.Axis {
  return {
    stroke: t.muted,
    font: FONT,
    labelFont: FONT,
    grid: { stroke: t.grid, width: 1 },
    ticks: { stroke: t.grid, width: 1, size: 4 },
    border: { show: true, stroke: t.border, width: 1 },
  };
}

export function stepAxis(t: ThemeColors): uPlot.Axis {
  return {
    ...axisBase(t),
    incrs: STEP_INCRS,
    values: (_u, splits) => splits.map((v) => formatStep(v)),
    size: 28,
  };
}

export type YKind = 'loss' | 'percent' | 'rate';

export function valueAxis(t: ThemeColors, kind: YKind): uPlot.Axis {
  const values: uPlot.Axis['values'] =
    kind === 'percent'
      ? (_u, splits, _i, _space, incr) => percentTicks(splits, incr)
      : kind === 'rate'
        ? (_u, splits) => rateTicks(splits)
        : (_u, splits) => splits.map((v) => formatLoss(v));
  return { ...axisBase(t), size: Y_AXIS_SIZE, values };
}

export function formatterFor(kind: YKind): Formatter {
  return kind === 'percent' ? formatPercent : kind === 'rate' ? formatRate : formatLoss;
}

/** Accuracy's y range: the data's, padded, never outside [0, 1]. */
export const accuracyRange: uPlot.Scale.Range = (_u, min, max) => {
  if (min == null || max == null || !Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  const pad = Math.max(0.01, (max - min) * 0.08);
  return [Math.max(0, min - pad), Math.min(1, max + pad)];
};

export function baseOptions(t: ThemeColors, title: string, syncKey?: string): uPlot.Options {
  return {
    title,
    width: 0,
    height: 0,
    legend: { show: true, live: true },
    cursor: {
      drag: { x: true, y: false },
      points: { size: 7 },
      ...(syncKey ? { sync: { key: syncKey } } : {}),
    },
    scales: { x: { time: false } },
    axes: [stepAxis(t)],
    series: [stepSeries()],
  };
}

/** Least room per dot, in CSS pixels: denser epoch points are drawn as a plain line. */
const DOT_SPACING = 8;

/** Dots while the series' points in view are few enough to tell apart. */
export const sparseDots: NonNullable<uPlot.Series.Points['show']> = (u, seriesIdx, idx0, idx1) => {
  const ys = u.data[seriesIdx];
  if (!ys) return false;
  const room = u.width / DOT_SPACING;
  let count = 0;
  for (let i = idx0; i <= idx1; i++) {
    if (ys[i] != null && ++count > room) return false;
  }
  return true;
};

/** A line with dots at its points (while they aren't too dense), for per-epoch values. */
export function epochLine(label: string, color: string, format: Formatter): uPlot.Series {
  return {
    label,
    stroke: color,
    width: 1.5,
    points: { show: sparseDots, size: 6, width: 1, stroke: color, fill: color },
    value: legendValue(format),
  };
}
