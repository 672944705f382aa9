// Editing operations as the editor uses them: every edit returns a new document
// and leaves the old one untouched, because the undo history keeps the old one.
import { describe, expect, it } from 'vitest';
import { analyzeGraph } from '../../src/shared/graph/analyze.ts';
import { GraphBuilder } from '../../src/shared/graph/builder.ts';
import {
  addNode,
  connect,
  moveNode,
  removeEdges,
  removeNodes,
  renameNode,
  setParams,
  uniqueName,
} from '../../src/shared/graph/ops.ts';
import { incomingEdges } from '../../src/shared/graph/topology.ts';
import { emptyGraph, type GraphDoc } from '../../src/shared/graph/types.ts';
import { TEMPLATES } from '../../src/shared/templates/index.ts';

/** Freezes the document all the way down; writing to it then throws (ES modules are strict). */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** Input -> Conv2D "stem" -> Flatten -> Dense 10, for MNIST. */
function smallNet() {
  const g = new GraphBuilder('Small net', 'mnist');
  const input = g.input([28, 28, 1]);
  const stem = g.layer('conv2d', { filters: 8 }, input, 'stem');
  const flat = g.layer('flatten', {}, stem, 'flat');
  const head = g.layer('dense', { units: 10 }, flat, 'head');
  return { doc: g.build(), input, stem, flat, head };
}

describe('edits leave the previous document untouched', () => {
  const { doc: base, input, stem, flat, head } = smallNet();
  const stemToFlat = base.edges.find((e) => e.source === stem && e.target === flat)!.id;

  const edits: [string, (d: GraphDoc) => unknown][] = [
    ['addNode', (d) => addNode(d, 'dropout', { params: { rate: 0.5 }, position: { x: 5, y: 5 } })],
    ['removeNodes', (d) => removeNodes(d, [stem])],
    ['connect', (d) => connect(d, input, head)],
    ['removeEdges', (d) => removeEdges(d, [stemToFlat])],
    ['setParams', (d) => setParams(d, stem, { filters: 16, padding: 'same' })],
    ['renameNode', (d) => renameNode(d, head, 'classifier')],
    ['moveNode', (d) => moveNode(d, flat, { x: 400, y: 300 })],
    ['uniqueName', (d) => uniqueName(d, 'conv2d')],
  ];

  it.each(edits)('%s', (_name, edit) => {
    const before = JSON.stringify(base);
    const frozen = deepFreeze(structuredClone(base));
    expect(() => edit(frozen)).not.toThrow();
    expect(JSON.stringify(frozen)).toBe(before);
  });

  it('and the new document is a different object the editor can tell apart', () => {
    const next = setParams(base, stem, { filters: 16 });
    expect(next).not.toBe(base);
    expect(next.nodes.find((n) => n.id === stem)?.params.filters).toBe(16);
    expect(base.nodes.find((n) => n.id === stem)?.params.filters).toBe(8);
    // Nodes that did not change are shared, so a renderer can skip them.
    expect(next.nodes.find((n) => n.id === head)).toBe(base.nodes.find((n) => n.id === head));
  });
});

describe('adding layers from the palette', () => {
  it('names them the way Keras does: conv2d, conv2d_1, conv2d_2', () => {
    let doc = emptyGraph('Palette');
    const names: string[] = [];
    for (let i = 0; i < 3; i++) {
      const added = addNode(doc, 'conv2d');
      doc = added.doc;
      names.push(doc.nodes.find((n) => n.id === added.id)!.name);
    }
    expect(names).toEqual(['conv2d', 'conv2d_1', 'conv2d_2']);
  });

  it('writes camel-case kinds in snake case, as Keras layer names', () => {
    let doc = emptyGraph('Palette');
    for (const kind of [
      'maxPooling2d',
      'batchNormalization',
      'globalAveragePooling2d',
      'conv2dTranspose',
      'maxPooling2d',
    ])
      doc = addNode(doc, kind).doc;
    expect(doc.nodes.map((n) => n.name)).toEqual([
      'max_pooling2d',
      'batch_normalization',
      'global_average_pooling2d',
      'conv2d_transpose',
      'max_pooling2d_1',
    ]);
  });

  it('keeps a name the user chose and gives each node its own id', () => {
    let doc = emptyGraph('Palette');
    const a = addNode(doc, 'dense', { name: 'classifier' });
    doc = a.doc;
    const b = addNode(doc, 'dense');
    expect(b.doc.nodes.map((n) => n.name)).toEqual(['classifier', 'dense']);
    expect(a.id).not.toBe(b.id);
  });

  it('refuses a kind that is not in the registry', () => {
    expect(() => addNode(emptyGraph('Palette'), 'conv3d')).toThrow(/Unknown layer kind "conv3d"/);
  });

  it('refuses an id that is taken', () => {
    const { doc, stem } = smallNet();
    expect(() => addNode(doc, 'dense', { id: stem })).toThrow(/exists already/);
  });
});

describe('deleting layers', () => {
  it('takes their connections with them and keeps the rest', () => {
    const { doc, stem, flat, head } = smallNet();
    const flatToHead = doc.edges.find((e) => e.source === flat && e.target === head)!;
    const next = removeNodes(doc, [stem]);

    expect(next.nodes.map((n) => n.id)).not.toContain(stem);
    expect(next.edges.filter((e) => e.source === stem || e.target === stem)).toEqual([]);
    expect(next.edges).toEqual([flatToHead]);
    // The gap is reported, not papered over.
    expect(analyzeGraph(next).issues.map((i) => [i.code, i.nodeId])).toContainEqual([
      'E_MISSING_INPUT',
      flat,
    ]);
  });
});

describe('connecting branches', () => {
  function twoBranches() {
    const g = new GraphBuilder('Branches');
    const input = g.input([28, 28, 1]);
    const narrow = g.layer('conv2d', { filters: 4, padding: 'same' }, input, 'narrow');
    const wide = g.layer('conv2d', { filters: 8, padding: 'same' }, input, 'wide');
    let doc = g.build();
    const joined = addNode(doc, 'concatenate', { name: 'join' });
    doc = joined.doc;
    return { doc, narrow, wide, join: joined.id };
  }

  it.each([
    [
      'narrow then wide',
      ['narrow', 'wide'],
      [
        [28, 28, 4],
        [28, 28, 8],
      ],
    ],
    [
      'wide then narrow',
      ['wide', 'narrow'],
      [
        [28, 28, 8],
        [28, 28, 4],
      ],
    ],
  ] as const)(
    'a Concatenate takes its inputs in the order they were wired: %s',
    (_, wiring, inputShapes) => {
      const branches = twoBranches();
      let doc = branches.doc;
      for (const which of wiring) doc = connect(doc, branches[which], branches.join).doc;

      expect(
        incomingEdges(doc)
          .get(branches.join)!
          .map((e) => e.source),
      ).toEqual(wiring.map((w) => branches[w]));
      const join = analyzeGraph(doc).nodes.get(branches.join)!;
      expect(join.inputShapes).toEqual(inputShapes);
      expect(join.outputShape).toEqual([28, 28, 12]);
    },
  );

  it('gives each new connection its own id', () => {
    const { doc, narrow, wide, join } = twoBranches();
    const first = connect(doc, narrow, join);
    const second = connect(first.doc, wide, join);
    expect(new Set(second.doc.edges.map((e) => e.id)).size).toBe(second.doc.edges.length);
    expect(second.doc.edges.at(-1)).toEqual({ id: second.id, source: wide, target: join });
  });
});

describe('changing parameters', () => {
  it('setting filters to 16 changes the inferred shape and the counts downstream', () => {
    const { doc, stem, flat, head } = smallNet();
    const before = analyzeGraph(doc);
    expect(before.nodes.get(stem)!.outputShape).toEqual([26, 26, 8]);

    const after = analyzeGraph(setParams(doc, stem, { filters: 16 }));
    expect(after.nodes.get(stem)!.outputShape).toEqual([26, 26, 16]);
    expect(after.nodes.get(stem)!.paramCount.trainable).toBe(3 * 3 * 1 * 16 + 16);
    expect(after.nodes.get(flat)!.outputShape).toEqual([26 * 26 * 16]);
    expect(after.nodes.get(head)!.paramCount.trainable).toBe(26 * 26 * 16 * 10 + 10);
    expect(after.valid).toBe(true);
  });

  it('merges with the parameters already set', () => {
    const { doc, stem } = smallNet();
    const next = setParams(doc, stem, { padding: 'same' });
    expect(next.nodes.find((n) => n.id === stem)!.params).toEqual({ filters: 8, padding: 'same' });
    expect(analyzeGraph(next).nodes.get(stem)!.outputShape).toEqual([28, 28, 8]);
  });
});

describe('the templates are built with these operations', () => {
  it.each(TEMPLATES.map((t) => [t.id, t] as const))(
    '%s has unique ids and names',
    (_id, template) => {
      const doc = template.build();
      const ids = doc.nodes.map((n) => n.id);
      const names = doc.nodes.map((n) => n.name);
      expect(new Set(ids).size).toBe(ids.length);
      expect(new Set(names).size).toBe(names.length);
      expect(new Set(doc.edges.map((e) => e.id)).size).toBe(doc.edges.length);
    },
  );
});
