// Where a block's layers go when it is expanded, and how the graph around it makes room: the
// fragment is laid out in layers (longest path from the block's input) at the block's place,
// what follows the block moves along the layout's direction by the extra length, and nodes on
// either side move aside by the extra width. Collapsing applies the same moves backwards, so an
// untouched graph gets its old positions back. Pure; sizes come from the caller.
import { BLOCK_INPUT, type Fragment } from '../blocks/fragment.ts';
import { outgoingEdges } from './topology.ts';
import type { GraphDoc, Position } from './types.ts';
import type { Size } from './placement.ts';

/** Spacing between a fragment's layers, and between layers side by side. */
export const FRAGMENT_GAP = { along: 50, across: 40 } as const;

export type Direction = 'down' | 'right';

/** What expanding moved, kept on the block's layers so that collapsing can move it back. */
export interface Room {
  direction: Direction;
  /** How far what follows the block moved along the direction. */
  along: number;
  /** How far nodes beside the fragment moved away from it, on each side. */
  before: number;
  after: number;
  /** The fragment's length along the direction (from the block's own position). */
  span: number;
}

// Everything below is written for 'down' (along = y, across = x); 'right' swaps the axes.
const flip = (p: Position): Position => ({ x: p.y, y: p.x });
const flipSize = (s: Size): Size => ({ width: s.height, height: s.width });

/** The fragment's part positions relative to its top-left corner, and its size ('down' frame). */
export function layoutFragment(f: Fragment, part: Size): { at: Map<string, Position>; size: Size } {
  const layer = new Map<string, number>([[BLOCK_INPUT, -1]]);
  for (const n of f.nodes) layer.set(n.id, 1 + Math.max(...n.inputs.map((i) => layer.get(i)!)));
  const rows: string[][] = [];
  for (const n of f.nodes) (rows[layer.get(n.id)!] ??= []).push(n.id);
  const rowWidth = (r: string[]) => r.length * part.width + (r.length - 1) * FRAGMENT_GAP.across;
  const width = Math.max(...rows.map(rowWidth));
  const at = new Map<string, Position>();
  rows.forEach((r, i) => {
    const x0 = (width - rowWidth(r)) / 2;
    r.forEach((id, j) =>
      at.set(id, {
        x: Math.round(x0 + j * (part.width + FRAGMENT_GAP.across)),
        y: i * (part.height + FRAGMENT_GAP.along),
      }),
    );
  });
  return {
    at,
    size: { width, height: rows.length * part.height + (rows.length - 1) * FRAGMENT_GAP.along },
  };
}

/** Node ids reachable from `id` (not itself). */
function following(doc: GraphDoc, id: string): Set<string> {
  const out = outgoingEdges(doc);
  const seen = new Set<string>();
  const stack = [id];
  while (stack.length) {
    for (const e of out.get(stack.pop()!) ?? [])
      if (!seen.has(e.target)) {
        seen.add(e.target);
        stack.push(e.target);
      }
  }
  return seen;
}

interface Frame {
  /** Position and size of a node in the 'down' frame. */
  pos: (p: Position) => Position;
  size: (s: Size) => Size;
}

const frameOf = (d: Direction): Frame =>
  d === 'down' ? { pos: (p) => p, size: (s) => s } : { pos: flip, size: flipSize };

/**
 * Moves the nodes of `doc` other than `skip` to make (sign 1) or give back (sign -1) `room` for a
 * fragment at `origin`, the block being `block` (in `doc`, whose successors are what follows).
 * Nodes wholly on one side of the block (another column, a parallel branch) move aside by the
 * fragment's extra width on that side; what follows the block in its own column moves on by its
 * extra length. Collapsing tells the sides apart by the fragment's edges, which the moved nodes
 * clear exactly, so the moves are undone exactly.
 */
export function shiftAround(
  doc: GraphDoc,
  block: string,
  skip: ReadonlySet<string>,
  origin: Position,
  blockSize: Size,
  room: Room,
  sizeOf: (id: string) => Size,
  sign: 1 | -1,
): GraphDoc {
  const f = frameOf(room.direction);
  const o = f.pos(origin);
  const b = f.size(blockSize);
  // The band the block (expanding) or the fragment (collapsing) spans across the direction.
  const start = sign === 1 ? o.x : o.x - room.before;
  const end = sign === 1 ? o.x + b.width : o.x + b.width + room.after;
  const after = following(doc, block);
  const moved = new Map<string, Position>();
  for (const n of doc.nodes) {
    if (skip.has(n.id)) continue;
    const p = f.pos(n.position);
    const width = f.size(sizeOf(n.id)).width;
    let q = p;
    if (p.x + width <= start) q = { x: p.x - sign * room.before, y: p.y };
    else if (p.x >= end) q = { x: p.x + sign * room.after, y: p.y };
    else if (after.has(n.id)) q = { x: p.x, y: p.y + sign * room.along };
    if (q !== p) moved.set(n.id, f.pos(q));
  }
  if (moved.size === 0) return doc;
  return {
    ...doc,
    nodes: doc.nodes.map((n) => {
      const p = moved.get(n.id);
      return p ? { ...n, position: p } : n;
    }),
  };
}

/**
 * Where the parts of a block at `origin` (of `blockSize`) go, and the room they need: the
 * fragment's first layer at the block's place, centred on it across the direction.
 */
export function placeFragment(
  f: Fragment,
  origin: Position,
  blockSize: Size,
  part: Size,
  direction: Direction,
): { at: Map<string, Position>; room: Room } {
  const fr = frameOf(direction);
  const { at, size } = layoutFragment(f, fr.size(part));
  const o = fr.pos(origin);
  const b = fr.size(blockSize);
  const left = Math.round(o.x + b.width / 2 - size.width / 2);
  const placed = new Map<string, Position>();
  for (const [id, p] of at) placed.set(id, fr.pos({ x: left + p.x, y: o.y + p.y }));
  const extra = Math.max(0, Math.round((size.width - b.width) / 2));
  return {
    at: placed,
    room: {
      direction,
      along: Math.max(0, size.height - b.height),
      before: extra,
      after: extra,
      span: size.height,
    },
  };
}
