import { GraphBuilder } from '../graph/builder.ts';
import type { Template } from './template.ts';

const GROWTH = 12;
const LAYERS_PER_BLOCK = 6;

export const densenet: Template = {
  id: 'densenet',
  title: 'DenseNet (CIFAR-10)',
  section: '10.13 DenseNet',
  dataset: 'cifar10',
  description:
    'A small DenseNet-BC: three Dense Blocks of 6 bottleneck layers (growth rate 12) joined by ' +
    'BN-ReLU-Conv1x1-AvgPool transitions that halve the channels.',
  build: () => {
    const g = new GraphBuilder('DenseNet (CIFAR-10)', 'cifar10', densenet.description);
    let x = g.layer(
      'conv2d',
      { filters: 2 * GROWTH, kernelSize: [3, 3], padding: 'same', useBias: false },
      g.input([32, 32, 3]),
      'stem_conv',
    );
    let channels = 2 * GROWTH;
    for (let b = 1; b <= 3; b++) {
      x = g.layer(
        'denseBlock',
        { layers: LAYERS_PER_BLOCK, growthRate: GROWTH, bottleneck: true },
        x,
        `dense_block${b}`,
      );
      channels += LAYERS_PER_BLOCK * GROWTH;
      if (b < 3) {
        channels = Math.floor(channels / 2);
        x = g.chain(x, [
          ['batchNormalization', {}, `transition${b}_bn`],
          ['activation', { fn: 'relu' }, `transition${b}_relu`],
          [
            'conv2d',
            { filters: channels, kernelSize: [1, 1], useBias: false },
            `transition${b}_conv`,
          ],
          ['averagePooling2d', { poolSize: [2, 2] }, `transition${b}_pool`],
        ]);
      }
    }
    g.chain(x, [
      ['batchNormalization'],
      ['activation', { fn: 'relu' }],
      ['globalAveragePooling2d'],
      ['dense', { units: 10 }],
    ]);
    return g.build();
  },
};
