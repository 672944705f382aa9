// evaluateSplit on a tiny hand-made dataset whose predictions are known in advance: a model whose
// logits are the three pixel values (1x1x3 images, identity weights), so the brightest channel
// is the predicted class. Checks the confusion matrix, accuracies, loss, the misclassified images
// and the right predictions kept per class (at most EXAMPLES_PER_CLASS, the first in test order).
import type { SymbolicTensor } from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { selectBackend, tf } from '../../src/main/engine/backend.ts';
import type { Dataset } from '../../src/main/engine/datasets/index.ts';
import { evaluateSplit } from '../../src/main/engine/evaluate.ts';
import { EXAMPLES_PER_CLASS } from '../../src/shared/events.ts';

type Model = ReturnType<typeof tf.model>;

/** label, pixels (R, G, B); the prediction is the brightest channel. */
const KINDS: Record<string, { label: number; pixels: [number, number, number] }> = {
  right0: { label: 0, pixels: [200, 0, 0] },
  wrong1as2: { label: 1, pixels: [0, 10, 250] },
  right1: { label: 1, pixels: [0, 250, 0] },
  wrong2as0: { label: 2, pixels: [255, 0, 0] },
  right2: { label: 2, pixels: [0, 0, 255] },
};

// 60 right predictions of class 0 (more than are kept), the others spread between them.
const ORDER: string[] = [];
for (let i = 0; i < 60; i++) {
  ORDER.push('right0');
  if (i === 3 || i === 20 || i === 55) ORDER.push('wrong1as2');
  if (i === 10 || i === 40) ORDER.push('right1');
  if (i === 30) ORDER.push('wrong2as0');
  if (i % 15 === 0) ORDER.push('right2');
}

function dataset(): Dataset {
  const n = ORDER.length;
  const images = new Uint8Array(n * 3);
  const labels = new Uint8Array(n);
  ORDER.forEach((k, i) => {
    images.set(KINDS[k]!.pixels, i * 3);
    labels[i] = KINDS[k]!.label;
  });
  const split = { images, labels, count: n };
  return {
    name: 'mnist', // pixels / 255
    classNames: ['a', 'b', 'c'],
    imageShape: [1, 1, 3],
    train: split,
    test: split,
    source: 'test',
    notes: [],
  };
}

/** softmax(pixels / 255)[c]: the model's probability of class c. */
function probability(pixels: number[], c: number): number {
  const e = pixels.map((p) => Math.exp(p / 255));
  return e[c]! / e.reduce((a, b) => a + b, 0);
}

let model: Model;
beforeAll(async () => {
  await selectBackend('wasm');
  const input = tf.input({ shape: [1, 1, 3] });
  const flat = tf.layers.flatten().apply(input) as SymbolicTensor;
  const logits = tf.layers.dense({ units: 3, useBias: false }).apply(flat) as SymbolicTensor;
  model = tf.model({ inputs: input, outputs: logits });
  const eye = tf.eye(3);
  model.setWeights([eye]);
  eye.dispose();
});
afterAll(() => model.dispose());

describe('evaluateSplit', () => {
  it('counts the confusion matrix, accuracies and loss over several batches', () => {
    const ds = dataset();
    const before = tf.memory().numTensors;
    const ev = evaluateSplit(tf, model, ds, ds.test, false, 16);
    expect(tf.memory().numTensors).toBe(before);
    const count = (k: string) => ORDER.filter((o) => o === k).length;
    expect(ev.samples).toBe(ORDER.length);
    expect(ev.classNames).toEqual(['a', 'b', 'c']);
    expect(ev.confusion).toEqual([
      [60, 0, 0],
      [0, count('right1'), count('wrong1as2')],
      [count('wrong2as0'), 0, count('right2')],
    ]);
    const right = 60 + count('right1') + count('right2');
    expect(ev.testAccuracy).toBeCloseTo(right / ORDER.length, 10);
    expect(ev.perClassAccuracy[0]).toBe(1);
    expect(ev.perClassAccuracy[1]).toBeCloseTo(2 / 5, 10);
    expect(ev.perClassAccuracy[2]).toBeCloseTo(count('right2') / (count('right2') + 1), 10);
    const loss =
      ORDER.reduce((s, k) => s - Math.log(probability(KINDS[k]!.pixels, KINDS[k]!.label)), 0) /
      ORDER.length;
    expect(ev.testLoss).toBeCloseTo(loss, 5);
  });

  it('lists every wrong prediction with its confidence, in test order', () => {
    const ds = dataset();
    const ev = evaluateSplit(tf, model, ds, ds.test, false, 16);
    const expected = ORDER.flatMap((k, index) =>
      k.startsWith('wrong')
        ? [{ index, label: KINDS[k]!.label, predicted: k === 'wrong1as2' ? 2 : 0 }]
        : [],
    );
    expect(
      ev.misclassified.map(({ index, label, predicted }) => ({ index, label, predicted })),
    ).toEqual(expected);
    for (const m of ev.misclassified)
      expect(m.confidence).toBeCloseTo(probability(KINDS[ORDER[m.index]!]!.pixels, m.predicted), 5);
  });

  it('keeps the first EXAMPLES_PER_CLASS right predictions of each class, in test order', () => {
    const ds = dataset();
    const ev = evaluateSplit(tf, model, ds, ds.test, false, 16);
    expect(EXAMPLES_PER_CLASS).toBeLessThan(60); // class 0 has more than are kept
    const firstRight = (label: number, max: number) =>
      ORDER.flatMap((k, index) =>
        k.startsWith('right') && KINDS[k]!.label === label ? [index] : [],
      ).slice(0, max);
    const kept = (label: number) => ev.correct.filter((c) => c.label === label).map((c) => c.index);
    expect(kept(0)).toEqual(firstRight(0, EXAMPLES_PER_CLASS));
    expect(kept(1)).toEqual(firstRight(1, EXAMPLES_PER_CLASS));
    expect(kept(2)).toEqual(firstRight(2, EXAMPLES_PER_CLASS));
    expect(ev.correct).toHaveLength(
      EXAMPLES_PER_CLASS + 2 + ORDER.filter((k) => k === 'right2').length,
    );
    // In test order overall, each with the probability of its (right) class.
    expect(ev.correct.map((c) => c.index)).toEqual(
      [...ev.correct.map((c) => c.index)].sort((a, b) => a - b),
    );
    for (const c of ev.correct)
      expect(c.confidence).toBeCloseTo(probability(KINDS[ORDER[c.index]!]!.pixels, c.label), 5);
    // The same whatever the batch size.
    expect(evaluateSplit(tf, model, ds, ds.test, false, 7).correct).toEqual(ev.correct);
  });
});
