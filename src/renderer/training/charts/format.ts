// Number formats and colour helpers for the charts' axes and legends. Pure, unit-tested.

const DASH = '–';

/** A loss: 4 significant digits, exponent form when very small or very large. */
export function formatLoss(v: number | null | undefined): string {
  if (v == null || !Number.isFinite(v)) return DASH;
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a < 1e-3 || a >= 1e5) return v.toExponential(2);
  return String(Number(v.toPrecision(4)));
}

/** An accuracy in [0, 1] as a percentage with one decimal. */
export function formatPercent(v: number | null | undefined): string {
  if (v == null || !Number.isFinite(v)) return DASH;
  return `${(v * 100).toFixed(1)}%`;
}

/** A learning rate: exponent form below 0.01 (1.0e-3), else up to 3 significant digits. */
export function formatRate(v: number | null | undefined): string {
  if (v == null || !Number.isFinite(v)) return DASH;
  if (v === 0) return '0';
  if (Math.abs(v) < 0.01) return v.toExponential(1);
  return String(Number(v.toPrecision(3)));
}

/** A training step as a whole number. */
export function formatStep(v: number | null | undefined): string {
  if (v == null || !Number.isFinite(v)) return DASH;
  return String(Math.round(v));
}

/**
 * Percentage tick labels for an accuracy axis whose ticks are `incr` apart (as a fraction):
 * just enough decimals that neighbouring ticks differ (0.1 -> 0 decimals, 0.005 -> 1).
 */
export function percentTicks(splits: readonly number[], incr: number): string[] {
  const step = Math.abs(incr * 100);
  const decimals =
    Number.isFinite(step) && step > 0 ? Math.min(4, Math.max(0, Math.ceil(-Math.log10(step)))) : 0;
  return splits.map((v) => `${(v * 100).toFixed(decimals)}%`);
}

/** Axis labels for a learning rate (see formatRate). */
export function rateTicks(splits: readonly number[]): string[] {
  return splits.map((v) => formatRate(v));
}

/**
 * A colour with an alpha, for canvas drawing: #rgb, #rrggbb and rgb()/rgba() become rgba();
 * anything else (a named colour, hsl()...) is returned as is.
 */
export function withAlpha(color: string, alpha: number): string {
  const c = color.trim();
  const a = Math.min(1, Math.max(0, alpha));
  let m = /^#([0-9a-f])([0-9a-f])([0-9a-f])$/i.exec(c);
  if (m) {
    const [r, g, b] = [m[1]!, m[2]!, m[3]!].map((h) => parseInt(h + h, 16));
    return `rgba(${r}, ${g}, ${b}, ${a})`;
  }
  m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(c);
  if (m) {
    const [r, g, b] = [m[1]!, m[2]!, m[3]!].map((h) => parseInt(h, 16));
    return `rgba(${r}, ${g}, ${b}, ${a})`;
  }
  m = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)/i.exec(c);
  if (m) return `rgba(${m[1]}, ${m[2]}, ${m[3]}, ${a})`;
  return c;
}

/**
 * Line colours that read on both the light and the dark theme (mid-tone, saturated), for
 * series that aren't tied to a theme variable and for the runs of the compare chart.
 */
export const PALETTE = [
  '#3b82f6', // blue
  '#f59e0b', // amber
  '#10b981', // emerald
  '#ef4444', // red
  '#8b5cf6', // violet
  '#06b6d4', // cyan
  '#ec4899', // pink
  '#84cc16', // lime
  '#f97316', // orange
  '#64748b', // slate
] as const;

/** The i-th run's colour, cycling through PALETTE. */
export function paletteColor(i: number): string {
  const n = PALETTE.length;
  return PALETTE[((Math.floor(i) % n) + n) % n]!;
}
