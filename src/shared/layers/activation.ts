import { ACTIVATIONS, enumOf, float } from './params.ts';
import { defineLayer, NO_PARAMS, one, single } from './spec.ts';

const FUNCTIONS = [...ACTIVATIONS.filter((a) => a !== 'linear'), 'leakyRelu'] as const;

export const activationLayer = defineLayer({
  kind: 'activation',
  label: 'Activation',
  category: 'activation',
  description:
    'Applies a non-linearity element-wise (ReLU, sigmoid, tanh, softmax, leaky ReLU, ...).',
  params: {
    fn: enumOf(FUNCTIONS, { default: 'relu', label: 'Function' }),
    alpha: float({ default: 0.3, min: 0, label: 'Leaky ReLU slope' }),
  },
  inputs: { min: 1, max: 1 },
  outputShape: (inputs) => [...one(inputs)],
  paramCount: () => NO_PARAMS,
  multiplyAdds: () => 0,
  build: (tf, p, { name }) =>
    single(
      p.fn === 'leakyRelu'
        ? tf.layers.leakyReLU({ alpha: p.alpha, name })
        : tf.layers.activation({ activation: p.fn, name }),
    ),
  // Built from tfjs's own layers only.
  needsCustomClass: () => false,
  registerCustomClass: null,
  producesSoftmax: (p) => p.fn === 'softmax',
});
