import { activation, bool, int, pair, enumOf } from './params.ts';
import { defineLayer, one, requireRank, single } from './spec.ts';
import { KERAS_KERNEL_INIT } from './initializers.ts';
import { windowOutput } from './conv-math.ts';

export const depthwiseConv2d = defineLayer({
  kind: 'depthwiseConv2d',
  label: 'DepthwiseConv2D',
  category: 'convolution',
  description:
    'One kxk filter per input channel (times the depth multiplier); channels are not mixed. ' +
    "(No dilation: tfjs 4.22's DepthwiseConv2D layer ignores it; SeparableConv2D supports it.)",
  params: {
    kernelSize: pair({ default: [3, 3], label: 'Kernel size' }),
    strides: pair({ default: [1, 1], label: 'Strides' }),
    padding: enumOf(['valid', 'same'], { default: 'valid', label: 'Padding' }),
    depthMultiplier: int({ default: 1, min: 1, label: 'Depth multiplier' }),
    activation: activation('linear'),
    useBias: bool({ default: true, label: 'Use bias' }),
  },
  inputs: { min: 1, max: 1 },
  outputShape: (inputs, p) => {
    const x = one(inputs);
    requireRank(x, 3, 'DepthwiseConv2D');
    const [h, w] = windowOutput(
      'DepthwiseConv2D',
      [x[0]!, x[1]!],
      p.kernelSize,
      p.strides,
      [1, 1],
      p.padding,
    );
    return [h, w, x[2]! * p.depthMultiplier];
  },
  paramCount: (inputs, p) => {
    const out = one(inputs)[2]! * p.depthMultiplier;
    return {
      trainable: p.kernelSize[0] * p.kernelSize[1] * out + (p.useBias ? out : 0),
      nonTrainable: 0,
    };
  },
  multiplyAdds: (_inputs, p, out) =>
    out[0]! * out[1]! * out[2]! * p.kernelSize[0] * p.kernelSize[1],
  build: (tf, p, { name }) =>
    single(
      tf.layers.depthwiseConv2d({
        kernelSize: p.kernelSize,
        strides: p.strides,
        padding: p.padding,
        depthMultiplier: p.depthMultiplier,
        activation: p.activation,
        depthwiseInitializer: KERAS_KERNEL_INIT,
        useBias: p.useBias,
        name,
      }),
    ),
  // Built from tfjs's own layers only.
  needsCustomClass: () => false,
  registerCustomClass: null,
  producesSoftmax: (p) => p.activation === 'softmax',
});
