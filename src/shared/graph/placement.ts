// Where a new node may go without covering another: a dropped or added layer never lands on top
// of an existing node. Pure: sizes come from the caller (the canvas measures its nodes).
import type { GraphNode, Position } from './types.ts';

export interface Size {
  width: number;
  height: number;
}

/** Space kept between a placed node and its neighbours. */
export const PLACEMENT_GAP = 20;

/** True when a `size` node at `p` would come closer than the gap to a node of `nodes`. */
export function coversNode(
  nodes: readonly GraphNode[],
  p: Position,
  size: Size,
  sizeOf: (id: string) => Size,
  gap = PLACEMENT_GAP,
): boolean {
  return nodes.some((n) => {
    const s = sizeOf(n.id);
    return (
      p.x < n.position.x + s.width + gap &&
      n.position.x < p.x + size.width + gap &&
      p.y < n.position.y + s.height + gap &&
      n.position.y < p.y + size.height + gap
    );
  });
}

/**
 * The free spot for a `size` node nearest to `p`: `p` itself when nothing is there, else the
 * closest point of a grid around it (steps of half a node) that covers no node. `direction`
 * 'right' only looks to the right of `p`, along its row (a layer added beside a branch).
 */
export function freeSpot(
  nodes: readonly GraphNode[],
  p: Position,
  size: Size,
  sizeOf: (id: string) => Size,
  direction: 'nearest' | 'right' = 'nearest',
): Position {
  if (!coversNode(nodes, p, size, sizeOf)) return p;
  const stepX = Math.round(size.width / 2);
  const stepY = Math.round(size.height / 2);
  const candidates: Position[] = [];
  const reach = 40;
  for (let i = direction === 'right' ? 1 : -reach; i <= reach; i++)
    for (let j = direction === 'right' ? 0 : -reach; j <= (direction === 'right' ? 0 : reach); j++)
      if (i !== 0 || j !== 0) candidates.push({ x: p.x + i * stepX, y: p.y + j * stepY });
  candidates.sort((a, b) => Math.hypot(a.x - p.x, a.y - p.y) - Math.hypot(b.x - p.x, b.y - p.y));
  return candidates.find((c) => !coversNode(nodes, c, size, sizeOf)) ?? p;
}
