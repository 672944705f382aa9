// What a user is told when a parameter or a connection is wrong, and the short
// forms they may type. Messages are checked for the parameter they name.
import { describe, expect, it } from 'vitest';
import { LAYERS, getLayer } from '../../src/shared/layers/registry.ts';
import { resolveParams } from '../../src/shared/layers/resolve.ts';
import { LayerError, type AnyLayerSpec, type Shape } from '../../src/shared/layers/spec.ts';
import type { ErrorCode } from '../../src/shared/errors.ts';
import type { ParamValue } from '../../src/shared/layers/params.ts';

function spec(kind: string): AnyLayerSpec {
  const s = getLayer(kind);
  if (!s) throw new Error(`no layer kind ${kind}`);
  return s;
}

const errorsOf = (kind: string, raw: Record<string, unknown>): string[] =>
  resolveParams(spec(kind), raw).errors;

function valuesOf(kind: string, raw: Record<string, unknown>): Record<string, ParamValue> {
  const { values, errors } = resolveParams(spec(kind), raw);
  expect(errors).toEqual([]);
  return values;
}

/** Runs a shape rule and returns the LayerError it throws. */
function shapeError(kind: string, raw: Record<string, unknown>, inputs: Shape[]): LayerError {
  const s = spec(kind);
  const { values, errors } = resolveParams(s, raw);
  expect(errors).toEqual([]);
  try {
    s.outputShape(inputs, values);
  } catch (e) {
    expect(e).toBeInstanceOf(LayerError);
    return e as LayerError;
  }
  throw new Error(`${kind} accepted ${JSON.stringify(inputs)}`);
}

function expectCode(e: LayerError, code: ErrorCode): void {
  expect(e.code).toBe(code);
  expect(e.message.length).toBeGreaterThan(20);
}

describe('resolveParams', () => {
  it('resolves every kind from its defaults alone', () => {
    for (const layer of LAYERS) expect(resolveParams(layer, {}).errors, layer.kind).toEqual([]);
  });

  it('fills in defaults', () => {
    expect(valuesOf('conv2d', { filters: 8 })).toEqual({
      filters: 8,
      kernelSize: [3, 3],
      strides: [1, 1],
      padding: 'valid',
      dilation: [1, 1],
      activation: 'linear',
      useBias: true,
    });
    expect(valuesOf('batchNormalization', {})).toMatchObject({
      momentum: 0.99,
      center: true,
      scale: true,
    });
  });

  describe('rejects, naming the parameter', () => {
    it('filters 0', () => {
      expect(errorsOf('conv2d', { filters: 0 })).toEqual([
        expect.stringMatching(/^Filters .*at least 1/),
      ]);
      expect(errorsOf('conv2dTranspose', { filters: 0 })).toEqual([
        expect.stringMatching(/^Filters/),
      ]);
      expect(errorsOf('dense', { units: 0 })).toEqual([expect.stringMatching(/^Units/)]);
    });

    it('a non-integer kernel', () => {
      expect(errorsOf('conv2d', { kernelSize: 2.5 })).toEqual([
        expect.stringMatching(/^Kernel size .*whole numbers/),
      ]);
      expect(errorsOf('conv2d', { kernelSize: [3, 2.5] })).toEqual([
        expect.stringMatching(/^Kernel size/),
      ]);
      expect(errorsOf('conv2d', { kernelSize: [3] })).toEqual([
        expect.stringMatching(/^Kernel size/),
      ]);
      expect(errorsOf('conv2d', { kernelSize: '3' })).toEqual([
        expect.stringMatching(/^Kernel size/),
      ]);
      expect(errorsOf('conv2d', { kernelSize: 0 })).toEqual([
        expect.stringMatching(/^Kernel size .*at least 1/),
      ]);
    });

    it('a dropout rate of 1 (it would drop everything)', () => {
      expect(errorsOf('dropout', { rate: 1 })).toEqual([expect.stringMatching(/^Rate .*below 1/)]);
      expect(errorsOf('dropout', { rate: -0.1 })).toEqual([expect.stringMatching(/^Rate/)]);
      expect(errorsOf('dropout', { rate: 0.999 })).toEqual([]);
    });

    it('padding "bogus"', () => {
      for (const kind of [
        'conv2d',
        'conv2dTranspose',
        'separableConv2d',
        'depthwiseConv2d',
        'maxPooling2d',
      ])
        expect(errorsOf(kind, { padding: 'bogus' }), kind).toEqual([
          expect.stringMatching(/^Padding/),
        ]);
      expect(
        errorsOf('conv2d', {
          padding: [
            [1, -1],
            [0, 0],
          ],
        }),
      ).toEqual([expect.stringMatching(/^Padding/)]);
      expect(errorsOf('conv2d', { padding: [1, 1] })).toEqual([expect.stringMatching(/^Padding/)]);
    });

    it('unknown parameter names', () => {
      expect(errorsOf('conv2d', { filters: 4, kernel_size: 3 })).toEqual([
        'Conv2D has no parameter "kernel_size"',
      ]);
      expect(errorsOf('relu', { alpha: 0.1 })).toEqual(['ReLU has no parameter "alpha"']);
    });

    it('strides and dilation both above 1', () => {
      for (const kind of ['conv2d', 'separableConv2d']) {
        expect(errorsOf(kind, { strides: 2, dilation: 2 }), kind).toEqual([
          expect.stringMatching(/Strides and dilation/),
        ]);
        expect(errorsOf(kind, { strides: [1, 2], dilation: [2, 1] }), kind).toHaveLength(1);
        expect(errorsOf(kind, { strides: 1, dilation: 2 }), kind).toEqual([]);
      }
    });

    it('dilation on DepthwiseConv2D, which tfjs would silently ignore', () => {
      expect(errorsOf('depthwiseConv2d', { dilation: 2 })).toEqual([
        'DepthwiseConv2D has no parameter "dilation"',
      ]);
    });

    it('both output padding and output size on Conv2DTranspose', () => {
      expect(
        errorsOf('conv2dTranspose', { strides: 2, outputPadding: [1, 1], outputSize: [6, 6] }),
      ).toEqual([expect.stringMatching(/either output padding or output size/)]);
    });

    it('output padding not smaller than the stride', () => {
      expect(errorsOf('conv2dTranspose', { strides: 2, outputPadding: [2, 0] })).toEqual([
        expect.stringMatching(/smaller than the stride/),
      ]);
      expect(errorsOf('conv2dTranspose', { strides: 1, outputPadding: [1, 1] })).toHaveLength(1);
    });

    it('an unknown activation', () => {
      expect(errorsOf('conv2d', { activation: 'gelu_bogus' })).toEqual([
        expect.stringMatching(/^Activation .*relu/),
      ]);
    });
  });

  describe('accepts short forms', () => {
    it('kernelSize 3 -> [3, 3] and strides 2 -> [2, 2]', () => {
      expect(valuesOf('conv2d', { kernelSize: 3, strides: 2 })).toMatchObject({
        kernelSize: [3, 3],
        strides: [2, 2],
      });
      expect(valuesOf('maxPooling2d', { poolSize: 3 })).toMatchObject({
        poolSize: [3, 3],
        strides: null,
      });
    });

    it("padding 'SAME' -> 'same', whichever kind", () => {
      for (const kind of [
        'conv2d',
        'conv2dTranspose',
        'separableConv2d',
        'depthwiseConv2d',
        'averagePooling2d',
      ])
        expect(valuesOf(kind, { padding: 'SAME' }).padding, kind).toBe('same');
      expect(valuesOf('conv2d', { padding: 'Valid' }).padding).toBe('valid');
    });

    it('padding 1 -> [[1, 1], [1, 1]]', () => {
      expect(valuesOf('conv2d', { padding: 1 }).padding).toEqual([
        [1, 1],
        [1, 1],
      ]);
      expect(
        valuesOf('conv2d', {
          padding: [
            [1, 2],
            [0, 1],
          ],
        }).padding,
      ).toEqual([
        [1, 2],
        [0, 1],
      ]);
    });

    it('activation names in any case', () => {
      expect(valuesOf('dense', { activation: 'ReLU' }).activation).toBe('relu');
      expect(valuesOf('activation', { fn: 'LEAKYRELU' }).fn).toBe('leakyRelu');
    });
  });
});

describe('shape errors', () => {
  it('conv2d on a rank-1 input: E_RANK, suggesting where to put it', () => {
    const e = shapeError('conv2d', { filters: 4 }, [[784]]);
    expectCode(e, 'E_RANK');
    expect(e.message).toMatch(/\[784\]/);
    for (const kind of [
      'conv2dTranspose',
      'separableConv2d',
      'depthwiseConv2d',
      'maxPooling2d',
      'globalAveragePooling2d',
    ])
      expectCode(shapeError(kind, {}, [[784]]), 'E_RANK');
  });

  it('Dense on an image: E_RANK, suggesting Flatten', () => {
    const e = shapeError('dense', {}, [[4, 4, 8]]);
    expectCode(e, 'E_RANK');
    expect(e.message).toMatch(/Flatten/);
  });

  it('a 5x5 kernel on a 3x3 input with VALID: E_SHAPE', () => {
    const e = shapeError('conv2d', { filters: 4, kernelSize: 5, padding: 'valid' }, [[3, 3, 1]]);
    expectCode(e, 'E_SHAPE');
    expect(e.message).toMatch(/5x5/);
    expect(e.message).toMatch(/3x3/);
    // The same kernel fits with SAME padding, or explicit padding of 1.
    const s = spec('conv2d');
    expect(
      s.outputShape(
        [[3, 3, 1]],
        valuesOf('conv2d', { filters: 4, kernelSize: 5, padding: 'same' }),
      ),
    ).toEqual([3, 3, 4]);
    expect(
      s.outputShape([[3, 3, 1]], valuesOf('conv2d', { filters: 4, kernelSize: 5, padding: 1 })),
    ).toEqual([1, 1, 4]);
    // Dilation widens the window: 3x3 dilated by 2 is 5x5.
    expectCode(shapeError('conv2d', { dilation: 2 }, [[4, 4, 1]]), 'E_SHAPE');
    expectCode(shapeError('maxPooling2d', { poolSize: 4 }, [[3, 3, 1]]), 'E_SHAPE');
  });

  it('Add of [4,4,8] and [4,4,16]: E_ADD_SHAPES naming both shapes', () => {
    const e = shapeError('add', {}, [
      [4, 4, 8],
      [4, 4, 16],
    ]);
    expectCode(e, 'E_ADD_SHAPES');
    expect(e.message).toMatch(/\[4, 4, 8\]/);
    expect(e.message).toMatch(/\[4, 4, 16\]/);
  });

  it('Concatenate of [4,4,8] and [2,2,8]: E_CONCAT_SHAPES', () => {
    const e = shapeError('concatenate', {}, [
      [4, 4, 8],
      [2, 2, 8],
    ]);
    expectCode(e, 'E_CONCAT_SHAPES');
    expect(e.message).toMatch(/\[2, 2, 8\]/);
    expectCode(shapeError('concatenate', {}, [[4, 4, 8], [16]]), 'E_CONCAT_SHAPES');
    expectCode(
      shapeError('concatenate', { axis: 0 }, [
        [4, 4, 8],
        [4, 4, 8],
      ]),
      'E_CONCAT_SHAPES',
    );
  });

  it('a transposed conv with an unreachable output size: E_SHAPE naming the valid range', () => {
    // From 2 with kernel 3, stride 2, VALID only 5 or 6 can be made.
    const e = shapeError('conv2dTranspose', { kernelSize: 3, strides: 2, outputSize: [8, 8] }, [
      [2, 2, 1],
    ]);
    expectCode(e, 'E_SHAPE');
    expect(e.message).toMatch(/from 5 to 6/);
    expectCode(
      shapeError('conv2dTranspose', { kernelSize: 3, strides: 2, outputSize: [4, 5] }, [[2, 2, 1]]),
      'E_SHAPE',
    );
  });

  it('a block reports the inner layer at fault', () => {
    // An identity shortcut cannot add 4 channels to 8.
    const e = shapeError('resnetBasicBlock', { filters: 8 }, [[8, 8, 4]]);
    expectCode(e, 'E_ADD_SHAPES');
    expect(e.message).toMatch(/inside the block, add:/);
    expect(
      spec('resnetBasicBlock').outputShape(
        [[8, 8, 4]],
        valuesOf('resnetBasicBlock', { filters: 8, projection: true }),
      ),
    ).toEqual([8, 8, 8]);
  });
});
