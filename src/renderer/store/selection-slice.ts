import type { StateCreator } from 'zustand';
import type { GraphNode } from '../../shared/graph/types.ts';
import type { GraphDoc } from '../../shared/graph/types.ts';
import type { Store } from './store.ts';

export interface SelectionSlice {
  selectedNodes: string[];
  selectedEdges: string[];
  /** What Copy put aside: nodes and the edges among them. */
  clipboard: { nodes: GraphNode[]; edges: GraphDoc['edges'] } | null;
  select: (nodes: string[], edges?: string[]) => void;
  copySelection: () => void;
}

export const createSelectionSlice: StateCreator<Store, [], [], SelectionSlice> = (set, get) => ({
  selectedNodes: [],
  selectedEdges: [],
  clipboard: null,
  select: (nodes, edges = []) => set({ selectedNodes: nodes, selectedEdges: edges }),
  copySelection: () => {
    const { doc, selectedNodes } = get();
    const chosen = new Set(selectedNodes);
    if (!chosen.size) return;
    set({
      clipboard: {
        nodes: doc.nodes.filter((n) => chosen.has(n.id)),
        edges: doc.edges.filter((e) => chosen.has(e.source) && chosen.has(e.target)),
      },
    });
  },
});
