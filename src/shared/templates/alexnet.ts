import { GraphBuilder } from '../graph/builder.ts';
import type { Template } from './template.ts';

export const alexnet: Template = {
  id: 'alexnet',
  title: 'AlexNet-style net (CIFAR-10)',
  section: '10.9.1 AlexNet',
  dataset: 'cifar10',
  description:
    "AlexNet's pattern scaled to 32x32: five ReLU convolutions with max pooling after the 1st, 2nd and 5th, " +
    'then two Dense layers with Dropout and Dense 10.',
  build: () => {
    const g = new GraphBuilder('AlexNet-style net (CIFAR-10)', 'cifar10', alexnet.description);
    const conv = (filters: number, k: number) => ({
      filters,
      kernelSize: [k, k],
      padding: 'same',
      activation: 'relu',
    });
    const pool = { poolSize: [3, 3], strides: [2, 2], padding: 'same' };
    g.chain(g.input([32, 32, 3]), [
      ['conv2d', conv(64, 5)],
      ['maxPooling2d', pool],
      ['conv2d', conv(192, 5)],
      ['maxPooling2d', pool],
      ['conv2d', conv(384, 3)],
      ['conv2d', conv(256, 3)],
      ['conv2d', conv(256, 3)],
      ['maxPooling2d', pool],
      ['flatten'],
      ['dense', { units: 1024, activation: 'relu' }],
      ['dropout', { rate: 0.5 }],
      ['dense', { units: 512, activation: 'relu' }],
      ['dropout', { rate: 0.5 }],
      ['dense', { units: 10 }],
    ]);
    return g.build();
  },
};
