import { buildLenet5 } from './lenet5.ts';
import type { Template } from './template.ts';

export const lenet5Bn: Template = {
  id: 'lenet5-bn',
  title: 'LeNet-5 with BatchNorm',
  section: '10.8.3 BatchNorm in practice',
  dataset: 'mnist',
  description:
    'LeNet-5 with BatchNormalization after each convolution (60,162 parameters, 44 non-trainable).',
  build: () => buildLenet5(true, 'LeNet-5 with BatchNorm', lenet5Bn.description),
};
