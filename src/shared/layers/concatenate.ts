import { int } from './params.ts';
import { applyLayer, defineLayer, LayerError, NO_PARAMS } from './spec.ts';

const fmt = (s: number[]): string => `[${s.join(', ')}]`;

export const concatenate = defineLayer({
  kind: 'concatenate',
  label: 'Concatenate',
  category: 'merge',
  description:
    'Joins its inputs along one axis, channels by default (DenseNet 10.13, Inception 10.9.3).',
  params: { axis: int({ default: -1, label: 'Axis (-1 = channels)' }) },
  inputs: { min: 2, max: Infinity },
  outputShape: (inputs, p) => {
    const first = inputs[0]!;
    const rank = first.length;
    if (p.axis === 0 || p.axis > rank || p.axis < -rank)
      throw new LayerError(
        'E_CONCAT_SHAPES',
        `Concatenate's axis ${p.axis} is not a feature axis of ${fmt(first)}.`,
      );
    const a = p.axis < 0 ? rank + p.axis : p.axis - 1; // axis counts the batch axis, as in Keras
    const others = (s: number[]): string => fmt(s.filter((_, i) => i !== a));
    const bad = inputs.find((s) => s.length !== rank || others(s) !== others(first));
    if (bad)
      throw new LayerError(
        'E_CONCAT_SHAPES',
        `Concatenate needs inputs equal on every axis but the joined one; it gets ${inputs.map(fmt).join(' and ')}. ` +
          'Use padding "same" in the branches, or equal strides, so heights and widths agree.',
      );
    const out = [...first];
    out[a] = inputs.reduce((sum, s) => sum + s[a]!, 0);
    return out;
  },
  paramCount: () => NO_PARAMS,
  multiplyAdds: () => 0,
  build: (tf, p, { name }) => {
    // tfjs treats every negative axis as the last one; count from the front instead.
    let layer: ReturnType<typeof tf.layers.concatenate> | undefined;
    return (xs) => {
      const rank = xs[0]!.shape.length;
      layer ??= tf.layers.concatenate({ axis: p.axis < 0 ? rank + p.axis : p.axis, name });
      return applyLayer(layer, xs);
    };
  },
  // Built from tfjs's own layers only.
  needsCustomClass: () => false,
  registerCustomClass: null,
  producesSoftmax: () => false,
});
