// The chapter's exact numerical examples (seed-reference.md, "Numerical examples"),
// run through the layers our specs build, with the chapter's kernel set as weights.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conv2d } from '../../src/shared/layers/conv2d.ts';
import { conv2dTranspose } from '../../src/shared/layers/conv2d-transpose.ts';
import { resolveParams } from '../../src/shared/layers/resolve.ts';
import type { AnyLayerSpec } from '../../src/shared/layers/spec.ts';

const W = [
  [-1, 2, -3],
  [4, -5, 6],
  [-7, 8, -9],
];
const CONV_OUT = [
  [-56, -61],
  [-76, -81],
];
const TRANSPOSED_OUT = [
  [56, -51, 46, 183],
  [-148, -35, 35, -123],
  [88, 35, -35, 63],
  [532, -41, 36, 729],
];

/** The chapter's kernel; [kh, kw, in, out] for conv2d and [kh, kw, out, in] for the transpose: both 1. */
const kernel = (): tf.Tensor4D => tf.tensor4d(W.flat(), [3, 3, 1, 1]);
/** 1..n*n as a [1, n, n, 1] image. */
const ramp = (n: number): tf.Tensor4D =>
  tf.tensor4d(
    Array.from({ length: n * n }, (_, i) => i + 1),
    [1, n, n, 1],
  );

/** Builds one spec as a one-layer model on [n, n, 1], with the chapter's kernel as its weights. */
function modelOf(spec: AnyLayerSpec, raw: Record<string, unknown>, n: number): tf.LayersModel {
  const { values, errors } = resolveParams(spec, raw);
  expect(errors).toEqual([]);
  const input = tf.input({ shape: [n, n, 1] });
  const model = tf.model({
    inputs: input,
    outputs: spec.build(tf, values, { name: 'chapter' })([input]),
  });
  const layer = model.getLayer('chapter');
  expect(layer.getWeights().map((w) => w.shape)).toEqual([[3, 3, 1, 1]]);
  const w = kernel();
  layer.setWeights([w]);
  w.dispose();
  return model;
}

function run(model: tf.LayersModel, x: tf.Tensor): tf.Tensor {
  const y = model.predict(x) as tf.Tensor;
  model.dispose();
  return y;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

afterAll(() => {
  tf.disposeVariables();
});

describe('chapter numbers: x = 1..16 as [1,4,4,1], w = [[-1,2,-3],[4,-5,6],[-7,8,-9]]', () => {
  const conv = { filters: 1, kernelSize: 3, strides: 1, padding: 'valid', useBias: false };

  it('conv2d, stride 1, VALID = [[-56,-61],[-76,-81]]', () => {
    const x = ramp(4);
    const y = run(modelOf(conv2d, conv, 4), x);
    expect(y.shape).toEqual([1, 2, 2, 1]);
    expect(y.squeeze().arraySync()).toEqual(CONV_OUT);
    tf.dispose([x, y]);
  });

  for (const [how, extra] of [
    ['the tfjs Conv2DTranspose layer', {}],
    ['the output-size layer, output 4x4 requested', { outputSize: [4, 4] }],
  ] as const) {
    it(`its transposed conv (stride 1, VALID) through ${how} = the chapter's 4x4`, () => {
      const x = tf.tensor4d(CONV_OUT.flat(), [1, 2, 2, 1]);
      const raw = {
        filters: 1,
        kernelSize: 3,
        strides: 1,
        padding: 'valid',
        useBias: false,
        ...extra,
      };
      const y = run(modelOf(conv2dTranspose, raw, 2), x);
      expect(y.shape).toEqual([1, 4, 4, 1]);
      expect(y.squeeze().arraySync()).toEqual(TRANSPOSED_OUT);
      tf.dispose([x, y]);
    });
  }

  it('conv then transposed conv chain in one model reproduces both results', () => {
    const c = resolveParams(conv2d, conv).values;
    const t = resolveParams(conv2dTranspose, { ...conv, outputSize: [4, 4] }).values;
    const input = tf.input({ shape: [4, 4, 1] });
    const mid = conv2d.build(tf, c, { name: 'down' })([input]);
    const out = conv2dTranspose.build(tf, t, { name: 'up' })([mid]);
    const model = tf.model({ inputs: input, outputs: [mid, out] });
    for (const name of ['down', 'up']) {
      const w = kernel();
      model.getLayer(name).setWeights([w]);
      w.dispose();
    }
    const x = ramp(4);
    const [a, b] = model.predict(x) as tf.Tensor[];
    expect(a!.squeeze().arraySync()).toEqual(CONV_OUT);
    expect(b!.squeeze().arraySync()).toEqual(TRANSPOSED_OUT);
    tf.dispose([x, a!, b!]);
    model.dispose();
  });
});

describe('chapter numbers: x = 1..25 as [1,5,5,1], stride 2', () => {
  const conv = { filters: 1, kernelSize: 3, strides: 2, padding: 'valid', useBias: false };

  it('conv2d stride 2 VALID gives [1,2,2,1], and transposed back with output 5x5 gives [1,5,5,1]', () => {
    const x = ramp(5);
    const down = run(modelOf(conv2d, conv, 5), x);
    expect(down.shape).toEqual([1, 2, 2, 1]);
    // Direct tf.conv2d: the layer adds nothing to the op.
    const direct = tf.tidy(() => tf.conv2d(x, kernel(), 2, 'valid'));
    expect(down.arraySync()).toEqual(direct.arraySync());

    const up = run(modelOf(conv2dTranspose, { ...conv, outputSize: [5, 5] }, 2), down);
    expect(up.shape).toEqual([1, 5, 5, 1]);
    const upDirect = tf.tidy(() =>
      tf.conv2dTranspose(down as tf.Tensor4D, kernel(), [1, 5, 5, 1], 2, 'valid'),
    );
    expect(up.arraySync()).toEqual(upDirect.arraySync());
    tf.dispose([x, down, direct, up, upDirect]);
  });

  it('the plain transposed conv (no output size) also gives 5x5, the same values', () => {
    const x = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
    const plain = run(modelOf(conv2dTranspose, conv, 2), x);
    const sized = run(modelOf(conv2dTranspose, { ...conv, outputSize: [5, 5] }, 2), x);
    expect(plain.shape).toEqual([1, 5, 5, 1]);
    expect(plain.arraySync()).toEqual(sized.arraySync());
    tf.dispose([x, plain, sized]);
  });

  for (const [how, extra] of [
    ['output size 6x6', { outputSize: [6, 6] }],
    ['output padding 1', { outputPadding: [1, 1] }],
  ] as const) {
    it(`transposed back with ${how} gives [1,6,6,1] = tf.conv2dTranspose(x, w, [1,6,6,1], 2, 'valid')`, () => {
      const x = ramp(5);
      const down = run(modelOf(conv2d, conv, 5), x);
      const up = run(modelOf(conv2dTranspose, { ...conv, ...extra }, 2), down);
      expect(up.shape).toEqual([1, 6, 6, 1]);
      const w = kernel();
      const direct = tf.conv2dTranspose(down as tf.Tensor4D, w, [1, 6, 6, 1], 2, 'valid');
      expect(up.arraySync()).toEqual(direct.arraySync());
      // VALID padding covers (i-1)s + k = 5 rows and columns; the sixth of each
      // is the output padding no input reaches, so it is zero.
      const grid = up.squeeze().arraySync() as number[][];
      expect(grid[5]).toEqual([0, 0, 0, 0, 0, 0]);
      expect(grid.map((r) => r[5])).toEqual([0, 0, 0, 0, 0, 0]);
      expect(
        grid
          .slice(0, 5)
          .flat()
          .some((v) => v !== 0),
      ).toBe(true);
      tf.dispose([x, down, up, w, direct]);
    });
  }
});
