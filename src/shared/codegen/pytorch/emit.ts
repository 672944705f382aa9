// What a layer kind's emitter gives the generator, and the pieces several kinds share.
import type { FlatLayer } from '../../graph/layers.ts';
import type { PadPlan } from './padding.ts';
import type { HelperName } from './helpers.ts';
import type { TorchCounter, TorchEntry } from './weights.ts';

export interface EmitContext {
  layer: FlatLayer;
  /** The layer's Python identifier: its attribute (self.<id>) when it has a module. */
  id: string;
  /** The Python expressions of its inputs, in order. */
  inputs: string[];
  /** Marks a helper (class or function) of the preamble as used. */
  use: (helper: HelperName) => void;
}

export interface Emitted {
  /** Statements of __init__ (without `self.` prefixes added: write them in full). */
  init?: string[];
  /** Statements of reset_parameters (Keras's initialisers). */
  reset?: string[];
  /** The expression of the layer's output in forward(). */
  expr: string;
  /** Where its state_dict entries come from in the tfjs model. */
  entries?: TorchEntry[];
  counters?: TorchCounter[];
}

export type Emitter = (ctx: EmitContext) => Emitted;

/**
 * Tensors of rank 3 (without the batch axis) are images and are held as NCHW inside the
 * module; every other rank keeps its Keras layout. The axis of a Keras axis index then moves.
 */
export const isImage = (shape: readonly number[]): boolean => shape.length === 3;

/** The PyTorch dim of Keras's `axis` (counting the batch axis, negative from the end). */
export function torchAxis(axis: number, shape: readonly number[]): number {
  const a = axis < 0 ? shape.length + axis : axis - 1; // index into the shape without batch
  return isImage(shape) ? [2, 3, 1][a]! : a + 1;
}

/** `expr` through one of Keras's activations (tfjs's definitions). */
export function activate(
  fn: string,
  expr: string,
  shape: readonly number[],
  alpha?: number,
): string {
  switch (fn) {
    case 'linear':
      return expr;
    case 'relu':
    case 'relu6':
    case 'elu':
    case 'selu':
    case 'softplus':
    case 'softsign':
      return `F.${fn}(${expr})`;
    case 'sigmoid':
    case 'tanh':
      return `torch.${fn}(${expr})`;
    case 'swish':
      return `F.silu(${expr})`; // x * sigmoid(x)
    case 'softmax':
      // Keras takes the softmax over the last axis: the channels, which are dim 1 in NCHW.
      return `F.softmax(${expr}, dim=${isImage(shape) ? 1 : -1})`;
    case 'hardSigmoid':
      // Keras 2 / tfjs: clip(0.2 x + 0.5, 0, 1), not PyTorch's hardsigmoid (x / 6 + 0.5).
      return `torch.clamp(0.2 * (${expr}) + 0.5, 0.0, 1.0)`;
    case 'leakyRelu':
      return `F.leaky_relu(${expr}, ${alpha ?? 0.3})`;
    default:
      throw new Error(`No PyTorch form of the activation "${fn}".`);
  }
}

/** `input` padded as `plan` says, if it needs an F.pad (max pooling pads with -inf). */
export function padded(input: string, plan: PadPlan, value?: string): string {
  if (!plan.explicit) return input;
  return `F.pad(${input}, (${plan.explicit.join(', ')})${value ? `, value=${value}` : ''})`;
}

/** Keyword arguments, leaving out those equal to PyTorch's defaults. */
export function kwargs(args: [name: string, value: string, fallback?: string][]): string {
  return args
    .filter(([, v, d]) => v !== d)
    .map(([n, v]) => `${n}=${v}`)
    .join(', ');
}
