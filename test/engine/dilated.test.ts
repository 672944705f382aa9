// Dilated convolutions train: tfjs 4.22 has no gradient for dilation > 1; ours
// (src/main/engine/kernels/dilated-gradients.ts) must match the math.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/main/engine/backend.ts';
import { spreadFilter } from '../../src/main/engine/kernels/dilated-gradients.ts';
import { compileGraph } from '../../src/main/engine/compile.ts';
import { trainStep, trainableVariables } from '../../src/main/engine/step.ts';
import { GraphBuilder } from '../../src/shared/graph/builder.ts';

const maxAbs = (t: tf.Tensor): number => tf.tidy(() => tf.max(tf.abs(t)).dataSync()[0]!);

describe.each(['cpu', 'wasm'] as const)('dilated convolution gradients on %s', (backend) => {
  it('spreading the filter with zeros gives the same forward result as dilation', async () => {
    await selectBackend(backend);
    tf.tidy(() => {
      const x = tf.randomNormal([2, 11, 10, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
      const w = tf.randomNormal([3, 2, 3, 4], 0, 1, 'float32', 2) as tf.Tensor4D;
      const a = tf.conv2d(x, w, 1, 'same', 'NHWC', [2, 3]);
      const b = tf.conv2d(x, spreadFilter(tf, w, [2, 3]), 1, 'same');
      expect(maxAbs(a.sub(b)) / maxAbs(a)).toBeLessThan(1e-5);
      const wd = tf.randomNormal([3, 3, 3, 2], 0, 1, 'float32', 3) as tf.Tensor4D;
      const c = tf.depthwiseConv2d(x, wd, 1, 'valid', 'NHWC', 2);
      const d = tf.depthwiseConv2d(x, spreadFilter(tf, wd, [2, 2]), 1, 'valid');
      expect(maxAbs(c.sub(d)) / maxAbs(c)).toBeLessThan(1e-5);
    });
  });

  it.each([
    ['conv2d', 'same'],
    ['conv2d', 'valid'],
    ['depthwise', 'same'],
    ['depthwise', 'valid'],
  ] as const)('%s %s: gradients agree with central differences', async (op, pad) => {
    await selectBackend(backend);
    const x = tf.randomNormal([1, 7, 8, 2], 0, 1, 'float32', 4) as tf.Tensor4D;
    const w = tf.randomNormal(
      [3, 3, 2, op === 'conv2d' ? 3 : 2],
      0,
      1,
      'float32',
      5,
    ) as tf.Tensor4D;
    const f = (xx: tf.Tensor4D, ww: tf.Tensor4D) =>
      (op === 'conv2d'
        ? tf.conv2d(xx, ww, 1, pad, 'NHWC', 2)
        : tf.depthwiseConv2d(xx, ww, 1, pad, 'NHWC', 2)
      )
        .square()
        .sum();
    const [gx, gw] = tf.grads((a, b) => f(a as tf.Tensor4D, b as tf.Tensor4D))([x, w]);
    const probe = (t: tf.Tensor4D, which: 0 | 1, i: number): number => {
      const eps = 1e-2;
      const v = t.dataSync().slice();
      const at = (delta: number) =>
        tf.tidy(() => {
          const u = v.slice();
          u[i]! += delta;
          const moved = tf.tensor4d(u, t.shape);
          return f(which === 0 ? moved : x, which === 1 ? moved : w).dataSync()[0]!;
        });
      return (at(eps) - at(-eps)) / (2 * eps);
    };
    const gxs = gx!.dataSync();
    const gws = gw!.dataSync();
    for (const i of [0, 17, 40, 77, 111]) expect(probe(x, 0, i)).toBeCloseTo(gxs[i]!, 0);
    for (let i = 0; i < gws.length; i += 5) {
      const numeric = probe(w, 1, i);
      expect(Math.abs(numeric - gws[i]!)).toBeLessThan(0.02 * Math.max(1, Math.abs(numeric)));
    }
    tf.dispose([x, w, gx!, gw!]);
  });
});

describe('networks with dilated layers train on wasm', () => {
  it.each([
    [
      'Conv2D with dilation 2',
      'conv2d',
      { filters: 4, kernelSize: [3, 3], dilation: [2, 2], activation: 'relu' },
    ],
    [
      'SeparableConv2D with dilation 2',
      'separableConv2d',
      { filters: 4, kernelSize: [3, 3], dilation: [2, 2], activation: 'relu' },
    ],
  ] as [string, string, Record<string, number | string | number[]>][])(
    '%s: loss falls, tensor count stays flat',
    async (_name, kind, params) => {
      await selectBackend('wasm');
      const g = new GraphBuilder('dilated');
      g.chain(g.input([10, 10, 1]), [[kind, { ...params }], ['flatten'], ['dense', { units: 2 }]]);
      const model = compileGraph(tf, g.build());
      const opt = tf.train.adam(0.01);
      const vars = trainableVariables(model);
      // Bright left half = class 0, bright right half = class 1.
      const n = 16;
      const x = tf.tidy(() => {
        const left = tf.concat([tf.ones([n / 2, 10, 5, 1]), tf.zeros([n / 2, 10, 5, 1])], 2);
        const right = tf.concat([tf.zeros([n / 2, 10, 5, 1]), tf.ones([n / 2, 10, 5, 1])], 2);
        return tf.concat([left, right]).add(tf.randomUniform([n, 10, 10, 1], 0, 0.2, 'float32', 7));
      });
      const y = tf.tidy(() =>
        tf
          .oneHot(tf.tensor1d([...Array(n / 2).fill(0), ...Array(n / 2).fill(1)], 'int32'), 2)
          .toFloat(),
      );
      const losses: number[] = [];
      let tensorsAtStep5 = 0;
      for (let step = 0; step < 40; step++) {
        losses.push(trainStep(tf, model, opt, vars, x, y, false).loss);
        if (step === 5) tensorsAtStep5 = tf.memory().numTensors;
      }
      expect(tf.memory().numTensors).toBe(tensorsAtStep5);
      expect(losses.at(-1)!).toBeLessThan(losses[0]! / 4);
      tf.dispose([x, y]);
      model.dispose();
      opt.dispose();
    },
  );
});
