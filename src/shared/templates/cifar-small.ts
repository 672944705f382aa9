import { GraphBuilder } from '../graph/builder.ts';
import type { Template } from './template.ts';

export const cifarSmall: Template = {
  id: 'cifar-small',
  title: 'Small CNN (CIFAR-10)',
  section: '10.10 VGG13, scaled down',
  dataset: 'cifar10',
  description:
    "VGG13's pattern in miniature for quick CPU runs: three Conv3x3(same, ReLU)-MaxPool stages (32, 64, 64 " +
    'filters), then Dense 64 and Dense 10.',
  build: () => {
    const g = new GraphBuilder('Small CNN (CIFAR-10)', 'cifar10', cifarSmall.description);
    const conv = (filters: number) => ({
      filters,
      kernelSize: [3, 3],
      padding: 'same',
      activation: 'relu',
    });
    const pool = { poolSize: [2, 2], strides: [2, 2] };
    g.chain(g.input([32, 32, 3]), [
      ['conv2d', conv(32)],
      ['maxPooling2d', pool],
      ['conv2d', conv(64)],
      ['maxPooling2d', pool],
      ['conv2d', conv(64)],
      ['maxPooling2d', pool],
      ['flatten'],
      ['dense', { units: 64, activation: 'relu' }],
      ['dense', { units: 10 }],
    ]);
    return g.build();
  },
};
