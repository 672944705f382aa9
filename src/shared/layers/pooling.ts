// Shared by MaxPooling2D and AveragePooling2D, which differ only in the tfjs layer.
import type * as TF from '@tensorflow/tfjs';
import { enumOf, optionalPair, pair } from './params.ts';
import {
  NO_PARAMS,
  one,
  requireRank,
  single,
  type LayerSpec,
  type Tf,
  type Apply,
} from './spec.ts';
import { windowOutput } from './conv-math.ts';

export const poolParams = {
  poolSize: pair({ default: [2, 2], label: 'Pool size' }),
  strides: optionalPair({ label: 'Strides (empty = pool size)' }),
  padding: enumOf(['valid', 'same'], { default: 'valid', label: 'Padding' }),
};
type PoolParams = typeof poolParams;

export function poolSpec(
  kind: string,
  label: string,
  description: string,
  make: (tf: Tf) => (args: Parameters<Tf['layers']['maxPooling2d']>[0]) => TF.layers.Layer,
): LayerSpec<PoolParams> {
  return {
    kind,
    label,
    category: 'pooling',
    description,
    params: poolParams,
    inputs: { min: 1, max: 1 },
    outputShape: (inputs, p) => {
      const x = one(inputs);
      requireRank(x, 3, label);
      const [h, w] = windowOutput(
        label,
        [x[0]!, x[1]!],
        p.poolSize,
        p.strides ?? p.poolSize,
        [1, 1],
        p.padding,
      );
      return [h, w, x[2]!];
    },
    paramCount: () => NO_PARAMS,
    multiplyAdds: () => 0,
    build: (tf, p, { name }): Apply =>
      single(
        make(tf)({
          poolSize: p.poolSize,
          strides: p.strides ?? p.poolSize,
          padding: p.padding,
          name,
        }),
      ),
    // Built from tfjs's own layers only.
    needsCustomClass: () => false,
    registerCustomClass: null,
    producesSoftmax: () => false,
  };
}
