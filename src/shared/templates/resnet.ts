import { GraphBuilder } from '../graph/builder.ts';
import type { Template } from './template.ts';

/** The chapter's ResNet for CIFAR-10 (10.14): stem, four stages of BasicBlocks, GAP, Dense 10. */
export function buildResnet(
  title: string,
  description: string,
  blocks: [number, number, number, number],
) {
  const g = new GraphBuilder(title, 'cifar10', description);
  let x = g.chain(g.input([32, 32, 3]), [
    ['conv2d', { filters: 64, kernelSize: [3, 3] }, 'stem_conv'],
    ['batchNormalization', {}, 'stem_bn'],
    ['activation', { fn: 'relu' }, 'stem_relu'],
    ['maxPooling2d', { poolSize: [2, 2], strides: [1, 1], padding: 'same' }, 'stem_pool'],
  ]);
  [64, 128, 256, 512].forEach((filters, stage) => {
    for (let b = 0; b < blocks[stage]!; b++) {
      const stride = stage > 0 && b === 0 ? 2 : 1;
      x = g.layer('resnetBasicBlock', { filters, stride }, x, `stage${stage + 1}_block${b + 1}`);
    }
  });
  g.chain(x, [['globalAveragePooling2d'], ['dense', { units: 10 }]]);
  return g.build();
}

export const resnet18: Template = {
  id: 'resnet18',
  title: 'ResNet18',
  section: '10.14 CIFAR-10 and ResNet18 in practice',
  dataset: 'cifar10',
  description:
    'Stem conv, four stages of two BasicBlocks (64-512 filters), global average pooling, Dense 10 (11,184,778 parameters).',
  build: () => buildResnet('ResNet18', resnet18.description, [2, 2, 2, 2]),
};

export const resnet34: Template = {
  id: 'resnet34',
  title: 'ResNet34',
  section: '10.14 CIFAR-10 and ResNet18 in practice',
  dataset: 'cifar10',
  description: 'ResNet18 with [3, 4, 6, 3] BasicBlocks per stage (21,304,074 parameters).',
  build: () => buildResnet('ResNet34', resnet34.description, [3, 4, 6, 3]),
};
