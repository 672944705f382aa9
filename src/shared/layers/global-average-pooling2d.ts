import { defineLayer, NO_PARAMS, one, requireRank, single } from './spec.ts';

export const globalAveragePooling2d = defineLayer({
  kind: 'globalAveragePooling2d',
  label: 'GlobalAveragePooling2D',
  category: 'pooling',
  description:
    'Averages each channel over height and width: [h, w, c] -> [c] (used by ResNet, 10.14).',
  params: {},
  inputs: { min: 1, max: 1 },
  outputShape: (inputs) => {
    const x = one(inputs);
    requireRank(x, 3, 'GlobalAveragePooling2D');
    return [x[2]!];
  },
  paramCount: () => NO_PARAMS,
  multiplyAdds: () => 0,
  build: (tf, _p, { name }) => single(tf.layers.globalAveragePooling2d({ name })),
  // Built from tfjs's own layers only.
  needsCustomClass: () => false,
  registerCustomClass: null,
  producesSoftmax: () => false,
});
