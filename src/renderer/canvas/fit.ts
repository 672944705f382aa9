// Fitting the graph into view without making it unreadable. Nodes are drawn in full from
// FULL_ZOOM up and as compact cards below it (LayerNode.tsx); fit never zooms out past
// LEGIBLE_ZOOM, where a compact card's name is still about 9 px on screen. A graph too big to fit
// at that zoom is shown from its start (its top, or its left side when laid out left to right),
// and the minimap moves the view over the rest.
import type { Position } from '../../shared/graph/types.ts';
import type { Size } from '../../shared/graph/placement.ts';

/** Nodes are drawn in full at this zoom and above: their 12 px text is 9 px on screen. */
export const FULL_ZOOM = 0.75;
/** Fit zooms out no further: compact cards' 18 px names are 9 px on screen. */
export const LEGIBLE_ZOOM = 0.5;
/** Fit enlarges a small graph no further than its real size. */
export const FIT_MAX_ZOOM = 1;

/** The minimap's size on the canvas, and the corner fit keeps clear of it (with its margin). */
export const MINIMAP_SIZE: Size = { width: 140, height: 90 };
export const MINIMAP_CORNER: Size = { width: 140 + 20, height: 90 + 20 };

/** The zoom buttons' column at the canvas's left edge (React Flow's Controls, with margin). */
const CONTROLS_WIDTH = 36;

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Viewport {
  x: number;
  y: number;
  zoom: number;
}

/** The box around every node. */
export function boundsOf(
  nodes: readonly { id: string; position: Position }[],
  sizeOf: (id: string) => Size,
): Rect | null {
  if (nodes.length === 0) return null;
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const n of nodes) {
    const s = sizeOf(n.id);
    x0 = Math.min(x0, n.position.x);
    y0 = Math.min(y0, n.position.y);
    x1 = Math.max(x1, n.position.x + s.width);
    y1 = Math.max(y1, n.position.y + s.height);
  }
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/**
 * The viewport that shows `bounds` in `canvas` as large as fits, between LEGIBLE_ZOOM and
 * FIT_MAX_ZOOM, centred; when it cannot fit at LEGIBLE_ZOOM, its top-left part (centred along an
 * axis that does fit). `corner`, a panel over the canvas's bottom-right corner (the minimap),
 * is kept clear by giving up either that much width or that much height, whichever costs less.
 */
export function legibleViewport(
  bounds: Rect,
  canvas: Size,
  padding = 24,
  corner: Size | null = null,
): Viewport {
  if (corner) {
    const narrower = legibleViewport(
      bounds,
      { width: canvas.width - corner.width, height: canvas.height },
      padding,
    );
    const shorter = legibleViewport(
      bounds,
      { width: canvas.width, height: canvas.height - corner.height },
      padding,
    );
    return narrower.zoom >= shorter.zoom ? narrower : shorter;
  }
  // The zoom buttons sit over the left edge: keep their width clear there.
  const left = padding + CONTROLS_WIDTH;
  const room = { width: canvas.width - padding - left, height: canvas.height - 2 * padding };
  const fit = Math.min(room.width / bounds.width, room.height / bounds.height, FIT_MAX_ZOOM);
  const zoom = Math.max(fit, LEGIBLE_ZOOM);
  const along = (start: number, extent: number, space: number, before: number): number =>
    extent * zoom <= space
      ? before + (space - extent * zoom) / 2 - start * zoom
      : before - start * zoom;
  return {
    x: along(bounds.x, bounds.width, room.width, left),
    y: along(bounds.y, bounds.height, room.height, padding),
    zoom,
  };
}
