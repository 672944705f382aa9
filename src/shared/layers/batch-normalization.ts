import { bool, float } from './params.ts';
import { defineLayer, one, single } from './spec.ts';

export const batchNormalization = defineLayer({
  kind: 'batchNormalization',
  label: 'BatchNormalization',
  category: 'normalization',
  description:
    'Normalises each channel with batch statistics while training and moving statistics at test ' +
    'time (chapter 10.8); the moving mean and variance are non-trainable parameters.',
  params: {
    momentum: float({ default: 0.99, min: 0, max: 1, label: 'Momentum' }),
    epsilon: float({ default: 0.001, min: 0, label: 'Epsilon' }),
    center: bool({ default: true, label: 'Learn offset (beta)' }),
    scale: bool({ default: true, label: 'Learn scale (gamma)' }),
  },
  inputs: { min: 1, max: 1 },
  outputShape: (inputs) => [...one(inputs)],
  paramCount: (inputs, p) => {
    const c = one(inputs).at(-1)!;
    return { trainable: c * ((p.center ? 1 : 0) + (p.scale ? 1 : 0)), nonTrainable: 2 * c };
  },
  multiplyAdds: () => 0,
  build: (tf, p, { name }) =>
    single(
      tf.layers.batchNormalization({
        momentum: p.momentum,
        epsilon: p.epsilon,
        center: p.center,
        scale: p.scale,
        name,
      }),
    ),
  // Built from tfjs's own layers only.
  needsCustomClass: () => false,
  registerCustomClass: null,
  producesSoftmax: () => false,
});
