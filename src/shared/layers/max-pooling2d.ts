import { defineLayer } from './spec.ts';
import { poolSpec } from './pooling.ts';

export const maxPooling2d = defineLayer(
  poolSpec(
    'maxPooling2d',
    'MaxPooling2D',
    'Keeps the largest value of each window (chapter 10.6).',
    (tf) => tf.layers.maxPooling2d.bind(tf.layers),
  ),
);
