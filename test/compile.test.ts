import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileGraph, CompileError } from '../src/main/engine/compile.ts';
import { GraphBuilder } from '../src/shared/graph/builder.ts';
import { getTemplate } from '../src/shared/templates/index.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

describe('compileGraph', () => {
  it('names tfjs layers after the nodes, and block parts after their block', () => {
    const model = compileGraph(tf, getTemplate('resnet18')!.build());
    const names = model.layers.map((l) => l.name);
    expect(names).toContain('stem_conv');
    expect(names).toContain('stage2_block1_shortcut');
    expect(names).toContain('stage2_block1_add');
    expect(names).not.toContain('stage1_block1_shortcut'); // identity shortcut at stride 1
    model.dispose();
  });

  it('builds the same layer names twice (stable names)', () => {
    const a = compileGraph(tf, getTemplate('densenet')!.build());
    const b = compileGraph(tf, getTemplate('densenet')!.build());
    expect(a.layers.map((l) => l.name)).toEqual(b.layers.map((l) => l.name));
    a.dispose();
    b.dispose();
  });

  it('wires a DAG with a skip connection and a concatenation, inputs in edge order', () => {
    const g = new GraphBuilder('skip', undefined);
    const x = g.input([8, 8, 3]);
    const a = g.layer('conv2d', { filters: 4, padding: 'same' }, x, 'a');
    const b = g.layer('conv2d', { filters: 4, padding: 'same' }, a, 'b');
    const sum = g.layer('add', {}, [a, b], 'sum');
    const cat = g.layer('concatenate', {}, [sum, x], 'cat');
    g.chain(cat, [
      ['globalAveragePooling2d', {}, 'gap'],
      ['dense', { units: 3, activation: 'softmax' }, 'out'],
    ]);
    const model = compileGraph(tf, g.build());
    expect(model.getLayer('cat').outputShape).toEqual([null, 8, 8, 7]);
    const inbound = model.getLayer('sum').inboundNodes[0]!.inboundLayers.map((l) => l.name);
    expect(inbound).toEqual(['a', 'b']);
    const y = model.predict(tf.ones([2, 8, 8, 3])) as tf.Tensor;
    expect(y.shape).toEqual([2, 3]);
    expect(
      y
        .sum(1)
        .dataSync()
        .every((v) => Math.abs(v - 1) < 1e-5),
    ).toBe(true);
    y.dispose();
    model.dispose();
  });

  it('refuses an invalid graph with the issues attached', () => {
    const g = new GraphBuilder('bad', 'mnist');
    g.chain(g.input([28, 28, 1]), [['flatten'], ['conv2d', { filters: 4 }]]);
    let err: unknown;
    try {
      compileGraph(tf, g.build());
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CompileError);
    expect((err as CompileError).issues.map((i) => i.code)).toContain('E_RANK');
    expect((err as CompileError).message).toMatch(/E_RANK/);
  });

  it('uses Keras default initialisers: glorot-uniform kernels, zero biases', () => {
    const model = compileGraph(tf, getTemplate('lenet5')!.build());
    const [kernel, bias] = model.getLayer('dense').getWeights();
    const limit = Math.sqrt(6 / (400 + 120));
    const k = kernel!.dataSync();
    expect(Math.max(...k)).toBeLessThanOrEqual(limit);
    expect(Math.min(...k)).toBeGreaterThanOrEqual(-limit);
    expect(Math.max(...k)).toBeGreaterThan(limit * 0.9);
    expect(bias!.dataSync().every((v) => v === 0)).toBe(true);
    model.dispose();
  });
});
