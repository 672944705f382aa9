// Layered layout of the graph with ELK (the Sugiyama-style layered algorithm suits feed-forward
// networks: every connection points one way), top to bottom, left to right, or top to bottom
// wrapped into columns that fill the canvas's width (shared/graph/wrap-columns.ts).
// Pure apart from ELK's own state: takes a document, returns a new one.
import type { ELK } from 'elkjs/lib/elk-api.js';
import type { GraphDoc, Position } from '../../shared/graph/types.ts';
import { wrapIntoColumns } from '../../shared/graph/wrap-columns.ts';

/** Top to bottom, top to bottom wrapped into columns that fill the canvas's width, or left to right. */
export type LayoutMode = 'down' | 'columns' | 'right';
export const LAYOUT_MODES: readonly LayoutMode[] = ['down', 'columns', 'right'];

export interface NodeSize {
  width: number;
  height: number;
}

export const DEFAULT_NODE_SIZE: NodeSize = { width: 220, height: 90 };

export interface LayoutOptions {
  mode?: LayoutMode;
  /** The canvas the columns should fill (columns mode); a 16:10 window when unknown. */
  canvas?: NodeSize;
}

const layoutOptions = (direction: 'DOWN' | 'RIGHT') => ({
  'elk.algorithm': 'layered',
  'elk.direction': direction,
  'elk.spacing.nodeNode': '40',
  'elk.layered.spacing.nodeNodeBetweenLayers': direction === 'DOWN' ? '50' : '70',
  'elk.spacing.componentComponent': '80',
  // Keep branches in the order they are connected, so Add/Concatenate inputs
  // read left to right as they are listed.
  'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
  'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
  'elk.edgeRouting': 'POLYLINE',
});

// ELK is about 1.5 MB: load it on first use, outside the app's main bundle. The
// bundled build runs on the calling thread (no worker, which the CSP would need).
let elk: Promise<ELK> | null = null;
const loadElk = (): Promise<ELK> =>
  (elk ??= import('elkjs/lib/elk.bundled.js').then(({ default: Elk }) => new Elk()));

/** New top-left positions for every node, by id. */
export async function layoutPositions(
  doc: GraphDoc,
  sizeOf: (id: string) => NodeSize = () => DEFAULT_NODE_SIZE,
  options: LayoutOptions = {},
): Promise<Map<string, Position>> {
  const mode = options.mode ?? 'down';
  const ids = new Set<string>();
  const children = [];
  for (const n of doc.nodes) {
    if (ids.has(n.id)) continue; // duplicate ids are reported by the analysis
    ids.add(n.id);
    children.push({ id: n.id, ...sizeOf(n.id) });
  }
  // ELK rejects edges to unknown nodes; the analysis reports those edges anyway.
  const edges = doc.edges
    .filter((e) => ids.has(e.source) && ids.has(e.target) && e.source !== e.target)
    .map((e, i) => ({ id: `edge${i}`, sources: [e.source], targets: [e.target] }));
  const laid = await (
    await loadElk()
  ).layout({
    id: 'root',
    layoutOptions: layoutOptions(mode === 'right' ? 'RIGHT' : 'DOWN'),
    children,
    edges,
  });
  const positions = new Map<string, Position>();
  for (const c of laid.children ?? [])
    positions.set(c.id, { x: Math.round(c.x ?? 0), y: Math.round(c.y ?? 0) });
  if (mode !== 'columns') return positions;
  return wrapIntoColumns(positions, sizeOf, options.canvas ?? { width: 1280, height: 800 });
}

/** Moves nodes to `positions`; nodes not listed stay where they are. */
export function applyPositions(doc: GraphDoc, positions: ReadonlyMap<string, Position>): GraphDoc {
  return {
    ...doc,
    nodes: doc.nodes.map((n) => {
      const p = positions.get(n.id);
      return p && (p.x !== n.position.x || p.y !== n.position.y) ? { ...n, position: p } : n;
    }),
  };
}

/** `doc` with every node placed by the layered layout. */
export async function autoLayout(
  doc: GraphDoc,
  sizeOf?: (id: string) => NodeSize,
  options?: LayoutOptions,
): Promise<GraphDoc> {
  return applyPositions(doc, await layoutPositions(doc, sizeOf, options));
}
