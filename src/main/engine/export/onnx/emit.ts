// What an ONNX emitter gets: the graph being built, the layer, its inputs as ONNX tensors and its
// trained weights; and the helpers the emitters share (activations, weight layouts).
import type { FlatLayer } from '../../../../shared/graph/layers.ts';
import type { OnnxGraph, Value } from './builder.ts';

export interface Weight {
  shape: number[];
  data: Float32Array;
}

export interface EmitContext {
  g: OnnxGraph;
  layer: FlatLayer;
  /** The layer's inputs, in order. */
  xs: Value[];
  /** The layer's weight called `name` in tfjs ('kernel', 'bias', 'gamma', ...), or null. */
  weight: (name: string) => Weight | null;
}

/** Emits one layer's nodes; returns its output. */
export type Emitter = (c: EmitContext) => Value;

/** The weight `name`, which the layer must have. */
export function required(c: EmitContext, name: string): Weight {
  const w = c.weight(name);
  if (!w) throw new Error(`Layer "${c.layer.name}" has no ${name} weight in the model.`);
  return w;
}

/** `w` with its axes permuted (out axis i = in axis perm[i]). */
export function permute(w: Weight, perm: number[]): Weight {
  const shape = perm.map((a) => w.shape[a]!);
  const strides = w.shape.map((_, a) => w.shape.slice(a + 1).reduce((x, y) => x * y, 1));
  const out = new Float32Array(w.data.length);
  const index = new Array<number>(shape.length).fill(0);
  for (let o = 0; o < out.length; o++) {
    let from = 0;
    for (let i = 0; i < shape.length; i++) from += index[i]! * strides[perm[i]!]!;
    out[o] = w.data[from]!;
    for (let i = shape.length - 1; i >= 0; i--) {
      if (++index[i]! < shape[i]!) break;
      index[i] = 0;
    }
  }
  return { shape, data: out };
}

/** Adds `w` as an initializer named after the layer; returns its name. */
export const initializer = (c: EmitContext, suffix: string, w: Weight): string =>
  c.g.floats(`${c.layer.name}/${suffix}`, w.shape, w.data);

/** The optional bias input of Conv, ConvTranspose and Gemm: [] without one. */
export function biasInput(c: EmitContext): string[] {
  const b = c.weight('bias');
  return b ? [initializer(c, 'bias', b)] : [];
}

// tfjs's SELU constants (tfjs-core selu_util.ts), the values ONNX's Selu defaults round to.
const SELU_ALPHA = 1.7580993408473768 / 1.0507009873554805;
const SELU_SCALE = 1.0507009873554805;

/**
 * Applies a Keras activation by name ('linear' adds nothing). Softmax is over the channels, the
 * last axis in the model's order: axis 1 of an NCHW tensor.
 */
export function activate(c: EmitContext, x: Value, fn: string, alpha = 0.3): Value {
  const g = c.g;
  const name = `${c.layer.name}/${fn}`;
  const unary = (op: string, attrs = {}): Value => ({
    name: g.op(op, [x.name], name, attrs),
    nchw: x.nchw,
  });
  switch (fn) {
    case 'linear':
      return x;
    case 'relu':
      return unary('Relu');
    case 'relu6': {
      const lo = g.floats(`${name}/min`, [], new Float32Array([0]));
      const hi = g.floats(`${name}/max`, [], new Float32Array([6]));
      return { name: g.op('Clip', [x.name, lo, hi], name), nchw: x.nchw };
    }
    case 'sigmoid':
      return unary('Sigmoid');
    case 'tanh':
      return unary('Tanh');
    case 'softmax':
      return unary('Softmax', { axis: x.nchw ? 1 : -1 });
    case 'elu':
      return unary('Elu', { alpha: { float: 1 } });
    case 'selu':
      return unary('Selu', { alpha: { float: SELU_ALPHA }, gamma: { float: SELU_SCALE } });
    case 'softplus':
      return unary('Softplus');
    case 'softsign':
      return unary('Softsign');
    case 'swish': {
      // tfjs's swish is x * sigmoid(x); opset 13 has no Swish.
      const s = g.op('Sigmoid', [x.name], `${name}/sigmoid`);
      return { name: g.op('Mul', [x.name, s], name), nchw: x.nchw };
    }
    case 'hardSigmoid':
      // Keras's hard sigmoid: clip(0.2 x + 0.5, 0, 1).
      return unary('HardSigmoid', { alpha: { float: 0.2 }, beta: { float: 0.5 } });
    case 'leakyRelu':
      return unary('LeakyRelu', { alpha: { float: alpha } });
    default:
      throw new Error(
        `Layer "${c.layer.name}": the ONNX export has no translation for the activation "${fn}".`,
      );
  }
}
