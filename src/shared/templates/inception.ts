import { GraphBuilder } from '../graph/builder.ts';
import type { Template } from './template.ts';

export const inception: Template = {
  id: 'inception',
  title: 'Inception-style net (CIFAR-10)',
  section: '10.9.3 GoogLeNet',
  dataset: 'cifar10',
  description:
    "A GoogLeNet-style network for 32x32 images: a conv stem, three Inception modules (the chapter's four " +
    'branches) with a max pool between, global average pooling, Dropout and Dense 10.',
  build: () => {
    const g = new GraphBuilder('Inception-style net (CIFAR-10)', 'cifar10', inception.description);
    let x = g.chain(g.input([32, 32, 3]), [
      [
        'conv2d',
        { filters: 64, kernelSize: [3, 3], padding: 'same', activation: 'relu' },
        'stem_conv',
      ],
      ['maxPooling2d', { poolSize: [3, 3], strides: [2, 2], padding: 'same' }, 'stem_pool'],
    ]);
    const module = (name: string, f: [number, number, number, number, number, number]) => {
      const [filters1x1, reduce3x3, filters3x3, reduce5x5, filters5x5, poolProjection] = f;
      x = g.layer(
        'inceptionModule',
        { filters1x1, reduce3x3, filters3x3, reduce5x5, filters5x5, poolProjection },
        x,
        name,
      );
    };
    module('inception_3a', [64, 96, 128, 16, 32, 32]);
    module('inception_3b', [128, 128, 192, 32, 96, 64]);
    x = g.layer(
      'maxPooling2d',
      { poolSize: [3, 3], strides: [2, 2], padding: 'same' },
      x,
      'pool_3',
    );
    module('inception_4a', [192, 96, 208, 16, 48, 64]);
    g.chain(x, [['globalAveragePooling2d'], ['dropout', { rate: 0.4 }], ['dense', { units: 10 }]]);
    return g.build();
  },
};
