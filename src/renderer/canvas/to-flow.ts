// The graph document as React Flow nodes and edges. Node objects are cached per
// document node, so while one node is dragged the other 499 keep their identity
// and React Flow skips them.
import type { GraphAnalysis } from '../../shared/graph/analyze.ts';
import type { GraphEdge, GraphNode, Position } from '../../shared/graph/types.ts';
import { NODE_HEIGHT, NODE_WIDTH, type LayerFlowEdge, type LayerFlowNode } from './flow-types.ts';

export interface Size {
  width: number;
  height: number;
}

const nodeCache = new WeakMap<GraphNode, LayerFlowNode>();

function toFlowNode(n: GraphNode, selected: boolean, measured: Size | undefined): LayerFlowNode {
  const hit = nodeCache.get(n);
  if (hit && hit.selected === selected && hit.measured === measured) return hit;
  const node: LayerFlowNode = {
    id: n.id,
    type: 'layer',
    position: n.position,
    data: { id: n.id },
    selected,
    // Nodes outside the view are never rendered (onlyRenderVisibleElements), so
    // never measured: React Flow sizes them from these for culling and fit view.
    initialWidth: NODE_WIDTH,
    initialHeight: NODE_HEIGHT,
    // React Flow forgets a node's measured size when it gets a new node object;
    // handing the size back avoids re-measuring (and hiding) it on every change.
    ...(measured ? { measured } : {}),
  };
  nodeCache.set(n, node);
  return node;
}

export function toFlowNodes(
  nodes: readonly GraphNode[],
  selected: readonly string[],
  sizes: ReadonlyMap<string, Size>,
): LayerFlowNode[] {
  const chosen = new Set(selected);
  const seen = new Set<string>();
  const out: LayerFlowNode[] = [];
  for (const n of nodes) {
    // A duplicate id is reported by the analysis; React Flow cannot show both.
    if (seen.has(n.id)) continue;
    seen.add(n.id);
    out.push(toFlowNode(n, chosen.has(n.id), sizes.get(n.id)));
  }
  return out;
}

/**
 * The nodes with some positions replaced (a drag in progress). Only the moved
 * nodes get new objects; the rest keep their identity.
 */
export function withPositions(
  nodes: LayerFlowNode[],
  positions: ReadonlyMap<string, Position> | null,
): LayerFlowNode[] {
  if (!positions?.size) return nodes;
  return nodes.map((n) => {
    const p = positions.get(n.id);
    return p && (p.x !== n.position.x || p.y !== n.position.y) ? { ...n, position: p } : n;
  });
}

const edgeCache = new WeakMap<GraphEdge, LayerFlowEdge>();

function toFlowEdge(e: GraphEdge, selected: boolean, issue: string | undefined): LayerFlowEdge {
  const hit = edgeCache.get(e);
  if (hit && hit.selected === selected && hit.data?.issue === issue) return hit;
  const edge: LayerFlowEdge = {
    id: e.id,
    type: 'layer',
    source: e.source,
    target: e.target,
    selected,
    data: issue ? { issue } : {},
    ...(issue ? { className: 'nf-edge-invalid' } : {}),
  };
  edgeCache.set(e, edge);
  return edge;
}

export function toFlowEdges(
  edges: readonly GraphEdge[],
  selected: readonly string[],
  analysis: GraphAnalysis,
): LayerFlowEdge[] {
  const chosen = new Set(selected);
  const issues = new Map<string, string[]>();
  for (const i of analysis.issues) {
    if (!i.edgeId) continue;
    const list = issues.get(i.edgeId) ?? [];
    list.push(i.message);
    issues.set(i.edgeId, list);
  }
  const seen = new Set<string>();
  const out: LayerFlowEdge[] = [];
  for (const e of edges) {
    // Edges to missing nodes are listed as problems; the canvas has nothing to draw.
    if (seen.has(e.id) || !analysis.nodes.has(e.source) || !analysis.nodes.has(e.target)) continue;
    seen.add(e.id);
    out.push(toFlowEdge(e, chosen.has(e.id), issues.get(e.id)?.join('\n')));
  }
  return out;
}
