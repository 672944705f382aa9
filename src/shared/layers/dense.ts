import { activation, bool, int } from './params.ts';
import { defineLayer, LayerError, one, single } from './spec.ts';
import { KERAS_KERNEL_INIT } from './initializers.ts';

export const dense = defineLayer({
  kind: 'dense',
  label: 'Dense',
  category: 'core',
  description: 'Fully connected layer on the last axis (chapter 10.1).',
  params: {
    units: int({ default: 10, min: 1, label: 'Units' }),
    activation: activation('linear'),
    useBias: bool({ default: true, label: 'Use bias' }),
  },
  inputs: { min: 1, max: 1 },
  outputShape: (inputs, p) => {
    const x = one(inputs);
    if (x.length > 1)
      throw new LayerError(
        'E_RANK',
        `Dense gets [${x.join(', ')}]; Netforge's Dense takes a flat vector. Add a Flatten or GlobalAveragePooling2D before it.`,
      );
    return [p.units];
  },
  paramCount: (inputs, p) => {
    const n = one(inputs)[0]!;
    return { trainable: n * p.units + (p.useBias ? p.units : 0), nonTrainable: 0 };
  },
  multiplyAdds: (inputs, p) => one(inputs)[0]! * p.units,
  build: (tf, p, { name }) => {
    const layer = tf.layers.dense({
      units: p.units,
      activation: p.activation,
      kernelInitializer: KERAS_KERNEL_INIT,
      useBias: p.useBias,
      name,
    });
    return single(layer);
  },
  // Built from tfjs's own layers only.
  needsCustomClass: () => false,
  registerCustomClass: null,
  producesSoftmax: (p) => p.activation === 'softmax',
});
