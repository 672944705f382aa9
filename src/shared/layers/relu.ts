import { defineLayer, NO_PARAMS, one, single } from './spec.ts';

export const relu = defineLayer({
  kind: 'relu',
  label: 'ReLU',
  category: 'activation',
  description: "max(0, x), as a layer of its own (the chapter's layers.ReLU()).",
  params: {},
  inputs: { min: 1, max: 1 },
  outputShape: (inputs) => [...one(inputs)],
  paramCount: () => NO_PARAMS,
  multiplyAdds: () => 0,
  build: (tf, _p, { name }) => single(tf.layers.reLU({ name })),
  // Built from tfjs's own layers only.
  needsCustomClass: () => false,
  registerCustomClass: null,
  producesSoftmax: () => false,
});
