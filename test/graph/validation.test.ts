// Each kind of fault a user can make on the canvas (or in a hand-edited file),
// and what Netforge tells them: a stable code, pinned to the node or edge at
// fault, in words that name the layer and say what to do next. The CLI prints
// only `[code] message`, so a message that does not name the layer leaves the
// user hunting for it.
import { describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../src/shared/errors.ts';
import {
  analyzeGraph,
  type GraphAnalysis,
  type GraphIssue,
} from '../../src/shared/graph/analyze.ts';
import { GraphBuilder } from '../../src/shared/graph/builder.ts';
import { addNode, connect, removeEdges } from '../../src/shared/graph/ops.ts';
import { parseGraph } from '../../src/shared/graph/parse.ts';
import type { GraphDoc } from '../../src/shared/graph/types.ts';
import { TEMPLATES } from '../../src/shared/templates/index.ts';

const MNIST: number[] = [28, 28, 1];

const withCode = (a: GraphAnalysis, code: ErrorCode): GraphIssue[] =>
  a.issues.filter((i) => i.code === code);

/** The single issue with `code`; the test fails if there is none or more than one. */
function theIssue(a: GraphAnalysis, code: ErrorCode): GraphIssue {
  const found = withCode(a, code);
  expect(found, `expected one ${code} among ${JSON.stringify(a.issues, null, 2)}`).toHaveLength(1);
  return found[0]!;
}

/** The issue is shown on that node, and the node lists it too. */
function expectOnNode(a: GraphAnalysis, issue: GraphIssue, nodeId: string): void {
  expect(issue.nodeId).toBe(nodeId);
  expect(a.nodes.get(nodeId)?.issues).toContainEqual(issue);
}

/** Input -> Flatten -> Dense 10: the smallest network that is valid on MNIST. */
function tinyClassifier(name: string, dataset?: 'mnist' | 'cifar10', inputShape = MNIST) {
  const g = new GraphBuilder(name, dataset);
  const input = g.input(inputShape, 'images');
  const flatten = g.layer('flatten', {}, input, 'flatten');
  const classifier = g.layer('dense', { units: 10 }, flatten, 'classifier');
  return { g, input, flatten, classifier };
}

describe('a layer with the wrong number of inputs', () => {
  it('a Dense whose incoming connection was deleted asks for one', () => {
    const { g, flatten, classifier } = tinyClassifier('Cut wire');
    const built = g.build();
    const wire = built.edges.find((e) => e.source === flatten && e.target === classifier)!;
    const a = analyzeGraph(removeEdges(built, [wire.id]));

    const issue = theIssue(a, 'E_MISSING_INPUT');
    expectOnNode(a, issue, classifier);
    expect(issue.message).toContain('classifier');
    expect(issue.message).toMatch(/connect a layer to it/);
    expect(a.valid).toBe(false);
  });

  it('a Conv2D fed by two branches says to join them first', () => {
    const g = new GraphBuilder('Two into one');
    const input = g.input(MNIST);
    const left = g.layer('conv2d', { filters: 8, padding: 'same' }, input, 'left');
    const right = g.layer('conv2d', { filters: 8, padding: 'same' }, input, 'right');
    const fuse = g.layer('conv2d', { filters: 8 }, [left, right], 'fuse');
    const a = analyzeGraph(g.build());

    const issue = theIssue(a, 'E_TOO_MANY_INPUTS');
    expectOnNode(a, issue, fuse);
    expect(issue.message).toContain('fuse');
    expect(issue.message).toMatch(/takes 1 input but has 2/);
    expect(issue.message).toMatch(/join branches with Add or Concatenate/);
  });

  it('a connection into the Input says the Input takes none', () => {
    const { g, input } = tinyClassifier('Wire into Input');
    const source = g.input(MNIST, 'spare'); // somewhere to draw the wire from
    const a = analyzeGraph(connect(g.build(), source, input).doc);

    const issue = theIssue(a, 'E_TOO_MANY_INPUTS');
    expectOnNode(a, issue, input);
    expect(issue.message).toContain('images');
    expect(issue.message).toMatch(/takes no incoming connection; remove it/);
  });
});

describe('a cycle', () => {
  function loop(): { doc: GraphDoc; first: string; second: string; back: string } {
    const g = new GraphBuilder('Loop');
    const input = g.input(MNIST);
    const first = g.layer('conv2d', { filters: 4, padding: 'same' }, input, 'first');
    const second = g.layer('conv2d', { filters: 4, padding: 'same' }, first, 'second');
    const { doc, id: back } = connect(g.build(), second, first);
    return { doc, first, second, back };
  }

  it('flags every layer on the loop and still analyzes', () => {
    const { doc, first, second, back } = loop();
    let a: GraphAnalysis | undefined;
    expect(() => (a = analyzeGraph(doc))).not.toThrow();
    a = a!;

    const onNodes = withCode(a, 'E_CYCLE').filter((i) => i.nodeId !== undefined);
    expect(onNodes.map((i) => i.nodeId).sort()).toEqual([first, second].sort());
    for (const issue of onNodes) {
      expectOnNode(a, issue, issue.nodeId!);
      expect(issue.message).toContain('first');
      expect(issue.message).toContain('second');
      expect(issue.message).toMatch(/remove an edge so data flows one way/);
    }
    // The wire that closed the loop is pointed out as well.
    expect(withCode(a, 'E_CYCLE').map((i) => i.edgeId)).toContain(back);
    expect(a.order).not.toContain(first);
    expect(a.order).not.toContain(second);
    expect(a.nodes.get(second)?.outputShape).toBeNull();
    expect(a.valid).toBe(false);
  });

  it('a layer after the loop is not said to be on it', () => {
    const { doc, second } = loop();
    const { doc: withAfter, id: after } = addNode(doc, 'flatten', { name: 'after_loop' });
    const a = analyzeGraph(connect(withAfter, second, after).doc);

    expect(a.nodes.get(after)?.issues).toEqual([]);
    for (const issue of withCode(a, 'E_CYCLE')) expect(issue.message).not.toContain('after_loop');
  });
});

describe('merging branches', () => {
  it('Add of 8 and 16 channels says which shapes differ and how to match them', () => {
    const g = new GraphBuilder('Mismatched residual');
    const input = g.input(MNIST);
    const narrow = g.layer('conv2d', { filters: 8, padding: 'same' }, input, 'narrow');
    const wide = g.layer('conv2d', { filters: 16, padding: 'same' }, input, 'wide');
    const join = g.layer('add', {}, [narrow, wide], 'join');
    const a = analyzeGraph(g.build());

    const issue = theIssue(a, 'E_ADD_SHAPES');
    expectOnNode(a, issue, join);
    expect(issue.message).toContain('join');
    expect(issue.message).toContain('[28, 28, 8] and [28, 28, 16]');
    expect(issue.message).toMatch(/1x1 Conv2D/);
    expect(a.nodes.get(join)?.outputShape).toBeNull();
  });

  it('Concatenate of a full-size and a strided branch says to make heights and widths agree', () => {
    const g = new GraphBuilder('Mismatched concat');
    const input = g.input(MNIST);
    const full = g.layer('conv2d', { filters: 8, padding: 'same' }, input, 'full');
    const half = g.layer('conv2d', { filters: 8, padding: 'same', strides: 2 }, input, 'half');
    const join = g.layer('concatenate', {}, [full, half], 'join');
    const a = analyzeGraph(g.build());

    const issue = theIssue(a, 'E_CONCAT_SHAPES');
    expectOnNode(a, issue, join);
    expect(issue.message).toContain('join');
    expect(issue.message).toContain('[28, 28, 8] and [14, 14, 8]');
    expect(issue.message).toMatch(/padding "same" in the branches, or equal strides/);
  });
});

describe('a tensor of the wrong rank', () => {
  it('Conv2D after Flatten says to put it before Flatten', () => {
    const g = new GraphBuilder('Conv after flatten');
    const flat = g.layer('flatten', {}, g.input(MNIST), 'flat');
    const conv = g.layer('conv2d', { filters: 8 }, flat, 'late_conv');
    const a = analyzeGraph(g.build());

    const issue = theIssue(a, 'E_RANK');
    expectOnNode(a, issue, conv);
    expect(issue.message).toContain('late_conv');
    expect(issue.message).toContain('[784]');
    expect(issue.message).toMatch(/Put it before Flatten or Dense/);
  });

  it('Dense on an image says to flatten first', () => {
    const g = new GraphBuilder('Dense on image');
    const dense = g.layer('dense', { units: 10 }, g.input(MNIST), 'classifier');
    const a = analyzeGraph(g.build());

    const issue = theIssue(a, 'E_RANK');
    expectOnNode(a, issue, dense);
    expect(issue.message).toContain('classifier');
    expect(issue.message).toContain('[28, 28, 1]');
    expect(issue.message).toMatch(/Add a Flatten or GlobalAveragePooling2D before it/);
  });
});

describe('the ends of the network', () => {
  it('a chain not connected to the Input is pointed out layer by layer', () => {
    const { g, flatten, classifier } = tinyClassifier('Island');
    const islandStart = g.layer('dense', { units: 4 }, [], 'island_a');
    const islandEnd = g.layer('dense', { units: 4 }, islandStart, 'island_b');
    const a = analyzeGraph(g.build());

    const noPath = withCode(a, 'E_NO_PATH');
    expect(noPath.map((i) => i.nodeId)).toEqual([islandStart, islandEnd]);
    for (const [issue, name] of [
      [noPath[0]!, 'island_a'],
      [noPath[1]!, 'island_b'],
    ] as const) {
      expectOnNode(a, issue, issue.nodeId!);
      expect(issue.message).toContain(name);
      expect(issue.message).toMatch(/not connected to the Input: connect it or delete it/);
    }
    expect(a.nodes.get(flatten)?.issues.map((i) => i.code)).not.toContain('E_NO_PATH');
    expect(a.nodes.get(classifier)?.issues.map((i) => i.code)).not.toContain('E_NO_PATH');
  });

  it('two layers whose outputs go nowhere are both flagged', () => {
    const g = new GraphBuilder('Two heads');
    const flat = g.layer('flatten', {}, g.input(MNIST), 'flat');
    const digits = g.layer('dense', { units: 10 }, flat, 'digits');
    const parity = g.layer('dense', { units: 2 }, flat, 'parity');
    const a = analyzeGraph(g.build());

    const issues = withCode(a, 'E_MULTIPLE_OUTPUTS');
    expect(issues.map((i) => i.nodeId)).toEqual([digits, parity]);
    expectOnNode(a, issues[0]!, digits);
    expectOnNode(a, issues[1]!, parity);
    expect(issues[0]!.message).toContain('digits');
    expect(issues[1]!.message).toContain('parity');
    for (const issue of issues) expect(issue.message).toMatch(/connect or delete the extra ones/);
    expect(a.outputId).toBeNull();
  });

  it('a network without an Input says to add one', () => {
    const g = new GraphBuilder('Headless');
    const flat = g.layer('flatten', {}, [], 'flat');
    g.layer('dense', { units: 10 }, flat, 'classifier');
    const a = analyzeGraph(g.build());

    const issue = theIssue(a, 'E_NO_INPUT');
    // Nothing to point at: the issue belongs to the whole graph.
    expect(issue.nodeId).toBeUndefined();
    expect(issue.edgeId).toBeUndefined();
    expect(issue.message).toMatch(/no Input layer: add one from the palette/);
    expect(a.inputId).toBeNull();
  });
});

describe('fitting the dataset', () => {
  it('an MNIST classifier ending in Dense 12 is told to end in Dense 10', () => {
    const g = new GraphBuilder('Twelve digits', 'mnist');
    const flat = g.layer('flatten', {}, g.input(MNIST), 'flat');
    const head = g.layer('dense', { units: 12 }, flat, 'head');
    const a = analyzeGraph(g.build());

    const issue = theIssue(a, 'E_OUTPUT_SHAPE');
    expectOnNode(a, issue, head);
    expect(issue.message).toContain('head');
    expect(issue.message).toContain('[batch, 12]');
    expect(issue.message).toMatch(/MNIST classifier must output \[batch, 10\]/);
    expect(issue.message).toMatch(/Dense 10/);
  });

  it('a CIFAR-10 network with an MNIST-sized Input is told the right shape', () => {
    const { g, input } = tinyClassifier('Wrong images', 'cifar10', MNIST);
    const a = analyzeGraph(g.build());

    const issue = theIssue(a, 'E_INPUT_SHAPE');
    expectOnNode(a, issue, input);
    expect(issue.message).toContain('images');
    expect(issue.message).toContain('[28, 28, 1]');
    expect(issue.message).toMatch(/set the Input's shape to \[32, 32, 3\]/);
  });
});

describe('a node that cannot be built', () => {
  it('a Conv2D with 0 filters says the smallest allowed value', () => {
    const g = new GraphBuilder('No filters');
    const conv = g.layer('conv2d', { filters: 0 }, g.input(MNIST), 'stem');
    g.chain(conv, [['flatten'], ['dense', { units: 10 }]]);
    const a = analyzeGraph(g.build());

    const issue = theIssue(a, 'E_PARAM');
    expectOnNode(a, issue, conv);
    expect(issue.message).toContain('stem');
    expect(issue.message).toMatch(/Filters must be at least 1/);
  });

  it('a file naming a kind this Netforge does not know says to delete or change the node', () => {
    // As if saved by a newer Netforge that has Conv3D: the file itself is well-formed.
    const { g, input, flatten } = tinyClassifier('From the future');
    const built = g.build();
    const doc = parseGraph({
      ...built,
      nodes: [
        ...built.nodes,
        {
          id: 'vol',
          kind: 'conv3d',
          name: 'volume',
          params: { filters: 8 },
          position: { x: 0, y: 0 },
        },
      ],
      edges: [
        ...built.edges.filter((e) => !(e.source === input && e.target === flatten)),
        { id: 'in-vol', source: input, target: 'vol' },
        { id: 'vol-flat', source: 'vol', target: flatten },
      ],
    });
    const a = analyzeGraph(doc);

    const issue = theIssue(a, 'E_UNKNOWN_KIND');
    expectOnNode(a, issue, 'vol');
    expect(issue.message).toContain('conv3d');
    expect(issue.message).toMatch(/delete this node or change its kind/);
    expect(issue.message).toContain('volume');
  });

  it('an edge to a node that does not exist is pointed out on the edge', () => {
    const { g, flatten } = tinyClassifier('Dangling wire');
    const { doc, id: wire } = connect(g.build(), flatten, 'ghost');
    const a = analyzeGraph(doc);

    const issue = theIssue(a, 'E_BAD_EDGE');
    expect(issue.edgeId).toBe(wire);
    expect(issue.nodeId).toBeUndefined();
    expect(issue.message).toContain('"ghost"');
    expect(issue.message).toContain('flatten');
    expect(issue.message).toMatch(/delete|remove/i);
  });

  it('two layers with one name are told to rename one', () => {
    const g = new GraphBuilder('Twins');
    const first = g.layer('conv2d', { filters: 4 }, g.input(MNIST), 'features');
    const second = g.layer('conv2d', { filters: 4 }, first, 'features');
    g.chain(second, [['flatten'], ['dense', { units: 10 }]]);
    const a = analyzeGraph(g.build());

    const issue = theIssue(a, 'E_DUPLICATE_ID');
    expectOnNode(a, issue, second);
    expect(issue.message).toContain('"features"');
    expect(issue.message).toMatch(/rename one/);
  });
});

describe('errors do not cascade', () => {
  const cases: { fault: string; code: ErrorCode; params: Record<string, number | string> }[] = [
    { fault: 'a bad parameter', code: 'E_PARAM', params: { filters: 0 } },
    {
      fault: 'a window too big for its input',
      code: 'E_SHAPE',
      params: { filters: 4, kernelSize: 29 },
    },
  ];

  it.each(cases)('layers after $fault report nothing and have no shape', ({ code, params }) => {
    const g = new GraphBuilder('Cascade', 'mnist');
    const stem = g.layer('conv2d', params, g.input(MNIST), 'stem');
    const flat = g.layer('flatten', {}, stem, 'flat');
    const hidden = g.layer('dense', { units: 32 }, flat, 'hidden');
    const head = g.layer('dense', { units: 10 }, hidden, 'head');
    const a = analyzeGraph(g.build());

    expect(a.issues.map((i) => [i.code, i.nodeId])).toEqual([[code, stem]]);
    for (const id of [stem, flat, hidden, head]) expect(a.nodes.get(id)?.outputShape).toBeNull();
    for (const id of [flat, hidden, head]) expect(a.nodes.get(id)?.issues).toEqual([]);
  });

  it('a join after a faulty branch reports nothing of its own', () => {
    const g = new GraphBuilder('Cascade into Add');
    const input = g.input(MNIST);
    const good = g.layer('conv2d', { filters: 8, padding: 'same' }, input, 'good');
    const bad = g.layer('dense', { units: 8 }, input, 'bad'); // Dense on an image
    const join = g.layer('add', {}, [good, bad], 'join');
    const a = analyzeGraph(g.build());

    expect(a.issues.map((i) => [i.code, i.nodeId])).toEqual([['E_RANK', bad]]);
    expect(a.nodes.get(join)?.issues).toEqual([]);
    expect(a.nodes.get(join)?.outputShape).toBeNull();
  });
});

describe('the template gallery', () => {
  it.each(TEMPLATES.map((t) => [t.id, t] as const))(
    '%s analyzes with no issues',
    (_id, template) => {
      const a = analyzeGraph(template.build());
      expect(a.issues).toEqual([]);
      expect(a.valid).toBe(true);
      expect(a.inputId).not.toBeNull();
      expect(a.outputId).not.toBeNull();
    },
  );
});
