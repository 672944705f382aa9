// Batches as the chapter preprocesses them, and CIFAR-10 augmentation.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeBatch } from '../../src/main/engine/batches.ts';
import type { Dataset } from '../../src/main/engine/datasets/index.ts';
import { shuffled, mix } from '../../src/main/engine/random.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function dataset(name: 'mnist' | 'cifar10', count: number): Dataset {
  const [h, w, c] = name === 'mnist' ? [28, 28, 1] : [32, 32, 3];
  const images = new Uint8Array(count * h * w * c);
  // Image i: pixel value = (row * 7 + col * 3 + channel * 50 + i) mod 256, so positions are recognisable.
  for (let i = 0; i < count; i++)
    for (let r = 0; r < h; r++)
      for (let q = 0; q < w; q++)
        for (let ch = 0; ch < c; ch++)
          images[((i * h + r) * w + q) * c + ch] = (r * 7 + q * 3 + ch * 50 + i) % 256;
  const labels = Uint8Array.from({ length: count }, (_, i) => i % 10);
  const split = { images, labels, count };
  return {
    name,
    classNames: [...'0123456789'],
    imageShape: [h, w, c],
    train: split,
    test: split,
    source: 'memory',
    notes: [],
  };
}

describe('makeBatch', () => {
  it('scales MNIST pixels by 1/255 and one-hot encodes labels', () => {
    const ds = dataset('mnist', 4);
    const { xs, ys } = makeBatch(tf, ds, ds.train, [3, 1]);
    expect(xs.shape).toEqual([2, 28, 28, 1]);
    const x = xs.arraySync();
    expect(x[0]![2]![5]![0]).toBeCloseTo(((2 * 7 + 5 * 3 + 3) % 256) / 255, 6);
    expect(ys.arraySync()).toEqual([
      [0, 0, 0, 1, 0, 0, 0, 0, 0, 0],
      [0, 1, 0, 0, 0, 0, 0, 0, 0, 0],
    ]);
    tf.dispose([xs, ys]);
  });

  it('scales CIFAR-10 pixels to [-1, 1] (chapter 10.10)', () => {
    const ds = dataset('cifar10', 2);
    const { xs, ys } = makeBatch(tf, ds, ds.train, [1]);
    const v = xs.arraySync()[0]![4]![6]![2]!;
    expect(v).toBeCloseTo(((4 * 7 + 6 * 3 + 100 + 1) % 256) / 127.5 - 1, 6);
    expect(Math.min(...xs.dataSync())).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...xs.dataSync())).toBeLessThanOrEqual(1);
    tf.dispose([xs, ys]);
  });

  it('augments with a shifted crop (zero padding of 4) and flips, the same way for the same seed', () => {
    const ds = dataset('cifar10', 8);
    const idx = [0, 1, 2, 3, 4, 5, 6, 7];
    const plain = makeBatch(tf, ds, ds.train, idx);
    const a = makeBatch(tf, ds, ds.train, idx, { augmentSeed: 7 });
    const b = makeBatch(tf, ds, ds.train, idx, { augmentSeed: 7 });
    const c = makeBatch(tf, ds, ds.train, idx, { augmentSeed: 8 });
    expect(a.xs.dataSync()).toEqual(b.xs.dataSync());
    expect(a.xs.dataSync()).not.toEqual(c.xs.dataSync());
    expect(a.xs.dataSync()).not.toEqual(plain.xs.dataSync());
    // Each augmented image is its original moved by at most 4 pixels, maybe mirrored:
    // every value it holds is either padding (-1) or some pixel of the original image.
    const orig = plain.xs.arraySync();
    const aug = a.xs.arraySync();
    for (let i = 0; i < idx.length; i++) {
      const values = new Set(orig[i]!.flat(2).map((v) => v.toFixed(5)));
      for (const v of aug[i]!.flat(2)) expect(v === -1 || values.has(v.toFixed(5))).toBe(true);
    }
    // Labels are untouched.
    expect(a.ys.dataSync()).toEqual(plain.ys.dataSync());
    tf.dispose([plain.xs, plain.ys, a.xs, a.ys, b.xs, b.ys, c.xs, c.ys]);
  });
});

describe('seeded shuffling', () => {
  it('is a permutation, repeatable per (seed, epoch), different across epochs', () => {
    const p = shuffled(1000, mix(42, 0));
    expect([...p].sort((x, y) => x - y)).toEqual([...Array(1000).keys()]);
    expect(shuffled(1000, mix(42, 0))).toEqual(p);
    expect(shuffled(1000, mix(42, 1))).not.toEqual(p);
  });
});
