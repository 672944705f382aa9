// The order layers are analyzed, compiled and listed in the summary.
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/shared/graph/builder.ts';
import { connect } from '../../src/shared/graph/ops.ts';
import { incomingEdges, reachable, topologicalOrder } from '../../src/shared/graph/topology.ts';
import type { GraphDoc } from '../../src/shared/graph/types.ts';
import { TEMPLATES } from '../../src/shared/templates/index.ts';

/** Every edge goes from an earlier to a later position in `order`. */
function expectRespectsEdges(doc: GraphDoc, order: string[]): void {
  const at = new Map(order.map((id, i) => [id, i]));
  for (const e of doc.edges) {
    expect(at.get(e.source), `${e.source} -> ${e.target}`).toBeLessThan(at.get(e.target)!);
  }
}

/** A hand-written document: nodes in the given order, edges as given. */
function docOf(nodeIds: string[], edges: [string, string][]): GraphDoc {
  return {
    format: 'netforge-graph',
    version: 1,
    name: 'Hand-written',
    nodes: nodeIds.map((id) => ({
      id,
      kind: 'relu',
      name: id,
      params: {},
      position: { x: 0, y: 0 },
    })),
    edges: edges.map(([source, target], i) => ({ id: `e${i}`, source, target })),
  };
}

/** Input -> stem, then two branches (one with a skip around it) that meet in an Add. */
function diamond() {
  const g = new GraphBuilder('Diamond');
  const input = g.input([28, 28, 1]);
  const stem = g.layer('conv2d', { filters: 8, padding: 'same' }, input, 'stem');
  const deep1 = g.layer('conv2d', { filters: 8, padding: 'same' }, stem, 'deep1');
  const deep2 = g.layer('conv2d', { filters: 8, padding: 'same' }, deep1, 'deep2');
  const side = g.layer('conv2d', { filters: 8, kernelSize: 1 }, stem, 'side');
  const join = g.layer('add', {}, [deep2, side, stem], 'join');
  const out = g.chain(join, [['flatten'], ['dense', { units: 10 }]]);
  return { doc: g.build(), input, stem, deep1, deep2, side, join, out };
}

describe('topological order', () => {
  it('puts every layer after all of its inputs on a diamond with a skip connection', () => {
    const { doc, input, stem, join, out } = diamond();
    const { order, cyclic } = topologicalOrder(doc);

    expect(cyclic).toEqual([]);
    expect(new Set(order)).toEqual(new Set(doc.nodes.map((n) => n.id)));
    expect(order[0]).toBe(input);
    expect(order[1]).toBe(stem);
    expect(order.at(-1)).toBe(out);
    expect(order.indexOf(join)).toBe(order.length - 3);
    expectRespectsEdges(doc, order);
  });

  it.each(TEMPLATES.map((t) => [t.id, t] as const))(
    'holds for the %s template',
    (_id, template) => {
      const doc = template.build();
      const { order, cyclic } = topologicalOrder(doc);
      expect(cyclic).toEqual([]);
      expect(order).toHaveLength(doc.nodes.length);
      expectRespectsEdges(doc, order);
    },
  );

  it('follows the edges even when the document lists nodes the other way round', () => {
    const doc = docOf(
      ['c', 'b', 'a'],
      [
        ['a', 'b'],
        ['b', 'c'],
      ],
    );
    expect(topologicalOrder(doc).order).toEqual(['a', 'b', 'c']);
  });
});

describe('ties keep document order', () => {
  it('two branches come out in the order the nodes were added, whatever the edge order', () => {
    const nodes = ['in', 'left', 'right', 'join'];
    const edges: [string, string][] = [
      ['in', 'left'],
      ['in', 'right'],
      ['left', 'join'],
      ['right', 'join'],
    ];
    const forward = docOf(nodes, edges);
    const backward = docOf(nodes, [...edges].reverse());

    expect(topologicalOrder(forward).order).toEqual(['in', 'left', 'right', 'join']);
    expect(topologicalOrder(backward).order).toEqual(['in', 'left', 'right', 'join']);
  });

  it('a node made ready later still goes by document order among the ready ones', () => {
    // After "a", both "b" (earlier in the document) and "x" are ready: "b" goes first.
    const doc = docOf(
      ['a', 'b', 'x', 'y'],
      [
        ['a', 'x'],
        ['a', 'b'],
        ['x', 'y'],
      ],
    );
    expect(topologicalOrder(doc).order).toEqual(['a', 'b', 'x', 'y']);
  });

  it('gives the same answer every time', () => {
    const { doc } = diamond();
    expect(topologicalOrder(doc)).toEqual(topologicalOrder(structuredClone(doc)));
  });
});

describe('cycles', () => {
  it('leaves the nodes on a cycle out of the order and lists them in `cyclic`', () => {
    const doc = docOf(
      ['in', 'a', 'b', 'other'],
      [
        ['in', 'a'],
        ['a', 'b'],
        ['b', 'a'],
        ['in', 'other'],
      ],
    );
    const { order, cyclic } = topologicalOrder(doc);
    expect(order).toEqual(['in', 'other']);
    expect(cyclic).toEqual(['a', 'b']);
  });

  it('lists nodes only reachable through a cycle as well, since they can never be ordered', () => {
    const doc = docOf(
      ['in', 'a', 'b', 'after'],
      [
        ['in', 'a'],
        ['a', 'b'],
        ['b', 'a'],
        ['b', 'after'],
      ],
    );
    const { order, cyclic } = topologicalOrder(doc);
    expect(order).toEqual(['in']);
    expect(cyclic).toEqual(['a', 'b', 'after']);
  });

  it('treats a layer wired to itself as a cycle', () => {
    const doc = docOf(
      ['in', 'self'],
      [
        ['in', 'self'],
        ['self', 'self'],
      ],
    );
    expect(topologicalOrder(doc)).toEqual({ order: ['in'], cyclic: ['self'] });
  });

  it('ignores edges to missing nodes instead of throwing', () => {
    const doc = docOf(
      ['in', 'a'],
      [
        ['in', 'a'],
        ['a', 'ghost'],
        ['ghost', 'in'],
      ],
    );
    expect(topologicalOrder(doc)).toEqual({ order: ['in', 'a'], cyclic: [] });
  });
});

describe('incoming edges and reachability', () => {
  it("lists a node's inputs in edge order, and nodes reachable from the Input", () => {
    const { doc, input, stem, deep2, side, join, out } = diamond();
    expect(
      incomingEdges(doc)
        .get(join)!
        .map((e) => e.source),
    ).toEqual([deep2, side, stem]);
    expect(incomingEdges(doc).get(input)).toEqual([]);

    expect(reachable(doc, [input])).toEqual(new Set(doc.nodes.map((n) => n.id)));
    const upstreamOfSide = reachable(doc, [side], true);
    expect(upstreamOfSide).toEqual(new Set([side, stem, input]));
    expect(reachable(doc, [out])).toEqual(new Set([out]));
  });

  it('reaches around a cycle without looping forever', () => {
    const { doc, stem, deep2 } = diamond();
    const looped = connect(doc, deep2, stem).doc;
    expect(reachable(looped, [deep2]).has(stem)).toBe(true);
  });
});
