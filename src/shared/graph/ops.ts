// Pure editing operations: each takes a document and returns a new one.
// The editor's undo history is a list of these documents.
import type { ParamValue } from '../layers/params.ts';
import { getLayer } from '../layers/registry.ts';
import type { GraphDoc, GraphEdge, GraphNode, Position } from './types.ts';

/** Keras-style default names: conv2d, conv2d_1, conv2d_2, ... */
export function uniqueName(doc: GraphDoc, base: string): string {
  const taken = new Set(doc.nodes.map((n) => n.name));
  if (!taken.has(base)) return base;
  for (let i = 1; ; i++) if (!taken.has(`${base}_${i}`)) return `${base}_${i}`;
}

export function uniqueId(existing: Iterable<string>, prefix: string): string {
  const taken = new Set(existing);
  for (let i = 1; ; i++) if (!taken.has(`${prefix}${i}`)) return `${prefix}${i}`;
}

const snake = (kind: string): string => kind.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();

export interface AddNodeOptions {
  id?: string;
  name?: string;
  params?: Record<string, ParamValue>;
  position?: Position;
}

/** Adds a node of a registered kind; params not given take their defaults at analysis time. */
export function addNode(
  doc: GraphDoc,
  kind: string,
  opts: AddNodeOptions = {},
): { doc: GraphDoc; id: string } {
  if (!getLayer(kind)) throw new Error(`Unknown layer kind "${kind}"`);
  const id =
    opts.id ??
    uniqueId(
      doc.nodes.map((n) => n.id),
      'n',
    );
  if (doc.nodes.some((n) => n.id === id)) throw new Error(`A node with id "${id}" exists already`);
  const node: GraphNode = {
    id,
    kind,
    name: opts.name ?? uniqueName(doc, snake(kind)),
    params: { ...(opts.params ?? {}) },
    position: opts.position ?? { x: 0, y: 0 },
  };
  return { doc: { ...doc, nodes: [...doc.nodes, node] }, id };
}

export function removeNodes(doc: GraphDoc, ids: Iterable<string>): GraphDoc {
  const gone = new Set(ids);
  return {
    ...doc,
    nodes: doc.nodes.filter((n) => !gone.has(n.id)),
    edges: doc.edges.filter((e) => !gone.has(e.source) && !gone.has(e.target)),
  };
}

/** Connects source -> target as the target's last input. */
export function connect(
  doc: GraphDoc,
  source: string,
  target: string,
  id?: string,
): { doc: GraphDoc; id: string } {
  const edgeId =
    id ??
    uniqueId(
      doc.edges.map((e) => e.id),
      'e',
    );
  const edge: GraphEdge = { id: edgeId, source, target };
  return { doc: { ...doc, edges: [...doc.edges, edge] }, id: edgeId };
}

export function removeEdges(doc: GraphDoc, ids: Iterable<string>): GraphDoc {
  const gone = new Set(ids);
  return { ...doc, edges: doc.edges.filter((e) => !gone.has(e.id)) };
}

const mapNode = (doc: GraphDoc, id: string, f: (n: GraphNode) => GraphNode): GraphDoc => ({
  ...doc,
  nodes: doc.nodes.map((n) => (n.id === id ? f(n) : n)),
});

export const setParams = (
  doc: GraphDoc,
  id: string,
  params: Record<string, ParamValue>,
): GraphDoc => mapNode(doc, id, (n) => ({ ...n, params: { ...n.params, ...params } }));

export const renameNode = (doc: GraphDoc, id: string, name: string): GraphDoc =>
  mapNode(doc, id, (n) => ({ ...n, name }));

export const moveNode = (doc: GraphDoc, id: string, position: Position): GraphDoc =>
  mapNode(doc, id, (n) => ({ ...n, position }));
