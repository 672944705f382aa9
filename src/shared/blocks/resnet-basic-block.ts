import { bool, int } from '../layers/params.ts';
import { conv2d } from '../layers/conv2d.ts';
import { batchNormalization } from '../layers/batch-normalization.ts';
import { activationLayer } from '../layers/activation.ts';
import { add } from '../layers/add.ts';
import { BLOCK_INPUT, defineBlock, node, type FragmentNode } from './fragment.ts';

export const resnetBasicBlock = defineBlock({
  kind: 'resnetBasicBlock',
  label: 'ResNet BasicBlock',
  description:
    'Conv3x3(stride)-BN-ReLU-Conv3x3-BN plus a shortcut, added, then ReLU (chapter 10.12.2). ' +
    'The shortcut is a 1x1 convolution with the stride when stride != 1, else the identity.',
  params: {
    filters: int({ default: 64, min: 1, label: 'Filters' }),
    stride: int({ default: 1, min: 1, max: 4, label: 'Stride' }),
    projection: bool({
      default: false,
      label: '1x1 shortcut at stride 1',
      help: 'Use a 1x1 convolution on the shortcut even at stride 1, when the input has a different number of channels.',
    }),
  },
  expand: (p) => {
    const s: [number, number] = [p.stride, p.stride];
    const nodes: FragmentNode[] = [
      node(
        'conv1',
        conv2d,
        { filters: p.filters, kernelSize: [3, 3], strides: s, padding: 'same' },
        [BLOCK_INPUT],
      ),
      node('bn1', batchNormalization, {}, ['conv1']),
      node('relu1', activationLayer, { fn: 'relu' }, ['bn1']),
      node('conv2', conv2d, { filters: p.filters, kernelSize: [3, 3], padding: 'same' }, ['relu1']),
      node('bn2', batchNormalization, {}, ['conv2']),
    ];
    let shortcut = BLOCK_INPUT;
    if (p.stride !== 1 || p.projection) {
      nodes.push(
        node('shortcut', conv2d, { filters: p.filters, kernelSize: [1, 1], strides: s }, [
          BLOCK_INPUT,
        ]),
      );
      shortcut = 'shortcut';
    }
    nodes.push(
      node('add', add, {}, ['bn2', shortcut]),
      node('relu2', activationLayer, { fn: 'relu' }, ['add']),
    );
    return { nodes, output: 'relu2' };
  },
});
