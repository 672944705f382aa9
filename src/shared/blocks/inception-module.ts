import { int, type ParamValue } from '../layers/params.ts';
import { conv2d } from '../layers/conv2d.ts';
import { maxPooling2d } from '../layers/max-pooling2d.ts';
import { concatenate } from '../layers/concatenate.ts';
import { BLOCK_INPUT, defineBlock, node } from './fragment.ts';

const conv = (filters: number, k: number): Record<string, ParamValue> => ({
  filters,
  kernelSize: [k, k],
  padding: 'same',
  activation: 'relu',
});

export const inceptionModule = defineBlock({
  kind: 'inceptionModule',
  label: 'Inception module',
  description:
    'Four branches on one input, concatenated on channels (chapter 10.9.3): 1x1 | 1x1 -> 3x3 | ' +
    '1x1 -> 5x5 | 3x3 max pool -> 1x1; all stride 1, padding same, ReLU.',
  params: {
    filters1x1: int({ default: 64, min: 1, label: '1x1 filters' }),
    reduce3x3: int({ default: 96, min: 1, label: '3x3 reduce (1x1) filters' }),
    filters3x3: int({ default: 128, min: 1, label: '3x3 filters' }),
    reduce5x5: int({ default: 16, min: 1, label: '5x5 reduce (1x1) filters' }),
    filters5x5: int({ default: 32, min: 1, label: '5x5 filters' }),
    poolProjection: int({ default: 32, min: 1, label: 'Pool projection (1x1) filters' }),
  },
  expand: (p) => ({
    nodes: [
      node('b1_conv1x1', conv2d, conv(p.filters1x1, 1), [BLOCK_INPUT]),
      node('b2_reduce', conv2d, conv(p.reduce3x3, 1), [BLOCK_INPUT]),
      node('b2_conv3x3', conv2d, conv(p.filters3x3, 3), ['b2_reduce']),
      node('b3_reduce', conv2d, conv(p.reduce5x5, 1), [BLOCK_INPUT]),
      node('b3_conv5x5', conv2d, conv(p.filters5x5, 5), ['b3_reduce']),
      node('b4_pool', maxPooling2d, { poolSize: [3, 3], strides: [1, 1], padding: 'same' }, [
        BLOCK_INPUT,
      ]),
      node('b4_proj', conv2d, conv(p.poolProjection, 1), ['b4_pool']),
      node('concat', concatenate, {}, ['b1_conv1x1', 'b2_conv3x3', 'b3_conv5x5', 'b4_proj']),
    ],
    output: 'concat',
  }),
});
