// The chapter's shape rules (seed-reference.md, "Shape rules"), each checked twice:
// through our pure shape rule and through the tfjs layer our spec builds, with
// the batch size the chapter uses.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getLayer } from '../../src/shared/layers/registry.ts';
import { resolveParams } from '../../src/shared/layers/resolve.ts';
import type { AnyLayerSpec } from '../../src/shared/layers/spec.ts';

interface Row {
  /** The chapter's wording of the op. */
  op: string;
  kind: string;
  params: Record<string, unknown>;
  /** With the batch axis, as the chapter writes it. */
  input: number[];
  output: number[];
}

const ROWS: Row[] = [
  {
    op: 'conv 3x3, 4 filters, stride 1, padding 0',
    kind: 'conv2d',
    params: { filters: 4, kernelSize: 3, strides: 1, padding: 'valid' },
    input: [2, 5, 5, 3],
    output: [2, 3, 3, 4],
  },
  {
    op: 'conv 3x3, 4 filters, stride 1, explicit padding 0 on every side',
    kind: 'conv2d',
    params: { filters: 4, kernelSize: 3, strides: 1, padding: 0 },
    input: [2, 5, 5, 3],
    output: [2, 3, 3, 4],
  },
  {
    op: 'conv 3x3, 4 filters, explicit padding 1 on every side',
    kind: 'conv2d',
    params: {
      filters: 4,
      kernelSize: 3,
      strides: 1,
      padding: [
        [1, 1],
        [1, 1],
      ],
    },
    input: [2, 5, 5, 3],
    output: [2, 5, 5, 4],
  },
  {
    op: 'conv 3x3, 4 filters, padding SAME, stride 1',
    kind: 'conv2d',
    params: { filters: 4, kernelSize: 3, strides: 1, padding: 'SAME' },
    input: [2, 5, 5, 3],
    output: [2, 5, 5, 4],
  },
  {
    op: 'conv 3x3, 4 filters, padding SAME, stride 3',
    kind: 'conv2d',
    params: { filters: 4, kernelSize: 3, strides: 3, padding: 'SAME' },
    input: [2, 5, 5, 3],
    output: [2, 2, 2, 4],
  },
  {
    op: 'kernel (3,4), strides (2,1), SAME, 4 filters',
    kind: 'conv2d',
    params: { filters: 4, kernelSize: [3, 4], strides: [2, 1], padding: 'SAME' },
    input: [2, 5, 5, 3],
    output: [2, 3, 5, 4],
  },
  {
    op: 'conv 3x3, dilation 2, VALID',
    kind: 'conv2d',
    params: { filters: 1, kernelSize: 3, dilation: 2, padding: 'VALID' },
    input: [1, 7, 7, 1],
    output: [1, 3, 3, 1],
  },
  {
    op: 'conv 3x3, stride 2, VALID (from 5x5)',
    kind: 'conv2d',
    params: { filters: 1, kernelSize: 3, strides: 2, padding: 'VALID' },
    input: [1, 5, 5, 1],
    output: [1, 2, 2, 1],
  },
  {
    op: 'conv 3x3, stride 2, VALID (from 6x6)',
    kind: 'conv2d',
    params: { filters: 1, kernelSize: 3, strides: 2, padding: 'VALID' },
    input: [1, 6, 6, 1],
    output: [1, 2, 2, 1],
  },
  {
    op: 'transposed conv 3x3, stride 2, VALID: o = (i-1)s + k',
    kind: 'conv2dTranspose',
    params: { filters: 1, kernelSize: 3, strides: 2, padding: 'VALID' },
    input: [1, 2, 2, 1],
    output: [1, 5, 5, 1],
  },
  {
    op: 'transposed conv 3x3, stride 2, VALID, output size 6 requested',
    kind: 'conv2dTranspose',
    params: { filters: 1, kernelSize: 3, strides: 2, padding: 'VALID', outputSize: [6, 6] },
    input: [1, 2, 2, 1],
    output: [1, 6, 6, 1],
  },
  {
    op: 'transposed conv 3x3, stride 2, VALID, output padding 1 (a = (6 + 0 - 3) mod 2)',
    kind: 'conv2dTranspose',
    params: { filters: 1, kernelSize: 3, strides: 2, padding: 'VALID', outputPadding: [1, 1] },
    input: [1, 2, 2, 1],
    output: [1, 6, 6, 1],
  },
  {
    op: 'transposed conv 3x3, stride 1, VALID',
    kind: 'conv2dTranspose',
    params: { filters: 1, kernelSize: 3, strides: 1, padding: 'VALID' },
    input: [1, 2, 2, 1],
    output: [1, 4, 4, 1],
  },
  {
    op: 'transposed conv 3x3, stride 2, SAME: o = i*s',
    kind: 'conv2dTranspose',
    params: { filters: 1, kernelSize: 3, strides: 2, padding: 'SAME' },
    input: [1, 2, 2, 1],
    output: [1, 4, 4, 1],
  },
  {
    op: 'max pool 2x2, stride 1 (5x5 -> 4x4)',
    kind: 'maxPooling2d',
    params: { poolSize: 2, strides: 1 },
    input: [1, 5, 5, 1],
    output: [1, 4, 4, 1],
  },
];

function spec(kind: string): AnyLayerSpec {
  const s = getLayer(kind);
  if (!s) throw new Error(`no layer kind ${kind}`);
  return s;
}

function resolved(kind: string, params: Record<string, unknown>): Record<string, never> {
  const { values, errors } = resolveParams(spec(kind), params);
  expect(errors).toEqual([]);
  return values as Record<string, never>;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

afterAll(() => {
  tf.disposeVariables();
});

describe('chapter shape rules', () => {
  for (const row of ROWS) {
    describe(`${JSON.stringify(row.input)} ${row.op} -> ${JSON.stringify(row.output)}`, () => {
      it('our shape rule gives it', () => {
        const values = resolved(row.kind, row.params);
        expect(spec(row.kind).outputShape([row.input.slice(1)], values)).toEqual(
          row.output.slice(1),
        );
      });

      it('the tfjs layer we build gives it, symbolically and on data', () => {
        const values = resolved(row.kind, row.params);
        const input = tf.input({ batchShape: row.input });
        const output = spec(row.kind).build(tf, values, { name: 'n' })([input]);
        const model = tf.model({ inputs: input, outputs: output });
        try {
          expect(output.shape).toEqual(row.output);
          const y = tf.tidy(() => model.predict(tf.randomUniform(row.input)) as tf.Tensor);
          expect(y.shape).toEqual(row.output);
          y.dispose();
        } finally {
          model.dispose();
        }
      });
    });
  }
});

describe('depthwise-separable convolution (3 -> 4 channels, 3x3, no bias)', () => {
  const input = [5, 5, 3];

  it('counts 27 + 12 = 39 parameters against 108 for a plain convolution', () => {
    const sep = spec('separableConv2d');
    const plain = spec('conv2d');
    const p = { filters: 4, kernelSize: 3, useBias: false };
    expect(sep.paramCount([input], resolved('separableConv2d', p))).toEqual({
      trainable: 39,
      nonTrainable: 0,
    });
    expect(plain.paramCount([input], resolved('conv2d', p))).toEqual({
      trainable: 108,
      nonTrainable: 0,
    });
  });

  it('matches the weights tfjs creates: a 3x3x3x1 depthwise and a 1x1x3x4 pointwise kernel', () => {
    const x = tf.input({ shape: input });
    const p = { filters: 4, kernelSize: 3, useBias: false };
    for (const [kind, shapes] of [
      [
        'separableConv2d',
        [
          [3, 3, 3, 1],
          [1, 1, 3, 4],
        ],
      ],
      ['conv2d', [[3, 3, 3, 4]]],
    ] as const) {
      const model = tf.model({
        inputs: x,
        outputs: spec(kind).build(tf, resolved(kind, p), { name: kind })([x]),
      });
      expect(model.trainableWeights.map((w) => w.shape)).toEqual(shapes);
      expect(model.countParams()).toBe(kind === 'conv2d' ? 108 : 39);
      model.dispose();
    }
  });
});

describe('transposed convolution output sizes (chapter 10.11.2)', () => {
  // A transposed conv maps back from every size its forward conv maps onto the
  // input: o is a valid output size exactly when conv(o) = i with the same
  // kernel, stride and padding. Requested output sizes must be those and only those.
  it('accepts an output size exactly when the matching conv maps it back to the input', () => {
    const tconv = spec('conv2dTranspose');
    const conv = spec('conv2d');
    const wrong: string[] = [];
    for (const padding of ['valid', 'same'] as const)
      for (let k = 1; k <= 5; k++)
        for (let s = 1; s <= 3; s++)
          for (let i = 1; i <= 4; i++)
            for (let o = 1; o <= i * s + k + s; o++) {
              const p = { filters: 1, kernelSize: k, strides: s, padding };
              let accepted = true;
              try {
                const out = tconv.outputShape(
                  [[i, i, 1]],
                  resolved('conv2dTranspose', { ...p, outputSize: [o, o] }),
                );
                expect(out).toEqual([o, o, 1]);
              } catch {
                accepted = false;
              }
              let back: number | null;
              try {
                back = conv.outputShape([[o, o, 1]], resolved('conv2d', p))[0]!;
              } catch {
                back = null;
              }
              if (accepted !== (back === i))
                wrong.push(
                  `${padding} k${k} s${s}: ${i} -> ${o} ${accepted ? 'accepted' : 'rejected'}, conv maps ${o} to ${back}`,
                );
            }
    expect(wrong).toEqual([]);
  });

  it('without an output size gives VALID (i-1)s + k and SAME i*s, as the chapter states', () => {
    const tconv = spec('conv2dTranspose');
    for (let k = 2; k <= 5; k++)
      for (let s = 1; s <= k; s++)
        for (let i = 1; i <= 4; i++) {
          const p = { filters: 1, kernelSize: k, strides: s };
          expect(
            tconv.outputShape([[i, i, 1]], resolved('conv2dTranspose', { ...p, padding: 'valid' })),
          ).toEqual([(i - 1) * s + k, (i - 1) * s + k, 1]);
          expect(
            tconv.outputShape([[i, i, 1]], resolved('conv2dTranspose', { ...p, padding: 'same' })),
          ).toEqual([i * s, i * s, 1]);
        }
  });
});
