// Every template's totals against the chapter (seed-reference.md), and against
// what TensorFlow.js counts in the model the compiler builds from it.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { TEMPLATES, getTemplate } from '../src/shared/templates/index.ts';
import { analyzeGraph } from '../src/shared/graph/analyze.ts';
import { compileGraph } from '../src/main/engine/compile.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

const sizeOf = (ws: tf.LayerVariable[]): number =>
  ws.reduce((n, w) => n + (w.shape as number[]).reduce((a, b) => a * b, 1), 0);

describe('chapter parameter counts', () => {
  // [template, total, trainable] as the chapter's Keras summaries count them.
  const chapter: [string, number, number][] = [
    ['mlp', 335_114, 335_114],
    ['lenet5', 60_074, 60_074],
    ['lenet5-bn', 60_162, 60_118],
    ['vgg13', 9_570_506, 9_570_506],
    ['resnet18', 11_184_778, 11_176_970],
    ['resnet34', 21_304_074, 21_288_842],
  ];
  it.each(chapter)('%s has %i parameters, %i trainable', (id, total, trainable) => {
    const a = analyzeGraph(getTemplate(id)!.build());
    expect(a.issues).toEqual([]);
    expect(a.totals.total).toBe(total);
    expect(a.totals.trainable).toBe(trainable);
  });

  it("VGG13's convolutional part has 9,404,992 parameters and its first four convs 1,792 / 36,928 / 73,856 / 147,584", () => {
    const a = analyzeGraph(getTemplate('vgg13')!.build());
    const convs = a.order.map((id) => a.nodes.get(id)!).filter((n) => n.kind === 'conv2d');
    const counts = convs.map((n) => n.paramCount.trainable);
    expect(counts.slice(0, 4)).toEqual([1_792, 36_928, 73_856, 147_584]);
    expect(counts.reduce((x, y) => x + y, 0)).toBe(9_404_992);
  });

  it('LeNet-5 with BN adds 24 and 64 parameters, half of them non-trainable', () => {
    const a = analyzeGraph(getTemplate('lenet5-bn')!.build());
    const bn = [...a.nodes.values()]
      .filter((n) => n.kind === 'batchNormalization')
      .map((n) => n.paramCount);
    expect(bn).toEqual([
      { trainable: 12, nonTrainable: 12 },
      { trainable: 32, nonTrainable: 32 },
    ]);
  });
});

describe('every template compiles to a tfjs model with the same counts and output', () => {
  it.each(TEMPLATES.map((t) => [t.id, t] as const))('%s', (_id, t) => {
    const doc = t.build();
    const a = analyzeGraph(doc);
    const model = compileGraph(tf, doc);
    try {
      expect(sizeOf(model.trainableWeights)).toBe(a.totals.trainable);
      expect(sizeOf(model.nonTrainableWeights)).toBe(a.totals.nonTrainable);
      expect(model.outputs[0]!.shape).toEqual([null, 10]);
      expect(model.inputs[0]!.shape).toEqual(
        t.dataset === 'mnist' ? [null, 28, 28, 1] : [null, 32, 32, 3],
      );
    } finally {
      model.dispose();
    }
  });
});
