import { float } from './params.ts';
import { defineLayer, NO_PARAMS, one, single } from './spec.ts';

export const dropout = defineLayer({
  kind: 'dropout',
  label: 'Dropout',
  category: 'regularization',
  description: 'While training, zeroes each value with probability `rate` and rescales the rest.',
  params: { rate: float({ default: 0.5, min: 0, max: 1, exclusiveMax: true, label: 'Rate' }) },
  inputs: { min: 1, max: 1 },
  outputShape: (inputs) => [...one(inputs)],
  paramCount: () => NO_PARAMS,
  multiplyAdds: () => 0,
  build: (tf, p, { name }) => single(tf.layers.dropout({ rate: p.rate, name })),
  // Built from tfjs's own layers only.
  needsCustomClass: () => false,
  registerCustomClass: null,
  producesSoftmax: () => false,
});
