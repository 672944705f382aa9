import { shape } from './params.ts';
import { defineLayer, NO_PARAMS } from './spec.ts';

export const input = defineLayer({
  kind: 'input',
  label: 'Input',
  category: 'input',
  description: 'Where samples enter the network; its shape excludes the batch axis.',
  params: { shape: shape({ default: [28, 28, 1], label: 'Shape' }) },
  inputs: { min: 0, max: 0 },
  outputShape: (_inputs, p) => [...p.shape],
  paramCount: () => NO_PARAMS,
  multiplyAdds: () => 0,
  // The compiler makes the tf.input itself; an Input node passes it through.
  build: () => (xs) => xs[0]!,
  // Built from tfjs's own layers only.
  needsCustomClass: () => false,
  registerCustomClass: null,
  producesSoftmax: () => false,
});
