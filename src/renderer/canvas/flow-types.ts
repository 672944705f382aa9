// The React Flow view of the graph document. Node and edge data hold only
// serialisable values; everything else is read from the store by id.
import type { Edge, Node } from '@xyflow/react';

/** The size the canvas assumes for a node it has not measured yet (and auto layout uses). */
export const NODE_WIDTH = 220;
export const NODE_HEIGHT = 90;

export type LayerFlowNode = Node<{ id: string }, 'layer'>;
/** `issue` is the message of the analysis problem on this connection, if any. */
export type LayerFlowEdge = Edge<{ issue?: string }, 'layer'>;

/** Fit view shows every node but never enlarges a small graph past 100%. */
export const FIT_VIEW_OPTIONS = { padding: 0.1, maxZoom: 1, includeHiddenNodes: true } as const;
