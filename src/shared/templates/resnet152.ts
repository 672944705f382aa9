import { GraphBuilder, type Ref } from '../graph/builder.ts';
import type { Template } from './template.ts';

/**
 * ResNet-152 for 32x32 images, spelled out layer by layer (about 500 nodes):
 * bottleneck blocks (1x1 -> 3x3 -> 1x1 with 4x expansion, BN after each conv)
 * in stages of [3, 8, 36, 3]. Large on purpose: it is also the editor's
 * stress test.
 */
export const resnet152: Template = {
  id: 'resnet152',
  title: 'ResNet-152 (CIFAR-10, every layer)',
  section: '10.12 Deep residual networks',
  dataset: 'cifar10',
  description:
    'The 152-layer ResNet with bottleneck blocks (1x1, 3x3, 1x1 convolutions, 4x expansion) in stages of ' +
    '3, 8, 36 and 3 blocks, every layer a node of its own (about 500 nodes).',
  build: () => {
    const g = new GraphBuilder('ResNet-152 (CIFAR-10)', 'cifar10', resnet152.description);
    let x: Ref = g.chain(g.input([32, 32, 3]), [
      ['conv2d', { filters: 64, kernelSize: [3, 3], padding: 'same', useBias: false }, 'stem_conv'],
      ['batchNormalization', {}, 'stem_bn'],
      ['relu', {}, 'stem_relu'],
    ]);
    let channels = 64;
    [3, 8, 36, 3].forEach((blocks, stage) => {
      const f = 64 * 2 ** stage;
      for (let b = 0; b < blocks; b++) {
        const s = stage > 0 && b === 0 ? 2 : 1;
        const p = `s${stage + 1}b${b + 1}`;
        const conv = (filters: number, k: number, stride = 1) => ({
          filters,
          kernelSize: [k, k],
          strides: [stride, stride],
          padding: 'same',
          useBias: false,
        });
        const main = g.chain(x, [
          ['conv2d', conv(f, 1), `${p}_conv1`],
          ['batchNormalization', {}, `${p}_bn1`],
          ['relu', {}, `${p}_relu1`],
          ['conv2d', conv(f, 3, s), `${p}_conv2`],
          ['batchNormalization', {}, `${p}_bn2`],
          ['relu', {}, `${p}_relu2`],
          ['conv2d', conv(4 * f, 1), `${p}_conv3`],
          ['batchNormalization', {}, `${p}_bn3`],
        ]);
        let shortcut = x;
        if (s !== 1 || channels !== 4 * f) {
          shortcut = g.layer('conv2d', conv(4 * f, 1, s), x, `${p}_proj`, 1);
          shortcut = g.layer('batchNormalization', {}, shortcut, `${p}_proj_bn`, 1);
        }
        x = g.layer('add', {}, [main, shortcut], `${p}_add`, 0);
        x = g.layer('relu', {}, x, `${p}_out`, 0);
        channels = 4 * f;
      }
    });
    g.chain(x, [['globalAveragePooling2d'], ['dense', { units: 10 }]]);
    return g.build();
  },
};
