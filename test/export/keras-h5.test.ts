// keras-h5 export, checked by the tools that open it: Debian's h5py opens the file, and a NumPy
// forward pass computed from the file alone (test/export/keras_h5_check.py: the layer configs,
// inbound nodes and weight datasets, with Keras's semantics) reproduces Netforge's predictions on
// 100 real MNIST test images, for LeNet-5 and a ResNet BasicBlock net trained here, and for an
// untrained design using every other layer kind and parameter Keras has to express.
import { existsSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { selectBackend, tf } from '../../src/main/engine/backend.ts';
import { makeBatch } from '../../src/main/engine/batches.ts';
import { loadDataset } from '../../src/main/engine/datasets/index.ts';
import { WRITERS } from '../../src/main/engine/export/index.ts';
import { designSource, runSource, type ExportSource } from '../../src/main/engine/export/source.ts';
import { staged } from '../../src/main/engine/export/writer.ts';
import { runTraining } from '../../src/main/engine/run.ts';
import { trainRequestSchema } from '../../src/shared/engine-protocol.ts';
import { GraphBuilder } from '../../src/shared/graph/builder.ts';
import type { GraphDoc } from '../../src/shared/graph/types.ts';
import { getTemplate } from '../../src/shared/templates/index.ts';
import { tempDirs } from '../engine/fixtures.ts';
import { pythonWith, runPythonJson, writeNpy } from './keras-python.ts';

const REAL = resolve(import.meta.dirname, '../../../shared/datasets');
const CHECK = resolve(import.meta.dirname, 'keras_h5_check.py');
const python = pythonWith(['h5py', 'numpy']);
const skip = !python
  ? 'skipped: python3 has no h5py'
  : !existsSync(REAL)
    ? `skipped: no datasets in ${REAL}`
    : null;

interface Report {
  class_name: string;
  keras_version: string;
  backend: string;
  layers: { name: string; class_name: string; config_name: string; inbound: string[][] }[];
  input_layers: [string, number, number][] | null;
  output_layers: [string, number, number][] | null;
  layer_names: string[];
  weight_names: Record<string, string[]>;
  weights: Record<string, { shape: number[] | null; max_diff: number | null }>;
  training_config: {
    loss: { config: { from_logits: boolean } };
    optimizer_config: { class_name: string; config: Record<string, unknown> };
  };
  output_shape: number[];
  prediction_max_diff: number | null;
  same_classes: number | null;
}

/** A small ResNet: stem, a BasicBlock at stride 1 and one at stride 2 (1x1 shortcut). */
function resnetBlocks(): GraphDoc {
  const g = new GraphBuilder('ResNet blocks', 'mnist');
  let x = g.chain(g.input([28, 28, 1]), [
    ['conv2d', { filters: 8, kernelSize: [3, 3], padding: 'same' }, 'stem_conv'],
    // A quick momentum moves the moving statistics far from their start in a few steps.
    ['batchNormalization', { momentum: 0.5 }, 'stem_bn'],
    ['activation', { fn: 'relu' }, 'stem_relu'],
  ]);
  x = g.layer('resnetBasicBlock', { filters: 8, stride: 1 }, x, 'block1');
  x = g.layer('resnetBasicBlock', { filters: 16, stride: 2 }, x, 'block2');
  g.chain(x, [['globalAveragePooling2d'], ['dense', { units: 10 }]]);
  return g.build();
}

/** Every other kind and the parameters Keras must carry over: sizes, paddings, dilations, ... */
function otherKinds(): GraphDoc {
  const g = new GraphBuilder('Other kinds', 'mnist');
  const input = g.input([28, 28, 1]);
  const a = g.chain(input, [
    [
      'conv2d',
      { filters: 4, kernelSize: [3, 4], strides: [2, 1], padding: 'same', activation: 'relu6' },
      'c1',
    ],
    [
      'depthwiseConv2d',
      {
        kernelSize: [4, 4],
        strides: [2, 2],
        padding: 'same',
        depthMultiplier: 2,
        activation: 'tanh',
      },
      'dw',
    ],
    [
      'conv2dTranspose',
      { filters: 6, kernelSize: [3, 3], strides: [2, 2], padding: 'same', outputPadding: [1, 0] },
      'up_same',
    ],
    [
      'conv2dTranspose',
      {
        filters: 4,
        kernelSize: [4, 4],
        strides: [1, 1],
        padding: 'same',
        activation: 'hardSigmoid',
      },
      'up_even',
    ],
    [
      'separableConv2d',
      {
        filters: 8,
        kernelSize: [3, 3],
        padding: 'same',
        dilation: [2, 2],
        depthMultiplier: 2,
        activation: 'elu',
      },
      'sep',
    ],
    ['batchNormalization', { center: false }, 'bn'],
    ['averagePooling2d', { poolSize: [3, 3], strides: [2, 2], padding: 'same' }, 'avg'],
    ['flatten', {}, 'flat_a'],
  ]);
  const b = g.chain(input, [
    [
      'conv2d',
      {
        filters: 3,
        kernelSize: [3, 3],
        padding: [
          [1, 2],
          [0, 1],
        ],
        dilation: [2, 2],
        activation: 'sigmoid',
      },
      'padded',
    ],
    ['maxPooling2d', { poolSize: [2, 2], padding: 'same' }, 'maxp'],
    [
      'conv2dTranspose',
      { filters: 2, kernelSize: [3, 3], strides: [2, 2], padding: 'valid', outputSize: [30, 28] },
      'up_valid',
    ],
    [
      'conv2dTranspose',
      {
        filters: 2,
        kernelSize: [2, 2],
        strides: [2, 2],
        padding: 'same',
        outputPadding: [0, 0],
        activation: 'selu',
      },
      'up_even2',
    ],
    ['activation', { fn: 'leakyRelu', alpha: 0.2 }, 'leaky'],
    ['relu', {}, 'plain_relu'],
    ['flatten', {}, 'flat_b'],
  ]);
  g.chain(g.layer('concatenate', {}, [a, b], 'joined'), [
    ['dropout', { rate: 0.3 }, 'drop'],
    ['dense', { units: 12, activation: 'swish', useBias: false }, 'hidden'],
    ['batchNormalization', { scale: false }, 'bn_flat'],
    ['dense', { units: 10 }, 'out'],
  ]);
  return g.build();
}

const dirs = tempDirs('keras-h5');
let x: ReturnType<typeof tf.tensor4d>;

/** Trains `graph` on 512 real MNIST images for one epoch and returns the run as an export source. */
async function trained(graph: GraphDoc): Promise<ExportSource> {
  const runDir = join(await dirs.make(), 'run');
  const req = trainRequestSchema.parse({
    graph,
    config: {
      dataset: 'mnist',
      epochs: 1,
      batchSize: 32,
      learningRate: 0.05,
      momentum: 0.9,
      limitTrain: 512,
      limitTest: 100,
    },
    runDir,
    dataDir: REAL,
    backend: 'wasm',
  });
  let error: unknown = null;
  await runTraining(req, (e) => {
    if (e.type === 'error') error = e;
  });
  expect(error).toBeNull();
  return runSource(tf, runDir);
}

/** Exports `source` as keras-h5 and runs the Python check on it. */
async function exportAndCheck(source: ExportSource): Promise<Report> {
  const dir = await dirs.make();
  const index: { layer: string; weight: string; file: string }[] = [];
  for (const l of source.model.layers)
    for (const w of l.weights) {
      const weight = w.originalName.split('/').pop()!;
      const file = `${l.name}__${weight}.npy`;
      await writeNpy(join(dir, file), (await w.read().data()) as Float32Array, w.shape as number[]);
      index.push({ layer: l.name, weight, file });
    }
  await writeFile(join(dir, 'weights.json'), JSON.stringify(index));
  await writeNpy(join(dir, 'x.npy'), (await x.data()) as Float32Array, x.shape);
  const predicted = source.model.predict(x) as ReturnType<typeof tf.tensor2d>;
  await writeNpy(
    join(dir, 'expected.npy'),
    (await predicted.data()) as Float32Array,
    predicted.shape,
  );
  predicted.dispose();
  const out = join(dir, 'model.h5');
  await staged(out, 'file', (path) => WRITERS['keras-h5']!.write(tf, source, path, {}, () => {}));
  const report = runPythonJson<Report>(python!, [CHECK, out, dir]);
  // Every trained weight is in the file at Keras's path, unchanged.
  expect(Object.keys(report.weights).length).toBe(index.length);
  for (const [key, w] of Object.entries(report.weights)) {
    expect(w.shape, key).not.toBeNull();
    expect(w.max_diff, key).toBe(0);
  }
  expect(report.keras_version).toBe('2.15.0');
  expect(report.backend).toBe('tensorflow');
  expect(report.output_shape).toEqual([100, 10]);
  console.log(
    `${source.graph.name}: largest difference from tfjs's predictions ${report.prediction_max_diff}`,
  );
  expect(report.prediction_max_diff).toBeLessThan(1e-4);
  expect(report.same_classes).toBe(100);
  return report;
}

/** The wiring model_config should list: each layer with the layers feeding it. */
function wiring(source: ExportSource): { name: string; inbound: string[][] }[] {
  return source.network.layers.map((l) => ({
    name: l.name,
    inbound: l.inputs.length ? [l.inputs] : [],
  }));
}

describe.skipIf(skip !== null)(skip ? `keras-h5 (${skip})` : 'keras-h5', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
    const ds = await loadDataset('mnist', { dataDir: REAL });
    x = makeBatch(
      tf,
      ds,
      ds.test,
      Array.from({ length: 100 }, (_, i) => i),
    ).xs;
  });
  afterAll(() => dirs.cleanup());

  it('LeNet-5 trained on MNIST: a Sequential model_config, the trained weights, the same predictions', async () => {
    const source = await trained(getTemplate('lenet5')!.build());
    const report = await exportAndCheck(source);
    expect(report.class_name).toBe('Sequential');
    expect(report.layers.map(({ name, inbound }) => ({ name, inbound }))).toEqual(wiring(source));
    expect(report.layers.map((l) => l.class_name)).toEqual([
      'InputLayer',
      'Conv2D',
      'MaxPooling2D',
      'ReLU',
      'Conv2D',
      'MaxPooling2D',
      'ReLU',
      'Flatten',
      'Dense',
      'Dense',
      'Dense',
    ]);
    // A Sequential model's weights list its layers without the InputLayer, in order.
    expect(report.layer_names).toEqual(source.network.layers.slice(1).map((l) => l.name));
    expect(report.weight_names.conv2d).toEqual(['conv2d/kernel:0', 'conv2d/bias:0']);
    expect(report.weight_names.relu).toEqual([]);
    expect(report.weights['dense/dense/kernel:0']!.shape).toEqual([400, 120]);
    expect(report.training_config.loss.config.from_logits).toBe(true);
    expect(report.training_config.optimizer_config).toMatchObject({
      class_name: 'SGD',
      config: { learning_rate: 0.05, momentum: 0.9 },
    });
  });

  it('a ResNet BasicBlock net trained on MNIST: Functional, Add joins, BatchNormalization statistics', async () => {
    const source = await trained(resnetBlocks());
    const report = await exportAndCheck(source);
    expect(report.class_name).toBe('Functional');
    expect(report.layers.map(({ name, inbound }) => ({ name, inbound }))).toEqual(wiring(source));
    expect(report.layers.find((l) => l.name === 'block2_add')!.inbound).toEqual([
      ['block2_bn2', 'block2_shortcut'],
    ]);
    expect(report.input_layers).toEqual([['input', 0, 0]]);
    expect(report.output_layers).toEqual([[source.network.output.name, 0, 0]]);
    expect(report.layer_names).toEqual(source.network.layers.map((l) => l.name));
    expect(report.weight_names.stem_bn).toEqual([
      'stem_bn/gamma:0',
      'stem_bn/beta:0',
      'stem_bn/moving_mean:0',
      'stem_bn/moving_variance:0',
    ]);
  });

  it('an untrained design with every other kind: transposed (output padding, even kernels), depthwise, separable, dilated, explicit padding', async () => {
    await selectBackend('wasm');
    const source = designSource(tf, otherKinds());
    const report = await exportAndCheck(source);
    const names = report.layers.map((l) => l.name);
    // Keras's own layers where tfjs needed extra ones or Netforge's classes.
    expect(names).toContain('padded_pad');
    expect(names).toContain('c1_relu6');
    expect(report.layers.find((l) => l.name === 'c1_relu6')!.inbound).toEqual([['c1']]);
    expect(report.layers.find((l) => l.name === 'dw')!.inbound).toEqual([['c1_relu6']]);
    expect(report.weight_names.sep).toEqual([
      'sep/depthwise_kernel:0',
      'sep/pointwise_kernel:0',
      'sep/bias:0',
    ]);
    expect(report.weight_names.bn).toEqual([
      'bn/gamma:0',
      'bn/moving_mean:0',
      'bn/moving_variance:0',
    ]);
  });

  it('a failed export leaves no file behind', async () => {
    const dir = await dirs.make();
    const source = { ...designSource(tf, getTemplate('lenet5')!.build()) };
    // A model lacking the graph's layers: the writer fails part-way through.
    source.model = designSource(tf, getTemplate('mlp')!.build()).model;
    await expect(
      staged(join(dir, 'model.h5'), 'file', (p) =>
        WRITERS['keras-h5']!.write(tf, source, p, {}, () => {}),
      ),
    ).rejects.toThrow();
    expect(await readdir(dir)).toEqual([]);
  });
});
