// Every layer kind, checked "symbolically" (shape, parameter counts) and with
// numbers (a forward pass) against what tfjs builds from the same spec, in the
// spirit of tfjs-layers' own tests; and the spec's facts about the built model
// (producesSoftmax, needsCustomClass) against what tfjs does with it. Adding a
// kind without rows here fails.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAYERS, getLayer, registerCustomClasses } from '../../src/shared/layers/registry.ts';
import { resolveParams } from '../../src/shared/layers/resolve.ts';
import type { AnyLayerSpec, Shape } from '../../src/shared/layers/spec.ts';
import type { ParamValue } from '../../src/shared/layers/params.ts';

interface Case {
  /** Shown in the test name; the params are shown too. */
  note?: string;
  params: Record<string, unknown>;
  inputs: Shape[];
}

const IMG: Shape = [8, 8, 3];
const ODD: Shape = [9, 9, 3];
const VEC: Shape = [12];
/** The chapter's explicit [[top, bottom], [left, right]] padding. */
const PAD = [
  [1, 2],
  [0, 1],
];

const TABLE: Record<string, Case[]> = {
  dense: [
    { params: { units: 5 }, inputs: [VEC] },
    { params: { units: 7, useBias: false }, inputs: [VEC] },
    { params: { units: 4, activation: 'softmax' }, inputs: [[1]] },
  ],
  conv2d: [
    { note: 'defaults', params: { filters: 4 }, inputs: [IMG] },
    { params: { filters: 4, kernelSize: [3, 4], strides: [2, 1], padding: 'same' }, inputs: [IMG] },
    {
      params: { filters: 4, kernelSize: [3, 4], strides: [2, 1], padding: 'valid' },
      inputs: [ODD],
    },
    { params: { filters: 2, kernelSize: 3, strides: 2, padding: 'same' }, inputs: [ODD] },
    { params: { filters: 2, kernelSize: 5, strides: 3, padding: 'valid' }, inputs: [ODD] },
    { params: { filters: 3, padding: PAD }, inputs: [IMG] },
    { params: { filters: 3, kernelSize: [3, 4], strides: [2, 1], padding: PAD }, inputs: [ODD] },
    {
      note: 'short explicit padding',
      params: { filters: 3, padding: 1, strides: 2 },
      inputs: [ODD],
    },
    { params: { filters: 2, dilation: 2 }, inputs: [IMG] },
    { params: { filters: 2, dilation: [2, 1], padding: 'same' }, inputs: [ODD] },
    { params: { filters: 2, dilation: 2, padding: PAD }, inputs: [IMG] },
    { params: { filters: 4, useBias: false }, inputs: [IMG] },
    { note: '1x1', params: { filters: 5, kernelSize: 1, activation: 'relu' }, inputs: [IMG] },
    {
      note: 'softmax over the channels',
      params: { filters: 3, kernelSize: 1, activation: 'softmax' },
      inputs: [IMG],
    },
  ],
  conv2dTranspose: [
    { params: { filters: 2, kernelSize: 3, strides: 1 }, inputs: [[4, 4, 3]] },
    { params: { filters: 2, kernelSize: 3, strides: 2 }, inputs: [[4, 4, 3]] },
    { params: { filters: 2, kernelSize: 3, strides: 2, padding: 'same' }, inputs: [[4, 4, 3]] },
    { params: { filters: 2, kernelSize: [3, 4], strides: [2, 1] }, inputs: [[4, 5, 3]] },
    {
      note: 'kernel smaller than stride',
      params: { filters: 2, kernelSize: 1, strides: 3 },
      inputs: [[3, 3, 2]],
    },
    {
      params: { filters: 2, kernelSize: 3, strides: 2, outputPadding: [1, 1] },
      inputs: [[4, 4, 3]],
    },
    {
      params: { filters: 2, kernelSize: 3, strides: 2, outputPadding: [1, 0], padding: 'same' },
      inputs: [[4, 4, 3]],
    },
    {
      params: { filters: 2, kernelSize: [3, 4], strides: [2, 3], outputPadding: [1, 2] },
      inputs: [[3, 3, 2]],
    },
    { params: { filters: 2, kernelSize: 3, strides: 2, outputSize: [10, 9] }, inputs: [[4, 4, 3]] },
    {
      params: { filters: 2, kernelSize: 3, strides: 2, outputSize: [7, 8], padding: 'same' },
      inputs: [[4, 4, 3]],
    },
    {
      params: { filters: 2, kernelSize: 3, strides: 1, outputSize: [6, 6], useBias: false },
      inputs: [[4, 4, 3]],
    },
    {
      params: { filters: 3, kernelSize: 3, strides: 2, outputSize: [9, 9], activation: 'relu' },
      inputs: [[4, 4, 1]],
    },
    { params: { filters: 2, useBias: false }, inputs: [[4, 4, 3]] },
    {
      note: 'even kernel, SAME, default size requested',
      params: { filters: 2, kernelSize: 4, strides: 2, padding: 'same', outputSize: [8, 8] },
      inputs: [[4, 4, 3]],
    },
    {
      note: 'even kernel, SAME, output padding',
      params: { filters: 2, kernelSize: 4, strides: 2, padding: 'same', outputPadding: [1, 1] },
      inputs: [[4, 4, 3]],
    },
  ],
  separableConv2d: [
    { params: { filters: 4 }, inputs: [IMG] },
    { params: { filters: 4, kernelSize: [3, 4], strides: [2, 1], padding: 'same' }, inputs: [IMG] },
    { params: { filters: 2, dilation: 2 }, inputs: [IMG] },
    { params: { filters: 5, depthMultiplier: 2, strides: 2 }, inputs: [ODD] },
    { params: { filters: 4, useBias: false, kernelSize: 1 }, inputs: [IMG] },
  ],
  depthwiseConv2d: [
    { params: {}, inputs: [IMG] },
    { params: { depthMultiplier: 2 }, inputs: [IMG] },
    { params: { kernelSize: [3, 4], strides: [2, 1], padding: 'same' }, inputs: [ODD] },
    { params: { strides: 2, padding: 'valid', kernelSize: 5 }, inputs: [ODD] },
    { params: { useBias: false, activation: 'relu6' }, inputs: [IMG] },
  ],
  maxPooling2d: [
    { params: {}, inputs: [IMG] },
    { params: {}, inputs: [ODD] },
    { params: { poolSize: 3, strides: 2 }, inputs: [ODD] },
    { params: { poolSize: 3, strides: 2, padding: 'same' }, inputs: [IMG] },
    { params: { poolSize: [2, 3], strides: [1, 2] }, inputs: [IMG] },
    { params: { poolSize: 2, strides: 1 }, inputs: [[5, 5, 1]] },
  ],
  averagePooling2d: [
    { params: {}, inputs: [IMG] },
    { params: { poolSize: 3, strides: 2 }, inputs: [ODD] },
    { params: { poolSize: 3, strides: 2, padding: 'same' }, inputs: [IMG] },
    { params: { poolSize: [2, 3], strides: [1, 2], padding: 'same' }, inputs: [ODD] },
  ],
  globalAveragePooling2d: [
    { params: {}, inputs: [IMG] },
    { params: {}, inputs: [[5, 7, 2]] },
  ],
  batchNormalization: [
    { params: {}, inputs: [IMG] },
    { params: { center: false }, inputs: [IMG] },
    { params: { scale: false }, inputs: [IMG] },
    { params: { center: false, scale: false, momentum: 0.9 }, inputs: [IMG] },
    { params: {}, inputs: [VEC] },
  ],
  activation: [
    { params: {}, inputs: [IMG] },
    { params: { fn: 'sigmoid' }, inputs: [IMG] },
    { params: { fn: 'tanh' }, inputs: [VEC] },
    { params: { fn: 'softmax' }, inputs: [VEC] },
    { params: { fn: 'elu' }, inputs: [IMG] },
    { params: { fn: 'swish' }, inputs: [IMG] },
    { params: { fn: 'hardSigmoid' }, inputs: [IMG] },
    { params: { fn: 'leakyRelu', alpha: 0.1 }, inputs: [IMG] },
  ],
  relu: [
    { params: {}, inputs: [IMG] },
    { params: {}, inputs: [VEC] },
  ],
  flatten: [
    { params: {}, inputs: [IMG] },
    { params: {}, inputs: [[5, 7, 2]] },
    { params: {}, inputs: [[4, 3]] },
    { note: 'already flat', params: {}, inputs: [VEC] },
  ],
  dropout: [
    { params: {}, inputs: [IMG] },
    { params: { rate: 0 }, inputs: [VEC] },
    { params: { rate: 0.25 }, inputs: [IMG] },
  ],
  add: [
    { params: {}, inputs: [IMG, IMG] },
    { params: {}, inputs: [VEC, VEC, VEC] },
  ],
  concatenate: [
    { params: {}, inputs: [IMG, [8, 8, 5]] },
    { params: {}, inputs: [IMG, [8, 8, 1], [8, 8, 2]] },
    {
      params: { axis: 1 },
      inputs: [
        [4, 8, 3],
        [6, 8, 3],
      ],
    },
    {
      params: { axis: -2 },
      inputs: [
        [8, 4, 3],
        [8, 2, 3],
      ],
    },
    { params: { axis: 3 }, inputs: [IMG, IMG] },
    { params: {}, inputs: [VEC, [4]] },
  ],
  resnetBasicBlock: [
    { note: 'identity shortcut', params: { filters: 4 }, inputs: [[8, 8, 4]] },
    { note: 'stride 2, 1x1 shortcut', params: { filters: 8, stride: 2 }, inputs: [[8, 8, 4]] },
    { note: 'stride 2, odd input', params: { filters: 4, stride: 2 }, inputs: [ODD] },
    {
      note: 'projection at stride 1',
      params: { filters: 6, projection: true },
      inputs: [[8, 8, 4]],
    },
  ],
  denseBlock: [
    { params: { layers: 2, growthRate: 3 }, inputs: [IMG] },
    { note: 'bottleneck', params: { layers: 3, growthRate: 2, bottleneck: true }, inputs: [IMG] },
  ],
  inceptionModule: [
    {
      params: {
        filters1x1: 2,
        reduce3x3: 2,
        filters3x3: 3,
        reduce5x5: 1,
        filters5x5: 2,
        poolProjection: 2,
      },
      inputs: [IMG],
    },
    {
      params: {
        filters1x1: 1,
        reduce3x3: 1,
        filters3x3: 1,
        reduce5x5: 1,
        filters5x5: 1,
        poolProjection: 1,
      },
      inputs: [[5, 7, 2]],
    },
  ],
};

const sizeOf = (ws: { shape: tf.Shape }[]): number =>
  ws.reduce((sum, w) => sum + w.shape.reduce<number>((a, d) => a * (d ?? 0), 1), 0);

const title = (c: Case): string =>
  `${c.note ? `${c.note}: ` : ''}${JSON.stringify(c.params)} on ${c.inputs.map((s) => `[${s.join(',')}]`).join(' + ')}`;

/** tfjs's own serialisable classes: those registered before any Netforge class is. */
const TFJS_CLASSES = new Set(Object.keys(tf.serialization.SerializationMap.getMap().classNameMap));

/** The model in the TF.js layers format, in memory (as save-model.ts writes it to files). */
async function saved(model: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let artifacts: tf.io.ModelArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return artifacts!;
}

/** Loads saved artifacts with only tfjs's own classes registered: null, or why it failed. */
async function loadWithTfjsClassesOnly(artifacts: tf.io.ModelArtifacts): Promise<string | null> {
  const map = tf.serialization.SerializationMap.getMap().classNameMap;
  const hidden = Object.entries(map).filter(([name]) => !TFJS_CLASSES.has(name));
  for (const [name] of hidden) delete map[name];
  try {
    (await tf.loadLayersModel(tf.io.fromMemory(artifacts))).dispose();
    return null;
  } catch (e) {
    return (e as Error).message;
  } finally {
    for (const [name, entry] of hidden) map[name] = entry;
  }
}

/** Every slice along the last axis is non-negative and sums to 1. */
function isSoftmax(y: tf.Tensor): boolean {
  const last = y.shape.at(-1)!;
  const v = y.dataSync();
  for (let i = 0; i < v.length; i += last) {
    const row = Array.from(v.subarray(i, i + last));
    if (row.some((x) => x < 0) || Math.abs(row.reduce((a, b) => a + b, 0) - 1) > 1e-5) return false;
  }
  return true;
}

/**
 * (d) producesSoftmax says whether the output is a softmax; (e) needsCustomClass says whether the
 * saved model needs a class of Netforge's own to load, and registerCustomClasses() supplies it.
 */
async function checkFacts(
  spec: AnyLayerSpec,
  values: Record<string, ParamValue>,
  model: tf.LayersModel,
  xs: tf.Tensor[],
  y: tf.Tensor,
): Promise<void> {
  expect(spec.producesSoftmax(values), 'producesSoftmax').toBe(isSoftmax(y));
  const artifacts = await saved(model);
  const failure = await loadWithTfjsClassesOnly(artifacts);
  expect(failure === null ? 'loads' : failure, 'needsCustomClass').toMatch(
    spec.needsCustomClass(values) ? /^Unknown layer/ : /^loads$/,
  );
  registerCustomClasses(tf);
  const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  const again = loaded.predict(xs.length === 1 ? xs[0]! : xs) as tf.Tensor;
  expect(Array.from(again.dataSync())).toEqual(Array.from(y.dataSync()));
  tf.dispose(again);
  loaded.dispose();
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

afterAll(() => {
  tf.disposeVariables();
});

describe('layer registry', () => {
  it('has a table row for every kind but input, and no rows for unknown kinds', () => {
    const kinds = LAYERS.map((l) => l.kind).filter((k) => k !== 'input');
    expect(Object.keys(TABLE).sort()).toEqual([...kinds].sort());
    for (const k of kinds) expect(TABLE[k]!.length, k).toBeGreaterThanOrEqual(2);
  });

  it('has unique kinds, each findable by getLayer', () => {
    const kinds = LAYERS.map((l) => l.kind);
    expect(new Set(kinds).size).toBe(kinds.length);
    for (const k of kinds) expect(getLayer(k)?.kind).toBe(k);
  });

  it('input: neither a softmax nor a class of its own (a model that is only its input)', async () => {
    const spec = getLayer('input')!;
    const { values } = resolveParams(spec, { shape: [5] });
    const x = tf.input({ shape: [5] });
    const model = tf.model({ inputs: x, outputs: spec.build(tf, values, { name: 'n' })([x]) });
    const xs = [tf.randomNormal([2, 5])];
    const y = model.predict(xs[0]!) as tf.Tensor;
    try {
      await checkFacts(spec, values, model, xs, y);
    } finally {
      tf.dispose([...xs, y]);
      model.dispose();
    }
  });

  for (const [kind, cases] of Object.entries(TABLE)) {
    describe(kind, () => {
      for (const c of cases) {
        it(title(c), async () => {
          const spec = getLayer(kind);
          expect(spec, `registry has ${kind}`).toBeDefined();
          const { values, errors } = resolveParams(spec!, c.params);
          expect(errors).toEqual([]);
          expect(c.inputs.length).toBeGreaterThanOrEqual(spec!.inputs.min);
          expect(c.inputs.length).toBeLessThanOrEqual(spec!.inputs.max);

          const ours = spec!.outputShape(c.inputs, values);
          const counts = spec!.paramCount(c.inputs, values);

          const inputs = c.inputs.map((shape) => tf.input({ shape }));
          const output = spec!.build(tf, values, { name: 'n' })(inputs);
          const model = tf.model({ inputs, outputs: output });
          try {
            // (a) shape rule = what tfjs infers
            expect(ours).toEqual(output.shape.slice(1));
            // (b) counts = tfjs weights, split as Keras splits them
            expect(counts.trainable).toBe(sizeOf(model.trainableWeights));
            expect(counts.nonTrainable).toBe(sizeOf(model.nonTrainableWeights));
            expect(counts.trainable + counts.nonTrainable).toBe(model.countParams());
            // (c) a forward pass really produces that shape
            const xs = c.inputs.map((s) => tf.randomNormal([2, ...s]));
            const y = model.predict(xs.length === 1 ? xs[0]! : xs) as tf.Tensor;
            expect(y.shape).toEqual([2, ...ours]);
            expect(Array.from(y.dataSync()).every(Number.isFinite)).toBe(true);
            await checkFacts(spec!, values, model, xs, y);
            tf.dispose([...xs, y]);
          } finally {
            model.dispose();
          }
        });
      }
    });
  }
});
