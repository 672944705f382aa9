// What every layer kind carries: parameters, shape rule, counts and the tfjs builder.
// Shapes here never include the batch axis: [28, 28, 1] means [batch, 28, 28, 1].
import type * as TF from '@tensorflow/tfjs';
import type { ParamSpecs, ParamValues, ParamValue } from './params.ts';
import type { ErrorCode } from '../errors.ts';
import type { Fragment } from '../blocks/fragment.ts';

export type Tf = typeof TF;
export type SymbolicTensor = TF.SymbolicTensor;
export type Shape = number[];

export interface ParamCount {
  trainable: number;
  nonTrainable: number;
}

export type LayerCategory =
  | 'input'
  | 'core'
  | 'convolution'
  | 'pooling'
  | 'normalization'
  | 'activation'
  | 'regularization'
  | 'merge'
  | 'block';

/** Thrown by shape rules; graph inference attaches it to the node at fault. */
export class LayerError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'LayerError';
  }
}

export interface BuildContext {
  /** The node's name; tfjs layers made for the node are named from it. */
  name: string;
}

/** Applies the layer(s) built for one node to its inputs (in edge order). */
export type Apply = (inputs: SymbolicTensor[]) => SymbolicTensor;

export interface LayerSpec<P extends ParamSpecs = ParamSpecs> {
  kind: string;
  label: string;
  category: LayerCategory;
  description: string;
  params: P;
  /** How many incoming edges the node accepts. */
  inputs: { min: number; max: number };
  /** Extra checks across parameters (e.g. strides and dilation both > 1). */
  checkParams?: (p: ParamValues<P>) => string | null;
  outputShape: (inputs: Shape[], p: ParamValues<P>) => Shape;
  /** Counted as Keras counts them (BatchNorm moving statistics are non-trainable). */
  paramCount: (inputs: Shape[], p: ParamValues<P>) => ParamCount;
  /** Multiply-accumulate operations per sample for the forward pass. */
  multiplyAdds: (inputs: Shape[], p: ParamValues<P>, output: Shape) => number;
  build: (tf: Tf, p: ParamValues<P>, ctx: BuildContext) => Apply;
  /**
   * Whether `build` makes, for these values, a tfjs layer class of Netforge's own (for a layer
   * tfjs lacks). tf.loadLayersModel reads a saved model holding one only once the class is
   * registered: load-model.ts calls registerCustomClasses() (registry.ts), which calls every
   * kind's registerCustomClass. A kind built from tfjs's own layers says false.
   */
  needsCustomClass: (p: ParamValues<P>) => boolean;
  /** Registers that class with tf.serialization; null when needsCustomClass is never true. */
  registerCustomClass: ((tf: Tf) => void) | null;
  /**
   * Whether the node's output is a softmax over its last axis, so that a network ending in it
   * outputs probabilities rather than logits (engine/losses.ts picks the loss from this).
   */
  producesSoftmax: (p: ParamValues<P>) => boolean;
}

/** A spec with its parameter types erased, as the registry and the graph see it. */
export interface AnyLayerSpec {
  kind: string;
  label: string;
  category: LayerCategory;
  description: string;
  params: ParamSpecs;
  inputs: { min: number; max: number };
  checkParams?: (p: Record<string, ParamValue>) => string | null;
  outputShape: (inputs: Shape[], p: Record<string, ParamValue>) => Shape;
  paramCount: (inputs: Shape[], p: Record<string, ParamValue>) => ParamCount;
  multiplyAdds: (inputs: Shape[], p: Record<string, ParamValue>, output: Shape) => number;
  build: (tf: Tf, p: Record<string, ParamValue>, ctx: BuildContext) => Apply;
  needsCustomClass: (p: Record<string, ParamValue>) => boolean;
  registerCustomClass: ((tf: Tf) => void) | null;
  producesSoftmax: (p: Record<string, ParamValue>) => boolean;
  /** Present on composite blocks: the primitive layers the node stands for. */
  expand?: (p: Record<string, ParamValue>) => Fragment;
}

export function defineLayer<const P extends ParamSpecs>(spec: LayerSpec<P>): AnyLayerSpec {
  // The registry stores specs with erased parameter types; values reaching these
  // functions have been defaulted, normalised and checked against `params` first.
  return spec as unknown as AnyLayerSpec;
}

export const NO_PARAMS: ParamCount = { trainable: 0, nonTrainable: 0 };
export const product = (xs: readonly number[]): number => xs.reduce((a, b) => a * b, 1);

export function one(inputs: Shape[]): Shape {
  const x = inputs[0];
  if (!x) throw new LayerError('E_MISSING_INPUT', 'This layer needs an input: connect one.');
  return x;
}

export function requireRank(x: Shape, rank: number, label: string): void {
  if (x.length !== rank) {
    const want =
      rank === 3 ? 'an image-shaped input (height, width, channels)' : `a ${rank}-D input`;
    const fix =
      rank === 3 && x.length === 1
        ? ' Put it before Flatten or Dense, or start from an image input.'
        : rank === 1
          ? ' Add a Flatten or GlobalAveragePooling2D before it.'
          : '';
    throw new LayerError('E_RANK', `${label} needs ${want}; it gets [${x.join(', ')}].${fix}`);
  }
}

/** Applies one tfjs layer to symbolic inputs; graph building never sees concrete tensors. */
export const applyLayer = (
  layer: TF.layers.Layer,
  xs: SymbolicTensor | SymbolicTensor[],
): SymbolicTensor => layer.apply(xs) as SymbolicTensor;

/** One tfjs layer applied to the node's single input. */
export const single =
  (layer: TF.layers.Layer): Apply =>
  (xs) =>
    applyLayer(layer, xs[0]!);
