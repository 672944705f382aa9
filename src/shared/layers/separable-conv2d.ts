import { activation, bool, int, pair, enumOf } from './params.ts';
import { defineLayer, one, requireRank, single } from './spec.ts';
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
  build: (tf, p, { name }) =>
    single(
      tf.layers.separableConv2d({
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
      }),
    ),
});
