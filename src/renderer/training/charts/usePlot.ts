// One uPlot instance bound to a wrapper element: created once (again only when `recreateKey`
// changes or the theme flips), sized to the wrapper's width with a ResizeObserver, destroyed on
// unmount. New data goes in with redraw(), which the caller throttles (throttle.ts).
import { useCallback, useEffect, useLayoutEffect, useRef, useState, type RefObject } from 'react';
import uPlot from 'uplot';
import { withAlpha } from './format.ts';

/** The app's theme variables (src/renderer/styles.css), read from the chart's wrapper. */
export interface ThemeColors {
  fg: string;
  muted: string;
  border: string;
  accent: string;
  panel: string;
  error: string;
  /** Grid lines: the border colour, faded. */
  grid: string;
}

function cssVar(style: CSSStyleDeclaration, name: string, fallback: string): string {
  return style.getPropertyValue(name).trim() || fallback;
}

export function readTheme(el: Element): ThemeColors {
  const s = getComputedStyle(el);
  const border = cssVar(s, '--border', '#8884');
  return {
    fg: cssVar(s, '--fg', '#888'),
    muted: cssVar(s, '--muted', '#888'),
    border,
    accent: cssVar(s, '--accent', '#3b82f6'),
    panel: cssVar(s, '--panel', 'transparent'),
    error: cssVar(s, '--error', '#ef4444'),
    grid: withAlpha(border, 0.7),
  };
}

/** What one redraw puts on the chart. */
export interface PlotFrame {
  data: uPlot.AlignedData;
  /** data-* attributes for the wrapper, e.g. { points: 120 } -> data-points="120". */
  attrs: Record<string, string | number>;
  /** Series indices (1-based like uPlot's) whose legend entries to hide, e.g. an empty series. */
  hideInLegend?: readonly number[];
}

export type PlotOptions = Omit<uPlot.Options, 'width' | 'height'>;

export interface UsePlotArgs {
  /** Built at creation with the current theme. */
  makeOptions: (theme: ThemeColors) => PlotOptions;
  /** The data to draw now; called at creation and on every redraw. */
  getFrame: () => PlotFrame;
  /** Height of the plotting area and axes, in CSS pixels (the legend comes on top of it). */
  height: number;
  /** The chart is built anew when this changes (e.g. the set of series). */
  recreateKey?: string;
}

const MIN_WIDTH = 120;

/** The x range the user zoomed to (null: the whole run), and whether we are setting data. */
interface ZoomState {
  range: { min: number; max: number } | null;
  applying: boolean;
}

/** Applies a frame, keeping the user's x zoom (drag to zoom, double-click to reset). */
function apply(u: uPlot, wrapper: HTMLElement, frame: PlotFrame, zoom: ZoomState) {
  // A frame for other series (the chart is about to be re-created for them): skip it.
  if (frame.data.length !== u.series.length) return;
  const prevLen = u.data[0]?.length ?? 0;
  const nextLen = frame.data[0]?.length ?? 0;
  if (nextLen < prevLen) zoom.range = null; // a new run: start from the whole range
  zoom.applying = true;
  try {
    u.batch(() => {
      u.setData(frame.data);
      if (zoom.range) u.setScale('x', zoom.range);
    });
  } finally {
    zoom.applying = false;
  }
  for (const [k, v] of Object.entries(frame.attrs)) wrapper.setAttribute(`data-${k}`, String(v));
  const rows = u.root.querySelectorAll<HTMLElement>('.u-legend .u-series');
  const hidden = new Set(frame.hideInLegend ?? []);
  rows.forEach((row, i) => {
    const display = hidden.has(i) ? 'none' : '';
    if (row.style.display !== display) row.style.display = display;
  });
}

/**
 * Binds a uPlot chart to `wrapperRef`'s element. Returns a stable redraw() that pulls a new
 * frame from getFrame() and draws it with setData (never re-creating the chart).
 */
export function usePlot(
  wrapperRef: RefObject<HTMLElement | null>,
  { makeOptions, getFrame, height, recreateKey = '' }: UsePlotArgs,
): () => void {
  const plotRef = useRef<uPlot | null>(null);
  const fns = useRef({ makeOptions, getFrame });
  const zoom = useRef<ZoomState>({ range: null, applying: false });
  const [themeVersion, setThemeVersion] = useState(0);

  useLayoutEffect(() => {
    fns.current = { makeOptions, getFrame };
  });

  // Re-create on a theme change: the colours are read once, at creation.
  useEffect(() => {
    const themed = wrapperRef.current?.closest('[data-theme]');
    if (!themed) return;
    const observer = new MutationObserver(() => setThemeVersion((v) => v + 1));
    observer.observe(themed, { attributes: true, attributeFilter: ['data-theme'] });
    return () => observer.disconnect();
  }, [wrapperRef]);

  useEffect(() => {
    const wrapper = wrapperRef.current;
    if (!wrapper) return;
    const z = zoom.current;
    const base = fns.current.makeOptions(readTheme(wrapper));
    const onScale = (u: uPlot, key: string) => {
      if (key !== 'x' || z.applying) return;
      const xs = u.data[0];
      const { min, max } = u.scales.x ?? {};
      if (min == null || max == null || !xs || xs.length === 0) {
        z.range = null;
        return;
      }
      const whole = min <= xs[0]! && max >= xs[xs.length - 1]!;
      z.range = whole ? null : { min, max };
    };
    const opts: uPlot.Options = {
      ...base,
      width: Math.max(MIN_WIDTH, Math.floor(wrapper.clientWidth)),
      height,
      hooks: { ...base.hooks, setScale: [...(base.hooks?.setScale ?? []), onScale] },
    };
    const frame = fns.current.getFrame();
    const u = new uPlot(opts, frame.data, wrapper);
    plotRef.current = u;
    apply(u, wrapper, frame, z);

    const observer = new ResizeObserver((entries) => {
      const width = Math.floor(entries[entries.length - 1]?.contentRect.width ?? 0);
      if (width >= MIN_WIDTH && width !== u.width) u.setSize({ width, height });
    });
    observer.observe(wrapper);

    return () => {
      observer.disconnect();
      plotRef.current = null;
      u.destroy();
    };
  }, [wrapperRef, height, recreateKey, themeVersion]);

  return useCallback(() => {
    const u = plotRef.current;
    const wrapper = wrapperRef.current;
    if (!u || !wrapper) return;
    apply(u, wrapper, fns.current.getFrame(), zoom.current);
  }, [wrapperRef]);
}
