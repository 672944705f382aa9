// Shared by the export tests: real test images, weights that exercise every part of a layer,
// a graph with every convolution variant, and the Python that has a given module.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

import type * as TF from '@tensorflow/tfjs';

import type { Tf } from '../../src/main/engine/backend.ts';
import type { ExportSource } from '../../src/main/engine/export/source.ts';
import { normaliser } from '../../src/main/engine/batches.ts';
import { locateTestSplit, readTestSplit } from '../../src/main/engine/datasets/index.ts';
import { rng } from '../../src/main/engine/random.ts';
import { GraphBuilder } from '../../src/shared/graph/builder.ts';
import type { DatasetName, GraphDoc } from '../../src/shared/graph/types.ts';

export const REAL_DATA = resolve(import.meta.dirname, '../../../shared/datasets');
export const haveRealData = existsSync(REAL_DATA);

/** The first `n` test images of `dataset`, normalised as training feeds them, NHWC. */
export async function realImages(
  dataset: DatasetName,
  n: number,
): Promise<{ data: Float32Array; shape: number[] }> {
  const dir = await locateTestSplit(REAL_DATA, dataset);
  if (!dir) throw new Error(`No ${dataset} test split in ${REAL_DATA}.`);
  const split = await readTestSplit(dataset, dir);
  const [h, w, c] = split.imageShape;
  const norm = normaliser(dataset);
  const data = Float32Array.from(split.test.images.subarray(0, n * h * w * c), norm);
  return { data, shape: [n, h, w, c] };
}

/**
 * Gives every weight that starts at a constant (biases, BatchNorm's scale, offset and moving
 * statistics) seeded random values, so that an export that drops a bias or mixes up BatchNorm's
 * parameters or epsilon shows in the predictions. Kernels keep their seeded initial values.
 */
export function varyWeights(tf: Tf, model: ReturnType<Tf['model']>, seed: number): void {
  const r = rng(seed);
  const pick: Record<string, () => number> = {
    bias: () => (r() - 0.5) * 0.4,
    gamma: () => 0.6 + r() * 0.8,
    beta: () => (r() - 0.5) * 0.4,
    moving_mean: () => (r() - 0.5) * 0.4,
    moving_variance: () => 0.3 + r() * 1.5,
  };
  for (const w of model.weights) {
    const f = pick[w.originalName.split('/').pop()!];
    if (!f) continue;
    const size = w.shape.reduce((a: number, b) => a * (b ?? 1), 1);
    const v = tf.tensor(Float32Array.from({ length: size }, f), w.shape as number[]);
    w.write(v);
    v.dispose();
  }
}

/** Seeded uniform values in [-1, 1). */
export function randomInputs(shape: number[], seed: number): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => r() * 2 - 1);
}

/** Row-wise softmax of [rows, classes] values. */
export function softmaxRows(values: Float32Array, classes: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let r = 0; r < values.length / classes; r++) {
    const row = values.subarray(r * classes, (r + 1) * classes);
    const max = Math.max(...row);
    const exps = Array.from(row, (v) => Math.exp(v - max));
    const sum = exps.reduce((a, b) => a + b, 0);
    exps.forEach((e, i) => (out[r * classes + i] = e / sum));
  }
  return out;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`Lengths differ: ${a.length} and ${b.length}.`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/**
 * A Python 3 that imports `module` (python3 on the PATH, else Debian's /usr/bin/python3), or
 * null: the tests that need one say "skipped: python3 has no <module>".
 */
export function pythonWith(module: string): string | null {
  for (const python of new Set(['python3', '/usr/bin/python3'])) {
    try {
      execFileSync(python, ['-c', `import ${module}`], { stdio: 'ignore' });
      return python;
    } catch {
      // not this one
    }
  }
  return null;
}

/**
 * Every convolution variant and padding rule in one graph on a [32, 32, 3] input: an even kernel
 * at stride 2 with 'same', a dilated conv, explicit padding, a depthwise conv (even kernel,
 * stride 2, multiplier 2), transposed convs with output padding ('valid', reaching one value
 * past the full convolution), with a requested size (even kernel, 'same') and with a kernel
 * shorter than its stride, a separable conv with multiplier 2 and dilation, 'same' pools that
 * pad, concatenation on channels and on height, Add, BatchNorm on images and on a vector,
 * Flatten before Dense, and every activation.
 */
export function convVariantsGraph(): GraphDoc {
  const g = new GraphBuilder('Conv variants', 'cifar10');
  const x = g.chain(g.input([32, 32, 3]), [
    [
      'conv2d',
      { filters: 4, kernelSize: [4, 4], strides: [2, 2], padding: 'same', activation: 'relu6' },
      'even',
    ],
    [
      'conv2d',
      { filters: 5, kernelSize: [3, 3], dilation: [2, 2], padding: 'same', activation: 'elu' },
      'dilated',
    ],
    [
      'conv2d',
      {
        filters: 4,
        kernelSize: [3, 2],
        padding: [
          [1, 2],
          [0, 1],
        ],
        activation: 'selu',
      },
      'explicit',
    ],
    [
      'depthwiseConv2d',
      {
        kernelSize: [2, 2],
        strides: [2, 2],
        padding: 'same',
        depthMultiplier: 2,
        activation: 'swish',
      },
      'depthwise',
    ],
    [
      'conv2dTranspose',
      {
        filters: 6,
        kernelSize: [3, 3],
        strides: [2, 2],
        padding: 'valid',
        outputPadding: [1, 0],
        activation: 'hardSigmoid',
      },
      'up_padded',
    ],
    [
      'separableConv2d',
      {
        filters: 7,
        kernelSize: [3, 3],
        dilation: [2, 2],
        padding: 'same',
        depthMultiplier: 2,
        activation: 'softplus',
      },
      'separable',
    ],
  ]);
  const maxPool = g.layer(
    'maxPooling2d',
    { poolSize: [3, 3], strides: [2, 2], padding: 'same' },
    x,
    'max_same',
  );
  const avgPool = g.layer(
    'averagePooling2d',
    { poolSize: [3, 3], strides: [2, 2], padding: 'same' },
    x,
    'avg_same',
    1,
  );
  const cat = g.layer('concatenate', {}, [maxPool, avgPool], 'cat_channels');
  const bn = g.layer('batchNormalization', {}, cat, 'bn_image');
  const proj = g.layer(
    'conv2d',
    { filters: 14, kernelSize: [1, 1], activation: 'softsign' },
    cat,
    'proj',
    1,
  );
  const up = g.chain(g.layer('add', {}, [bn, proj], 'sum'), [
    [
      'conv2dTranspose',
      { filters: 5, kernelSize: [4, 4], strides: [2, 2], padding: 'same', outputSize: [19, 18] },
      'up_sized',
    ],
    ['activation', { fn: 'softmax' }, 'channel_softmax'],
    ['conv2dTranspose', { filters: 4, kernelSize: [2, 2], strides: [3, 3] }, 'up_short_kernel'],
    ['activation', { fn: 'leakyRelu', alpha: 0.1 }, 'leaky'],
  ]);
  const shorter = g.layer(
    'conv2d',
    { filters: 4, kernelSize: [2, 1], activation: 'relu' },
    up,
    'shorter',
    1,
  );
  g.chain(g.layer('concatenate', { axis: 1 }, [up, shorter], 'cat_height'), [
    ['relu', {}, 'relu'],
    ['maxPooling2d', { poolSize: [4, 4] }, 'pool'],
    ['flatten', {}, 'flatten'],
    ['dense', { units: 16, activation: 'sigmoid' }, 'hidden'],
    ['batchNormalization', {}, 'bn_vector'],
    ['activation', { fn: 'tanh' }, 'tanh'],
    ['dropout', { rate: 0.3 }, 'dropout'],
    ['dense', { units: 10, activation: 'softmax' }, 'classifier'],
  ]);
  return g.build();
}

/**
 * `source` cut after the layer `name`: its ancestors and itself, the layer's output as the
 * model's, sharing the weights. Exporting each layer's cut compares every layer's own output
 * (a deep random network's final output hardly depends on its early layers).
 */
export function cutAt(tf: Tf, source: ExportSource, name: string): ExportSource {
  const byName = new Map(source.network.layers.map((l) => [l.name, l]));
  const keep = new Set<string>();
  const visit = (n: string): void => {
    if (keep.has(n)) return;
    keep.add(n);
    byName.get(n)!.inputs.forEach(visit);
  };
  visit(name);
  const layers = source.network.layers.filter((l) => keep.has(l.name));
  // A Conv2DTranspose built as Netforge's class applies its activation as `<name>_act`.
  const last =
    source.model.layers.find((l) => l.name === `${name}_act`) ?? source.model.getLayer(name);
  const model = tf.model({
    inputs: source.model.inputs,
    outputs: last.output as TF.SymbolicTensor,
  });
  return {
    ...source,
    network: { layers, input: source.network.input, output: byName.get(name)! },
    model,
  };
}
