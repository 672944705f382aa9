// Turns uint8 images into float batches only when a batch is formed
// (chapter 10.4: MNIST / 255; 10.10: CIFAR-10 scaled to [-1, 1]).
import type { Tf } from './backend.ts';
import type { Dataset, Split } from './datasets/index.ts';
import { rng } from './random.ts';

export interface Batch {
  xs: ReturnType<Tf['tensor4d']>;
  ys: ReturnType<Tf['tensor2d']>;
}

export type Normalise = (byte: number) => number;

export const normaliser = (dataset: Dataset['name']): Normalise =>
  dataset === 'mnist' ? (b) => b / 255 : (b) => b / 127.5 - 1;

export interface BatchOptions {
  /** Random crop with 4 px zero padding and horizontal flip, from this seed. */
  augmentSeed?: number | null;
}

const PAD = 4;

/** Builds one batch from the samples at `indices` of `split`. */
export function makeBatch(
  tf: Tf,
  ds: Dataset,
  split: Split,
  indices: ArrayLike<number>,
  opts: BatchOptions = {},
): Batch {
  const [h, w, c] = ds.imageShape;
  const size = h * w * c;
  const n = indices.length;
  const classes = ds.classNames.length;
  const x = new Float32Array(n * size);
  const y = new Float32Array(n * classes);
  const norm = normaliser(ds.name);
  const lut = new Float32Array(256).map((_, b) => norm(b));
  const zero = norm(0);
  const r = opts.augmentSeed == null ? null : rng(opts.augmentSeed);
  for (let i = 0; i < n; i++) {
    const src = indices[i]! * size;
    const dst = i * size;
    y[i * classes + split.labels[indices[i]!]!] = 1;
    if (!r) {
      for (let k = 0; k < size; k++) x[dst + k] = lut[split.images[src + k]!]!;
      continue;
    }
    const dy = Math.floor(r() * (2 * PAD + 1)) - PAD;
    const dx = Math.floor(r() * (2 * PAD + 1)) - PAD;
    const flip = r() < 0.5;
    for (let row = 0; row < h; row++) {
      const sr = row + dy;
      for (let col = 0; col < w; col++) {
        const sc0 = col + dx;
        const sc = flip ? w - 1 - sc0 : sc0;
        const o = dst + (row * w + col) * c;
        if (sr < 0 || sr >= h || sc0 < 0 || sc0 >= w) {
          for (let ch = 0; ch < c; ch++) x[o + ch] = zero;
        } else {
          const s = src + (sr * w + sc) * c;
          for (let ch = 0; ch < c; ch++) x[o + ch] = lut[split.images[s + ch]!]!;
        }
      }
    }
  }
  return { xs: tf.tensor4d(x, [n, h, w, c]), ys: tf.tensor2d(y, [n, classes]) };
}

/** A subset of a split as its own split (views, no copies). */
export function subset(split: Split, start: number, end: number, imageSize: number): Split {
  return {
    images: split.images.subarray(start * imageSize, end * imageSize),
    labels: split.labels.subarray(start, end),
    count: end - start,
  };
}
