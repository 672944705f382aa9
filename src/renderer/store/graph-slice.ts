// The graph being edited, with undo / redo as a history of whole documents
// (cheap: edits share unchanged nodes). Every edit goes through `commit`.
import type { StateCreator } from 'zustand';
import type { ParamValue } from '../../shared/layers/params.ts';
import {
  addNode,
  connect,
  moveNode,
  removeEdges,
  removeNodes,
  renameNode,
  setParams,
  uniqueId,
} from '../../shared/graph/ops.ts';
import {
  emptyGraph,
  type GraphDoc,
  type GraphNode,
  type Position,
} from '../../shared/graph/types.ts';
import type { Store } from './store.ts';

const HISTORY_LIMIT = 200;

export interface GraphSlice {
  doc: GraphDoc;
  past: GraphDoc[];
  future: GraphDoc[];
  /** Bumped by edits that can change shapes; moving nodes does not. */
  structureVersion: number;
  /** Replaces the document with `next`, recording the old one for undo. */
  commit: (next: GraphDoc, opts?: { structural?: boolean }) => void;
  /** Opens a document: history is cleared. */
  loadDoc: (doc: GraphDoc) => void;
  addLayer: (kind: string, position: Position, params?: Record<string, ParamValue>) => string;
  connectNodes: (source: string, target: string) => void;
  deleteSelection: () => void;
  updateParams: (id: string, params: Record<string, ParamValue>) => void;
  rename: (id: string, name: string) => void;
  /** Live positions while dragging (no history entry); `done` records one entry for the whole drag. */
  moveNodes: (positions: Record<string, Position>, done: boolean) => void;
  duplicate: (ids: string[], offset?: Position) => string[];
  undo: () => void;
  redo: () => void;
}

/** Copies nodes (and the edges among them) into `doc` with new ids and names. */
export function pasteNodes(
  doc: GraphDoc,
  nodes: GraphNode[],
  edges: GraphDoc['edges'],
  offset: Position,
): { doc: GraphDoc; ids: string[] } {
  let next = doc;
  const idMap = new Map<string, string>();
  for (const n of nodes) {
    const added = addNode(next, n.kind, {
      params: structuredClone(n.params) as Record<string, ParamValue>,
      position: { x: n.position.x + offset.x, y: n.position.y + offset.y },
      id: uniqueId(
        next.nodes.map((m) => m.id),
        'n',
      ),
    });
    next = added.doc;
    idMap.set(n.id, added.id);
  }
  for (const e of edges) {
    const s = idMap.get(e.source);
    const t = idMap.get(e.target);
    if (s && t) next = connect(next, s, t).doc;
  }
  return { doc: next, ids: [...idMap.values()] };
}

export const createGraphSlice: StateCreator<Store, [], [], GraphSlice> = (set, get) => {
  let dragStart: GraphDoc | null = null;
  return {
    doc: emptyGraph(),
    past: [],
    future: [],
    structureVersion: 0,
    commit: (next, opts = {}) =>
      set((s) => ({
        doc: next,
        past: [...s.past, s.doc].slice(-HISTORY_LIMIT),
        future: [],
        structureVersion: opts.structural === false ? s.structureVersion : s.structureVersion + 1,
        dirty: true,
      })),
    loadDoc: (doc) =>
      set((s) => ({
        doc,
        past: [],
        future: [],
        structureVersion: s.structureVersion + 1,
        selectedNodes: [],
        selectedEdges: [],
      })),
    addLayer: (kind, position, params) => {
      const { doc, id } = addNode(get().doc, kind, { position, ...(params ? { params } : {}) });
      get().commit(doc);
      set({ selectedNodes: [id], selectedEdges: [] });
      return id;
    },
    connectNodes: (source, target) => {
      const doc = get().doc;
      if (source === target || doc.edges.some((e) => e.source === source && e.target === target))
        return;
      get().commit(connect(doc, source, target).doc);
    },
    deleteSelection: () => {
      const { doc, selectedNodes, selectedEdges } = get();
      if (!selectedNodes.length && !selectedEdges.length) return;
      get().commit(removeEdges(removeNodes(doc, selectedNodes), selectedEdges));
      set({ selectedNodes: [], selectedEdges: [] });
    },
    updateParams: (id, params) => get().commit(setParams(get().doc, id, params)),
    rename: (id, name) => get().commit(renameNode(get().doc, id, name)),
    moveNodes: (positions, done) => {
      const s = get();
      if (!dragStart) dragStart = s.doc;
      let doc = s.doc;
      for (const [id, p] of Object.entries(positions)) doc = moveNode(doc, id, p);
      if (!done) {
        set({ doc });
        return;
      }
      const before = dragStart;
      dragStart = null;
      set((st) => ({
        doc,
        past: [...st.past, before].slice(-HISTORY_LIMIT),
        future: [],
        dirty: true,
      }));
    },
    duplicate: (ids, offset = { x: 40, y: 40 }) => {
      const doc = get().doc;
      const chosen = new Set(ids);
      const { doc: next, ids: newIds } = pasteNodes(
        doc,
        doc.nodes.filter((n) => chosen.has(n.id)),
        doc.edges.filter((e) => chosen.has(e.source) && chosen.has(e.target)),
        offset,
      );
      get().commit(next);
      set({ selectedNodes: newIds, selectedEdges: [] });
      return newIds;
    },
    undo: () =>
      set((s) => {
        const prev = s.past.at(-1);
        if (!prev) return {};
        return {
          doc: prev,
          past: s.past.slice(0, -1),
          future: [s.doc, ...s.future],
          structureVersion: s.structureVersion + 1,
          dirty: true,
        };
      }),
    redo: () =>
      set((s) => {
        const next = s.future[0];
        if (!next) return {};
        return {
          doc: next,
          past: [...s.past, s.doc],
          future: s.future.slice(1),
          structureVersion: s.structureVersion + 1,
          dirty: true,
        };
      }),
  };
};
