import { activation, bool, int, pair, padding } from './params.ts';
import { defineLayer, one, requireRank, single, applyLayer } from './spec.ts';
import { KERAS_KERNEL_INIT } from './initializers.ts';
import { stridesWithDilation, windowOutput } from './conv-math.ts';

export const conv2d = defineLayer({
  kind: 'conv2d',
  label: 'Conv2D',
  category: 'convolution',
  description:
    'Convolution over height and width (chapter 10.2-10.3); kernel and strides may differ per axis; ' +
    'dilation > 1 makes it a dilated (atrous) convolution (10.11.1).',
  params: {
    filters: int({ default: 32, min: 1, label: 'Filters' }),
    kernelSize: pair({ default: [3, 3], label: 'Kernel size' }),
    strides: pair({ default: [1, 1], label: 'Strides' }),
    padding: padding({ label: 'Padding' }),
    dilation: pair({ default: [1, 1], label: 'Dilation rate' }),
    activation: activation('linear'),
    useBias: bool({ default: true, label: 'Use bias' }),
  },
  inputs: { min: 1, max: 1 },
  checkParams: (p) => stridesWithDilation(p.strides, p.dilation),
  outputShape: (inputs, p) => {
    const x = one(inputs);
    requireRank(x, 3, 'Conv2D');
    const [h, w] = windowOutput(
      'Conv2D',
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
    const [kh, kw] = p.kernelSize;
    return { trainable: kh * kw * c * p.filters + (p.useBias ? p.filters : 0), nonTrainable: 0 };
  },
  multiplyAdds: (inputs, p, out) => {
    const c = one(inputs)[2]!;
    return out[0]! * out[1]! * p.kernelSize[0] * p.kernelSize[1] * c * p.filters;
  },
  build: (tf, p, { name }) => {
    const explicit = Array.isArray(p.padding);
    const conv = tf.layers.conv2d({
      filters: p.filters,
      kernelSize: p.kernelSize,
      strides: p.strides,
      padding: explicit ? 'valid' : (p.padding as 'valid' | 'same'),
      dilationRate: p.dilation,
      activation: p.activation,
      kernelInitializer: KERAS_KERNEL_INIT,
      useBias: p.useBias,
      name,
    });
    if (!Array.isArray(p.padding)) return single(conv);
    // tfjs has no explicit padding for conv2d: pad with zeros, then convolve VALID.
    const pad = tf.layers.zeroPadding2d({ padding: p.padding, name: `${name}_pad` });
    return (xs) => applyLayer(conv, applyLayer(pad, xs[0]!));
  },
  // Built from tfjs's own layers only.
  needsCustomClass: () => false,
  registerCustomClass: null,
  producesSoftmax: (p) => p.activation === 'softmax',
});
