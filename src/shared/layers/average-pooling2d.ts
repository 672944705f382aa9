import { defineLayer } from './spec.ts';
import { poolSpec } from './pooling.ts';

export const averagePooling2d = defineLayer(
  poolSpec('averagePooling2d', 'AveragePooling2D', 'Averages each window (chapter 10.6).', (tf) =>
    tf.layers.averagePooling2d.bind(tf.layers),
  ),
);
