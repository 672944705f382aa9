import { defineLayer, LayerError, NO_PARAMS, applyLayer } from './spec.ts';

const fmt = (s: number[]): string => `[${s.join(', ')}]`;

export const add = defineLayer({
  kind: 'add',
  label: 'Add',
  category: 'merge',
  description: 'Element-wise sum of its inputs: the residual skip connection (chapter 10.12).',
  params: {},
  inputs: { min: 2, max: Infinity },
  outputShape: (inputs) => {
    const first = inputs[0]!;
    const bad = inputs.find((s) => fmt(s) !== fmt(first));
    if (bad)
      throw new LayerError(
        'E_ADD_SHAPES',
        `Add needs inputs of one shape; it gets ${inputs.map(fmt).join(' and ')}. ` +
          'Match them, e.g. with a 1x1 Conv2D with the right filters and stride on the shortcut.',
      );
    return [...first];
  },
  paramCount: () => NO_PARAMS,
  multiplyAdds: () => 0,
  build: (tf, _p, { name }) => {
    const layer = tf.layers.add({ name });
    return (xs) => applyLayer(layer, xs);
  },
  // Built from tfjs's own layers only.
  needsCustomClass: () => false,
  registerCustomClass: null,
  producesSoftmax: () => false,
});
