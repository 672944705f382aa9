import { applyLayer, defineLayer, NO_PARAMS, one, product } from './spec.ts';

export const flatten = defineLayer({
  kind: 'flatten',
  label: 'Flatten',
  category: 'core',
  description: 'Unrolls [h, w, c] into one vector of h*w*c values so Dense layers can follow.',
  params: {},
  inputs: { min: 1, max: 1 },
  outputShape: (inputs) => [product(one(inputs))],
  paramCount: () => NO_PARAMS,
  multiplyAdds: () => 0,
  build: (tf, _p, { name }) => {
    const layer = tf.layers.flatten({ name });
    // A flat input is already flat; tfjs's Flatten refuses rank 2 where Keras passes it through.
    return (xs) => (xs[0]!.shape.length <= 2 ? xs[0]! : applyLayer(layer, xs[0]!));
  },
  // Built from tfjs's own layers only.
  needsCustomClass: () => false,
  registerCustomClass: null,
  producesSoftmax: () => false,
});
