import { bool, int } from '../layers/params.ts';
import { conv2d } from '../layers/conv2d.ts';
import { batchNormalization } from '../layers/batch-normalization.ts';
import { activationLayer } from '../layers/activation.ts';
import { concatenate } from '../layers/concatenate.ts';
import { BLOCK_INPUT, defineBlock, node, type FragmentNode } from './fragment.ts';

export const denseBlock = defineBlock({
  kind: 'denseBlock',
  label: 'DenseNet Dense Block',
  description:
    'Each layer (BN-ReLU-Conv3x3, optionally after a BN-ReLU-Conv1x1 bottleneck of 4x growth) adds ' +
    '`growth rate` channels, concatenated to everything before it (chapter 10.13).',
  params: {
    layers: int({ default: 4, min: 1, max: 64, label: 'Layers' }),
    growthRate: int({ default: 12, min: 1, label: 'Growth rate' }),
    bottleneck: bool({ default: false, label: 'Bottleneck (1x1 conv first)' }),
  },
  expand: (p) => {
    const nodes: FragmentNode[] = [];
    let features = BLOCK_INPUT;
    for (let i = 1; i <= p.layers; i++) {
      let x = features;
      if (p.bottleneck) {
        nodes.push(
          node(`l${i}_bn0`, batchNormalization, {}, [x]),
          node(`l${i}_relu0`, activationLayer, { fn: 'relu' }, [`l${i}_bn0`]),
          node(
            `l${i}_conv0`,
            conv2d,
            { filters: 4 * p.growthRate, kernelSize: [1, 1], useBias: false },
            [`l${i}_relu0`],
          ),
        );
        x = `l${i}_conv0`;
      }
      nodes.push(
        node(`l${i}_bn`, batchNormalization, {}, [x]),
        node(`l${i}_relu`, activationLayer, { fn: 'relu' }, [`l${i}_bn`]),
        node(
          `l${i}_conv`,
          conv2d,
          { filters: p.growthRate, kernelSize: [3, 3], padding: 'same', useBias: false },
          [`l${i}_relu`],
        ),
        node(`l${i}_concat`, concatenate, {}, [features, `l${i}_conv`]),
      );
      features = `l${i}_concat`;
    }
    return { nodes, output: features };
  },
});
