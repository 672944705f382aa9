// The reworked frame's logic without a browser: remembered panel sizes and data folder, where a
// new layer lands, how long chains wrap into columns, and how fit keeps text legible.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freeSpot, coversNode } from '../../src/shared/graph/placement.ts';
import type { GraphNode } from '../../src/shared/graph/types.ts';
import { wrapIntoColumns } from '../../src/shared/graph/wrap-columns.ts';
import {
  boundsOf,
  FIT_MAX_ZOOM,
  legibleViewport,
  LEGIBLE_ZOOM,
} from '../../src/renderer/canvas/fit.ts';
import { DEFAULT_PANELS, PANEL_LIMITS } from '../../src/renderer/store/panels-slice.ts';
import { createStore } from '../../src/renderer/store/store.ts';

const SIZE = { width: 220, height: 90 };
const sizeOf = () => SIZE;
const at = (id: string, x: number, y: number): GraphNode => ({
  id,
  kind: 'dense',
  name: id,
  params: {},
  position: { x, y },
});

/** A localStorage for the store under Node: what one session writes, the next one reads. */
class MemoryStorage {
  data = new Map<string, string>();
  getItem(k: string) {
    return this.data.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.data.set(k, v);
  }
}
const g = globalThis as unknown as { localStorage?: MemoryStorage };

describe('settings kept across sessions', () => {
  beforeEach(() => {
    g.localStorage = new MemoryStorage();
  });
  afterEach(() => {
    delete g.localStorage;
  });

  it('remembers panel sizes, folded panels and the minimap, within their limits', () => {
    const first = createStore();
    expect(first.getState().panels).toEqual(DEFAULT_PANELS);
    first.getState().resizePanel('rightWidth', 400);
    first.getState().resizePanel('bottomHeight', 5); // too small: the smallest allowed
    first.getState().setPanels({ bottomOpen: false, minimap: false, layoutMode: 'right' });
    const next = createStore().getState().panels;
    expect(next.rightWidth).toBe(400);
    expect(next.bottomHeight).toBe(PANEL_LIMITS.bottomHeight[0]);
    expect(next).toMatchObject({ bottomOpen: false, minimap: false, layoutMode: 'right' });
  });

  it('drops remembered values that are not what they should be', () => {
    g.localStorage!.setItem(
      'netforge.panels',
      JSON.stringify({ rightWidth: 'wide', paletteWidth: 99999, layoutMode: 'spiral' }),
    );
    const p = createStore().getState().panels;
    expect(p.rightWidth).toBe(DEFAULT_PANELS.rightWidth);
    expect(p.paletteWidth).toBe(PANEL_LIMITS.paletteWidth[1]);
    expect(p.layoutMode).toBe(DEFAULT_PANELS.layoutMode);
  });

  it('keeps the data folder across sessions and projects, but it is not unsaved work', () => {
    const first = createStore();
    first.getState().setForm({ dataDir: '/data/mnist' });
    expect(first.getState().dirty).toBe(false);
    const next = createStore();
    expect(next.getState().form.dataDir).toBe('/data/mnist');
    next.getState().openProject(next.getState().currentProject(), 'other');
    expect(next.getState().form.dataDir).toBe('/data/mnist');
  });
});

describe('where a new layer goes', () => {
  const nodes = [at('a', 0, 0), at('b', 0, 130), at('c', 260, 130)];

  it('stays where it is dropped when nothing is there', () => {
    expect(freeSpot(nodes, { x: 600, y: 0 }, SIZE, sizeOf)).toEqual({ x: 600, y: 0 });
  });

  it('never lands on a node: the nearest free spot', () => {
    for (const p of [
      { x: 0, y: 0 },
      { x: 30, y: 140 },
      { x: 250, y: 120 },
    ]) {
      const spot = freeSpot(nodes, p, SIZE, sizeOf);
      expect(coversNode(nodes, spot, SIZE, sizeOf)).toBe(false);
      expect(Math.hypot(spot.x - p.x, spot.y - p.y)).toBeLessThan(400);
    }
  });

  it('beside a branch, along the row, when asked to go right', () => {
    const spot = freeSpot(nodes, { x: 0, y: 130 }, SIZE, sizeOf, 'right');
    expect(spot.y).toBe(130);
    expect(spot.x).toBeGreaterThanOrEqual(260 + 220);
  });
});

describe('wrapping a long chain into columns', () => {
  const chain = new Map(Array.from({ length: 30 }, (_, i) => [`n${i}`, { x: 0, y: i * 140 }]));

  it('uses the width of a wide canvas, keeping each column in chain order', () => {
    const wrapped = wrapIntoColumns(chain, sizeOf, { width: 1600, height: 900 });
    const xs = [...new Set([...wrapped.values()].map((p) => p.x))];
    expect(xs.length).toBeGreaterThan(2);
    // Down each column, then on to the next one: the chain order is kept.
    const order = [...wrapped].sort(([, a], [, b]) => a.x - b.x || a.y - b.y).map(([id]) => id);
    expect(order).toEqual([...chain.keys()]);
    const height = Math.max(...[...wrapped.values()].map((p) => p.y)) + 90;
    expect(height).toBeLessThan(30 * 140);
  });

  it('leaves a chain that fits in one column alone', () => {
    const short = new Map([...chain].slice(0, 4));
    expect(wrapIntoColumns(short, sizeOf, { width: 1600, height: 900 })).toEqual(short);
  });

  it('never cuts through a row of side-by-side nodes', () => {
    const branched = new Map(chain);
    for (let i = 0; i < 30; i += 3) branched.set(`b${i}`, { x: 260, y: i * 140 + 20 });
    const wrapped = wrapIntoColumns(branched, sizeOf, { width: 1600, height: 900 });
    for (let i = 0; i < 30; i += 3) {
      const a = wrapped.get(`n${i}`)!;
      const b = wrapped.get(`b${i}`)!;
      expect(b.x - a.x).toBe(260);
      expect(b.y - a.y).toBe(20);
    }
  });
});

describe('fit keeps text legible', () => {
  const canvas = { width: 800, height: 500 };

  it('fits a small graph whole, no larger than its real size, centred', () => {
    const v = legibleViewport({ x: 0, y: 0, width: 220, height: 300 }, canvas);
    expect(v.zoom).toBe(FIT_MAX_ZOOM);
    expect(v.y).toBeCloseTo(100);
  });

  it('zooms out as far as it must, but not past the legible zoom, then shows the start', () => {
    const mid = legibleViewport({ x: 0, y: 0, width: 1000, height: 600 }, canvas);
    expect(mid.zoom).toBeGreaterThan(LEGIBLE_ZOOM);
    expect(mid.zoom).toBeLessThan(1);
    const huge = legibleViewport({ x: 100, y: 200, width: 500, height: 60_000 }, canvas);
    expect(huge.zoom).toBe(LEGIBLE_ZOOM);
    // The top of the graph at the top of the canvas (with its padding).
    expect(huge.y + 200 * huge.zoom).toBe(24);
  });

  it('keeps a panel in a corner (the minimap) clear, giving up the cheaper side', () => {
    const bounds = { x: 0, y: 0, width: 300, height: 1200 };
    const v = legibleViewport(bounds, canvas, 24, { width: 160, height: 110 });
    const plain = legibleViewport(bounds, canvas, 24);
    // A tall graph loses width rather than height: the zoom stays.
    expect(v.zoom).toBe(plain.zoom);
    expect(v.x + 300 * v.zoom).toBeLessThanOrEqual(800 - 160);
  });

  it('measures every node, drawn or not', () => {
    const b = boundsOf([at('a', -10, 5), at('b', 300, 400)], sizeOf);
    expect(b).toEqual({ x: -10, y: 5, width: 530, height: 485 });
  });
});
