// A long top-to-bottom layout wrapped into side-by-side columns, so a deep network fills a wide
// canvas instead of a thin strip: the layout is cut between its rows (never through a node) and
// the pieces are set side by side, as many as make the whole fit the canvas at the largest zoom.
import type { Position } from './types.ts';
import type { Size } from './placement.ts';

/** Space between columns. */
export const COLUMN_GAP = 120;

interface Band {
  top: number;
  bottom: number;
  ids: string[];
}

/** The layout's rows: runs of nodes whose vertical extents overlap (no cut can pass through). */
function bands(positions: ReadonlyMap<string, Position>, sizeOf: (id: string) => Size): Band[] {
  const spans = [...positions].map(([id, p]) => ({
    id,
    top: p.y,
    bottom: p.y + sizeOf(id).height,
  }));
  spans.sort((a, b) => a.top - b.top);
  const out: Band[] = [];
  for (const s of spans) {
    const last = out.at(-1);
    if (last && s.top < last.bottom) {
      last.bottom = Math.max(last.bottom, s.bottom);
      last.ids.push(s.id);
    } else out.push({ top: s.top, bottom: s.bottom, ids: [s.id] });
  }
  return out;
}

/** Splits `bands` into `k` runs of consecutive bands of about equal height. */
function split(rows: Band[], k: number): Band[][] {
  const total = rows.at(-1)!.bottom - rows[0]!.top;
  const columns: Band[][] = [[]];
  const origin = rows[0]!.top;
  for (const row of rows) {
    const current = columns.at(-1)!;
    // Start the next column once this row's middle falls past the current column's share.
    const share = (columns.length * total) / k;
    if (current.length > 0 && columns.length < k && (row.top + row.bottom) / 2 - origin > share)
      columns.push([row]);
    else current.push(row);
  }
  return columns;
}

/**
 * `positions` (a top-to-bottom layout) wrapped into the number of columns that lets the whole
 * graph fit `canvas` at the largest zoom (up to `maxZoom`); unchanged when one column is best.
 * Each column keeps its rows' horizontal placement.
 */
export function wrapIntoColumns(
  positions: ReadonlyMap<string, Position>,
  sizeOf: (id: string) => Size,
  canvas: Size,
  maxZoom = 1,
  maxColumns = 24,
): Map<string, Position> {
  const rows = bands(positions, sizeOf);
  if (rows.length < 2 || !(canvas.width > 0 && canvas.height > 0)) return new Map(positions);
  let left = Infinity;
  let right = -Infinity;
  for (const [id, p] of positions) {
    left = Math.min(left, p.x);
    right = Math.max(right, p.x + sizeOf(id).width);
  }
  const width = right - left;
  let best = { k: 1, columns: [rows], score: -Infinity };
  for (let k = 1; k <= Math.min(maxColumns, rows.length); k++) {
    const columns = split(rows, k);
    const tallest = Math.max(...columns.map((c) => c.at(-1)!.bottom - c[0]!.top));
    const wide = columns.length * width + (columns.length - 1) * COLUMN_GAP;
    // The zoom at which it fits the canvas.
    const score = Math.min(canvas.width / wide, canvas.height / tallest, maxZoom);
    // Fewer columns when they fit as well: wrapping costs long connections between columns.
    if (score > best.score * 1.02) best = { k, columns, score };
  }
  const out = new Map<string, Position>();
  best.columns.forEach((column, i) => {
    const dy = column[0]!.top - rows[0]!.top;
    const dx = i * (width + COLUMN_GAP);
    for (const row of column)
      for (const id of row.ids) {
        const p = positions.get(id)!;
        out.set(id, { x: p.x + dx, y: p.y - dy });
      }
  });
  return out;
}
