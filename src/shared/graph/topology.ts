import type { GraphDoc, GraphEdge } from './types.ts';

/** Incoming edges per node id, in document order (= the node's input order). */
export function incomingEdges(doc: GraphDoc): Map<string, GraphEdge[]> {
  const map = new Map<string, GraphEdge[]>(doc.nodes.map((n) => [n.id, []]));
  for (const e of doc.edges) map.get(e.target)?.push(e);
  return map;
}

export function outgoingEdges(doc: GraphDoc): Map<string, GraphEdge[]> {
  const map = new Map<string, GraphEdge[]>(doc.nodes.map((n) => [n.id, []]));
  for (const e of doc.edges) map.get(e.source)?.push(e);
  return map;
}

export interface Topology {
  /** Node ids, every node after all of its inputs; nodes on a cycle are left out. */
  order: string[];
  /** Node ids on (or only reachable through) a cycle. */
  cyclic: string[];
}

/** Kahn's algorithm; ties are broken by document order so the result is stable. */
export function topologicalOrder(doc: GraphDoc): Topology {
  const ids = new Set(doc.nodes.map((n) => n.id));
  const indegree = new Map(doc.nodes.map((n) => [n.id, 0]));
  const out = new Map<string, string[]>(doc.nodes.map((n) => [n.id, []]));
  for (const e of doc.edges) {
    if (!ids.has(e.source) || !ids.has(e.target)) continue;
    indegree.set(e.target, indegree.get(e.target)! + 1);
    out.get(e.source)!.push(e.target);
  }
  const rank = new Map(doc.nodes.map((n, i) => [n.id, i]));
  // A min-heap on document position: among the ready nodes, the earliest comes first.
  const heap: string[] = [];
  const less = (a: string, b: string) => rank.get(a)! < rank.get(b)!;
  const push = (id: string) => {
    heap.push(id);
    for (let i = heap.length - 1; i > 0;) {
      const p = (i - 1) >> 1;
      if (!less(heap[i]!, heap[p]!)) break;
      [heap[i], heap[p]] = [heap[p]!, heap[i]!];
      i = p;
    }
  };
  const pop = (): string => {
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length) {
      heap[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && less(heap[l]!, heap[m]!)) m = l;
        if (r < heap.length && less(heap[r]!, heap[m]!)) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m]!, heap[i]!];
        i = m;
      }
    }
    return top;
  };
  for (const n of doc.nodes) if (indegree.get(n.id) === 0) push(n.id);
  const order: string[] = [];
  while (heap.length) {
    const id = pop();
    order.push(id);
    for (const t of out.get(id)!) {
      const d = indegree.get(t)! - 1;
      indegree.set(t, d);
      if (d === 0) push(t);
    }
  }
  const done = new Set(order);
  return { order, cyclic: doc.nodes.filter((n) => !done.has(n.id)).map((n) => n.id) };
}

/** Ids reachable from `start` following edges forward (or backward with reverse). */
export function reachable(doc: GraphDoc, start: string[], reverse = false): Set<string> {
  const next = new Map<string, string[]>();
  for (const e of doc.edges) {
    const [a, b] = reverse ? [e.target, e.source] : [e.source, e.target];
    const list = next.get(a);
    if (list) list.push(b);
    else next.set(a, [b]);
  }
  const seen = new Set(start);
  const stack = [...start];
  while (stack.length) {
    for (const n of next.get(stack.pop()!) ?? []) {
      if (!seen.has(n)) {
        seen.add(n);
        stack.push(n);
      }
    }
  }
  return seen;
}
