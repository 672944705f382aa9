// What `netforge summary` prints, and reading graph files back: every template
// survives a save and a load, and a file that cannot be read says why.
import { describe, expect, it } from 'vitest';
import { formatSummary, summarize } from '../../src/shared/graph/summary.ts';
import { GraphFileError, parseGraph, parseGraphJson } from '../../src/shared/graph/parse.ts';
import { lenet5 } from '../../src/shared/templates/lenet5.ts';
import { TEMPLATES } from '../../src/shared/templates/index.ts';

describe('summary of LeNet-5', () => {
  const summary = summarize(lenet5.build());

  it('lists every layer with its Keras-style shape (batch first, as None) and parameters', () => {
    expect(summary.layers).toEqual([
      { name: 'input', kind: 'input', outputShape: [null, 28, 28, 1], params: 0 },
      { name: 'conv2d', kind: 'conv2d', outputShape: [null, 26, 26, 6], params: 60 },
      { name: 'max_pooling2d', kind: 'maxPooling2d', outputShape: [null, 13, 13, 6], params: 0 },
      { name: 'relu', kind: 'relu', outputShape: [null, 13, 13, 6], params: 0 },
      { name: 'conv2d_1', kind: 'conv2d', outputShape: [null, 11, 11, 16], params: 880 },
      { name: 'max_pooling2d_1', kind: 'maxPooling2d', outputShape: [null, 5, 5, 16], params: 0 },
      { name: 'relu_1', kind: 'relu', outputShape: [null, 5, 5, 16], params: 0 },
      { name: 'flatten', kind: 'flatten', outputShape: [null, 400], params: 0 },
      { name: 'dense', kind: 'dense', outputShape: [null, 120], params: 48120 },
      { name: 'dense_1', kind: 'dense', outputShape: [null, 84], params: 10164 },
      { name: 'dense_2', kind: 'dense', outputShape: [null, 10], params: 850 },
    ]);
  });

  it('adds up to the 60,074 parameters the chapter quotes, all trainable', () => {
    expect(summary.totalParams).toBe(60074);
    expect(summary.trainableParams).toBe(60074);
    expect(summary.nonTrainableParams).toBe(0);
    expect(summary.multiplyAdds).toBeGreaterThan(0);
  });

  it('prints like model.summary()', () => {
    const text = formatSummary('LeNet-5', summary);
    expect(text).toContain('Model: "LeNet-5"');
    expect(text).toContain('Total params: 60,074');
    expect(text).toContain('Trainable params: 60,074');
    expect(text).toContain('Non-trainable params: 0');
    expect(text).toMatch(/conv2d \(conv2d\)\s+\(None, 26, 26, 6\)\s+60\n/);
    expect(text).toMatch(/dense \(dense\)\s+\(None, 120\)\s+48,120\n/);
  });

  it('shows "?" for a shape that cannot be known, instead of a wrong one', () => {
    const doc = lenet5.build();
    const first = doc.nodes.find((n) => n.name === 'conv2d')!;
    const broken = {
      ...doc,
      nodes: doc.nodes.map((n) => (n === first ? { ...n, params: { filters: 0 } } : n)),
    };
    const s = summarize(broken);
    expect(s.layers.find((l) => l.name === 'dense_2')!.outputShape).toBeNull();
    expect(formatSummary('Broken', s)).toMatch(/dense_2 \(dense\)\s+\?\s/);
  });
});

describe('saving and opening graph files', () => {
  it.each(TEMPLATES.map((t) => [t.id, t] as const))(
    '%s comes back exactly as saved',
    (_id, template) => {
      const doc = template.build();
      expect(parseGraphJson(JSON.stringify(doc))).toEqual(doc);
    },
  );

  it('a file that starts with a UTF-8 byte order mark opens as one without it', () => {
    const doc = lenet5.build();
    expect(parseGraphJson(`\uFEFF${JSON.stringify(doc)}`)).toEqual(doc);
  });

  const saved = (): Record<string, unknown> =>
    JSON.parse(JSON.stringify(lenet5.build())) as Record<string, unknown>;

  /** Opening `text` fails with a GraphFileError; returns its message. */
  function openError(text: string, source?: string): string {
    let error: unknown;
    try {
      parseGraphJson(text, source);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GraphFileError);
    expect((error as GraphFileError).code).toBe('E_BAD_FILE');
    return (error as GraphFileError).message;
  }

  it('a file cut off halfway says it is not valid JSON, naming the file', () => {
    const text = JSON.stringify(saved());
    const message = openError(text.slice(0, text.length / 2), 'lenet.json');
    expect(message).toMatch(/^lenet\.json is not valid JSON/);
    expect(message).toMatch(/Check that it is a Netforge graph file/);
  });

  it('a file of another format says it is not a Netforge graph', () => {
    const message = openError(JSON.stringify({ ...saved(), format: 'keras-model' }));
    expect(message).toMatch(/is not a Netforge graph \(format "netforge-graph", version 1\)/);
    expect(message).toMatch(/format:/);
  });

  it('a file without nodes says "nodes" is what is missing', () => {
    const { nodes: _nodes, ...rest } = saved();
    const message = openError(JSON.stringify(rest), 'net.json');
    expect(message).toMatch(/^net\.json is not a Netforge graph/);
    expect(message).toMatch(/nodes:/);
  });

  it('a file from a newer Netforge says to update Netforge', () => {
    const message = openError(JSON.stringify({ ...saved(), version: 99 }), 'future.json');
    expect(message).toMatch(/^future\.json was written by a newer Netforge/);
    expect(message).toContain('version 99');
    expect(message).toMatch(/Update Netforge to open it/);
  });

  it('a node with a name Keras could not use says which node', () => {
    const doc = saved() as { nodes: { name: string }[] };
    doc.nodes[1]!.name = '2nd conv';
    const message = openError(JSON.stringify(doc));
    expect(message).toMatch(/nodes\.1\.name: a name starts with a letter/);
  });

  it('an already-parsed object is checked the same way', () => {
    expect(() => parseGraph(null)).toThrow(GraphFileError);
    expect(() => parseGraph({ ...saved(), version: 99 })).toThrow(/Update Netforge/);
  });
});
