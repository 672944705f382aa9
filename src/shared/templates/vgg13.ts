import { GraphBuilder } from '../graph/builder.ts';
import type { Template } from './template.ts';

export const vgg13: Template = {
  id: 'vgg13',
  title: 'VGG13',
  section: '10.10 CIFAR-10 and VGG13 in practice',
  dataset: 'cifar10',
  description:
    'Five Conv-Conv-MaxPool units (64 to 512 filters, 3x3 same, ReLU) and Dense 256-128-10 (9,570,506 parameters).',
  build: () => {
    const g = new GraphBuilder('VGG13', 'cifar10', vgg13.description);
    let x = g.input([32, 32, 3]);
    for (const filters of [64, 128, 256, 512, 512]) {
      const conv = { filters, kernelSize: [3, 3], padding: 'same', activation: 'relu' };
      x = g.chain(x, [
        ['conv2d', conv],
        ['conv2d', conv],
        ['maxPooling2d', { poolSize: [2, 2], strides: [2, 2], padding: 'same' }],
      ]);
    }
    g.chain(x, [
      ['flatten'],
      ['dense', { units: 256, activation: 'relu' }],
      ['dense', { units: 128, activation: 'relu' }],
      ['dense', { units: 10 }],
    ]);
    return g.build();
  },
};
