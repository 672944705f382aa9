import type * as TF from '@tensorflow/tfjs';
import { activation, bool, int, pair, enumOf } from './params.ts';
import { defineLayer, one, requireRank, single, type Tf } from './spec.ts';
import { KERAS_KERNEL_INIT } from './initializers.ts';
import { stridesWithDilation, windowOutput } from './conv-math.ts';

export const separableConv2d = defineLayer({
  kind: 'separableConv2d',
  label: 'SeparableConv2D',
  category: 'convolution',
  description:
    'Depthwise-separable convolution (chapter 10.11.3): a per-channel kxk convolution, then a 1x1 ' +
    "convolution mixing channels; about a third of a plain convolution's parameters.",
  params: {
    filters: int({ default: 32, min: 1, label: 'Filters' }),
    kernelSize: pair({ default: [3, 3], label: 'Kernel size' }),
    strides: pair({ default: [1, 1], label: 'Strides' }),
    padding: enumOf(['valid', 'same'], { default: 'valid', label: 'Padding' }),
    dilation: pair({ default: [1, 1], label: 'Dilation rate' }),
    depthMultiplier: int({ default: 1, min: 1, label: 'Depth multiplier' }),
    activation: activation('linear'),
    useBias: bool({ default: true, label: 'Use bias' }),
  },
  inputs: { min: 1, max: 1 },
  checkParams: (p) => stridesWithDilation(p.strides, p.dilation),
  outputShape: (inputs, p) => {
    const x = one(inputs);
    requireRank(x, 3, 'SeparableConv2D');
    const [h, w] = windowOutput(
      'SeparableConv2D',
      [x[0]!, x[1]!],
      p.kernelSize,
      p.strides,
      p.dilation,
      p.padding,
    );
    return [h, w, p.filters];
  },
  paramCount: (inputs, p) => {
    const c = one(inputs)[2]!;
    const depthwise = p.kernelSize[0] * p.kernelSize[1] * c * p.depthMultiplier;
    const pointwise = c * p.depthMultiplier * p.filters;
    return { trainable: depthwise + pointwise + (p.useBias ? p.filters : 0), nonTrainable: 0 };
  },
  multiplyAdds: (inputs, p, out) => {
    const c = one(inputs)[2]!;
    const hw = out[0]! * out[1]!;
    return hw * c * p.depthMultiplier * (p.kernelSize[0] * p.kernelSize[1] + p.filters);
  },
  build: (tf, p, { name }) => {
    const args: SeparableArgs = {
      filters: p.filters,
      kernelSize: p.kernelSize,
      strides: p.strides,
      padding: p.padding,
      dilationRate: p.dilation,
      depthMultiplier: p.depthMultiplier,
      activation: p.activation,
      depthwiseInitializer: KERAS_KERNEL_INIT,
      pointwiseInitializer: KERAS_KERNEL_INIT,
      useBias: p.useBias,
      name,
    };
    return single(
      p.depthMultiplier > 1 ? new (multiplierClass(tf))(args) : tf.layers.separableConv2d(args),
    );
  },
  needsCustomClass: (p) => p.depthMultiplier > 1,
  registerCustomClass: (tf) => {
    tf.serialization.registerClass(
      multiplierClass(tf) as unknown as TF.serialization.SerializableConstructor<TF.layers.Layer>,
    );
  },
  producesSoftmax: (p) => p.activation === 'softmax',
});

type SeparableArgs = Parameters<Tf['layers']['separableConv2d']>[0];
type SeparableCtor = new (args: SeparableArgs) => TF.layers.Layer;
const classes = new WeakMap<object, SeparableCtor>();

/**
 * tfjs's SeparableConv2D leaves depthMultiplier out of its saved config (tensorflow/tfjs#6083), so
 * a saved model with a multiplier above 1 does not load ("Shape mismatch"). This subclass saves
 * it; a model holding one loads once the class is registered (the spec's registerCustomClass).
 */
export function multiplierClass(tf: Tf): SeparableCtor {
  const known = classes.get(tf);
  if (known) return known;
  // tfjs does not export the class itself; a throwaway instance leads to it.
  const Base = Object.getPrototypeOf(tf.layers.separableConv2d({ filters: 1, kernelSize: 1 }))
    .constructor as new (args: SeparableArgs) => TF.layers.Layer & { depthMultiplier: number };
  class NetforgeSeparableConv2D extends Base {
    static className = 'NetforgeSeparableConv2D';
    override getConfig(): TF.serialization.ConfigDict {
      return { ...super.getConfig(), depthMultiplier: this.depthMultiplier };
    }
  }
  classes.set(tf, NetforgeSeparableConv2D);
  return NetforgeSeparableConv2D;
}
