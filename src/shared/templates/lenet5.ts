import { GraphBuilder } from '../graph/builder.ts';
import type { Template } from './template.ts';

/** LeNet-5 as the chapter adapts it (10.4); `withBatchNorm` adds BN after each conv (10.8.3). */
export function buildLenet5(withBatchNorm: boolean, title: string, description: string) {
  const g = new GraphBuilder(title, 'mnist', description);
  const bn = withBatchNorm ? ([['batchNormalization']] as [string][]) : [];
  g.chain(g.input([28, 28, 1]), [
    ['conv2d', { filters: 6, kernelSize: [3, 3] }],
    ...bn,
    ['maxPooling2d', { poolSize: [2, 2], strides: [2, 2] }],
    ['relu'],
    ['conv2d', { filters: 16, kernelSize: [3, 3] }],
    ...bn,
    ['maxPooling2d', { poolSize: [2, 2], strides: [2, 2] }],
    ['relu'],
    ['flatten'],
    ['dense', { units: 120, activation: 'relu' }],
    ['dense', { units: 84, activation: 'relu' }],
    ['dense', { units: 10 }],
  ]);
  return g.build();
}

export const lenet5: Template = {
  id: 'lenet5',
  title: 'LeNet-5',
  section: '10.4 LeNet-5 in practice',
  dataset: 'mnist',
  description:
    'Two 3x3 conv + pool + ReLU stages and three Dense layers (60,074 parameters); the chapter reaches 98.4% on MNIST.',
  build: () => buildLenet5(false, 'LeNet-5', lenet5.description),
};
