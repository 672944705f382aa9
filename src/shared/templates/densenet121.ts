import { GraphBuilder } from '../graph/builder.ts';
import type { Template } from './template.ts';

/** DenseNet-121's layout (blocks of 6, 12, 24, 16 bottleneck layers, growth 32) on 32x32 images. */
export const densenet121: Template = {
  id: 'densenet121',
  title: 'DenseNet-121 (CIFAR-10)',
  section: '10.13 DenseNet',
  dataset: 'cifar10',
  description:
    'DenseNet-121: four Dense Blocks of 6, 12, 24 and 16 bottleneck layers with growth rate 32, joined by ' +
    'transitions that halve the channels; expand a block to see its layers.',
  build: () => {
    const g = new GraphBuilder('DenseNet-121 (CIFAR-10)', 'cifar10', densenet121.description);
    const growth = 32;
    let channels = 2 * growth;
    let x = g.chain(g.input([32, 32, 3]), [
      [
        'conv2d',
        { filters: channels, kernelSize: [3, 3], padding: 'same', useBias: false },
        'stem_conv',
      ],
    ]);
    [6, 12, 24, 16].forEach((layers, i) => {
      x = g.layer(
        'denseBlock',
        { layers, growthRate: growth, bottleneck: true },
        x,
        `dense_block${i + 1}`,
      );
      channels += layers * growth;
      if (i < 3) {
        channels = Math.floor(channels / 2);
        x = g.chain(x, [
          ['batchNormalization', {}, `transition${i + 1}_bn`],
          ['relu', {}, `transition${i + 1}_relu`],
          [
            'conv2d',
            { filters: channels, kernelSize: [1, 1], useBias: false },
            `transition${i + 1}_conv`,
          ],
          ['averagePooling2d', { poolSize: [2, 2] }, `transition${i + 1}_pool`],
        ]);
      }
    });
    g.chain(x, [
      ['batchNormalization', {}, 'final_bn'],
      ['relu', {}, 'final_relu'],
      ['globalAveragePooling2d'],
      ['dense', { units: 10 }],
    ]);
    return g.build();
  },
};
