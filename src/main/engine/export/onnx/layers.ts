// The ONNX emitters of every kind but the convolutions (conv.ts), in one table keyed by kind.
import type { OnnxKind } from '../../../../shared/export/onnx.ts';
import type { Pair, Padding } from '../../../../shared/layers/params.ts';
import { CONV_EMITTERS, windowPads } from './conv.ts';
import { activate, biasInput, initializer, required, type Emitter } from './emit.ts';

const unary =
  (op: string): Emitter =>
  (c) => ({ name: c.g.op(op, [c.xs[0]!.name], c.layer.name), nchw: c.xs[0]!.nchw });

/** An image input ([h, w, c] per sample) is transposed to NCHW once, here. */
const input: Emitter = (c) =>
  c.layer.outputShape.length === 3 ? c.g.toNchw(c.xs[0]!, c.layer.name) : c.xs[0]!;

/** Gemm: x [batch, n] times the kernel [n, units], plus the bias. */
const dense: Emitter = (c) => {
  const p = c.layer.params as { activation: string };
  const inputs = [c.xs[0]!.name, initializer(c, 'kernel', required(c, 'kernel')), ...biasInput(c)];
  return activate(c, { name: c.g.op('Gemm', inputs, c.layer.name), nchw: false }, p.activation);
};

/** Max or average pooling; TF never counts its 'same' padding into a window. */
const pool =
  (op: 'MaxPool' | 'AveragePool'): Emitter =>
  (c) => {
    const p = c.layer.params as { poolSize: Pair; strides: Pair | null; padding: Padding };
    const strides = p.strides ?? p.poolSize;
    const hw: Pair = [c.layer.inputShapes[0]![0]!, c.layer.inputShapes[0]![1]!];
    const attrs = {
      kernel_shape: p.poolSize,
      strides,
      pads: windowPads(p.padding, hw, p.poolSize, strides),
      ...(op === 'AveragePool' ? { count_include_pad: 0 } : {}),
    };
    return { name: c.g.op(op, [c.xs[0]!.name], c.layer.name, attrs), nchw: true };
  };

/** [batch, c, h, w] -> [batch, c, 1, 1] -> [batch, c], as Keras's layer gives it. */
const globalAveragePooling2d: Emitter = (c) => {
  const pooled = c.g.op('GlobalAveragePool', [c.xs[0]!.name], `${c.layer.name}/pool`);
  return { name: c.g.op('Flatten', [pooled], c.layer.name, { axis: 1 }), nchw: false };
};

/**
 * Batch normalization in inference form, with the moving statistics and Keras's epsilon. ONNX's
 * BatchNormalization normalizes axis 1: the channels of NCHW, or the features of [batch, n];
 * a tensor of another rank (channels last) gets the same y = x * scale + shift as Mul and Add.
 */
const batchNormalization: Emitter = (c) => {
  const p = c.layer.params as { epsilon: number };
  const x = c.xs[0]!;
  const mean = required(c, 'moving_mean');
  const variance = required(c, 'moving_variance');
  const n = mean.data.length;
  const gamma = c.weight('gamma')?.data ?? new Float32Array(n).fill(1);
  const beta = c.weight('beta')?.data ?? new Float32Array(n);
  if (x.nchw || c.layer.inputShapes[0]!.length === 1) {
    const inputs = [
      c.g.floats(`${c.layer.name}/gamma`, [n], gamma),
      c.g.floats(`${c.layer.name}/beta`, [n], beta),
      initializer(c, 'moving_mean', mean),
      initializer(c, 'moving_variance', variance),
    ];
    const y = c.g.op('BatchNormalization', [x.name, ...inputs], c.layer.name, {
      epsilon: { float: p.epsilon },
    });
    return { name: y, nchw: x.nchw };
  }
  const scale = gamma.map((g, i) => g / Math.sqrt(variance.data[i]! + p.epsilon));
  const shift = beta.map((b, i) => b - mean.data[i]! * scale[i]!);
  const scaled = c.g.op(
    'Mul',
    [x.name, c.g.floats(`${c.layer.name}/scale`, [n], scale)],
    `${c.layer.name}/scaled`,
  );
  const y = c.g.op('Add', [scaled, c.g.floats(`${c.layer.name}/shift`, [n], shift)], c.layer.name);
  return { name: y, nchw: false };
};

/** Flatten in the model's (NHWC) order, which the Dense weights after it were trained on. */
const flatten: Emitter = (c) => {
  const x = c.g.toNhwc(c.xs[0]!, c.layer.name);
  // A flat input passes through (tfjs's builder does the same).
  if (c.layer.inputShapes[0]!.length <= 1) return x;
  return { name: c.g.op('Flatten', [x.name], c.layer.name, { axis: 1 }), nchw: false };
};

/** n-ary Add as a chain of binary Adds (ONNX's Add takes two). */
const add: Emitter = (c) => {
  let sum = c.xs[0]!.name;
  c.xs.slice(1).forEach((x, i) => {
    const last = i === c.xs.length - 2;
    sum = c.g.op('Add', [sum, x.name], last ? c.layer.name : `${c.layer.name}/partial`);
  });
  return { name: sum, nchw: c.xs[0]!.nchw };
};

/** Keras's axis counts the batch axis; on an NCHW tensor height, width and channels move. */
const concatenate: Emitter = (c) => {
  const p = c.layer.params as { axis: number };
  const rank = c.layer.inputShapes[0]!.length + 1;
  const axis = p.axis < 0 ? rank + p.axis : p.axis;
  const nchw = c.xs[0]!.nchw;
  const onnxAxis = nchw ? ([0, 2, 3, 1] as const)[axis]! : axis;
  return {
    name: c.g.op(
      'Concat',
      c.xs.map((x) => x.name),
      c.layer.name,
      { axis: onnxAxis },
    ),
    nchw,
  };
};

export const EMITTERS: Record<OnnxKind, Emitter> = {
  ...CONV_EMITTERS,
  input,
  dense,
  maxPooling2d: pool('MaxPool'),
  averagePooling2d: pool('AveragePool'),
  globalAveragePooling2d,
  batchNormalization,
  activation: (c) => {
    const p = c.layer.params as { fn: string; alpha: number };
    return activate(c, c.xs[0]!, p.fn, p.alpha);
  },
  relu: unary('Relu'),
  // Dropout only acts while training; at inference it passes its input on.
  dropout: unary('Identity'),
  flatten,
  add,
  concatenate,
};
