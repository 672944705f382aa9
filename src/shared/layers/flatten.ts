import { defineLayer, NO_PARAMS, one, product, single } from './spec.ts';

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
  build: (tf, _p, { name }) => single(tf.layers.flatten({ name })),
});
