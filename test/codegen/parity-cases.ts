// Small graphs for the PyTorch parity test: each layer kind with the values where TensorFlow's
// and PyTorch's conventions part (see src/shared/codegen/pytorch/padding.ts).
import { GraphBuilder } from '../../src/shared/graph/builder.ts';
import type { GraphDoc } from '../../src/shared/graph/types.ts';
import type { ParamValue } from '../../src/shared/layers/params.ts';

export interface ParityCase {
  name: string;
  graph: () => GraphDoc;
}

type Step = [kind: string, params?: Record<string, ParamValue>];

/** Input `shape` -> `steps` one after another. */
const chain = (name: string, shape: number[], steps: Step[]): ParityCase => ({
  name,
  graph: () => {
    const g = new GraphBuilder(name);
    g.chain(g.input(shape), steps);
    return g.build();
  },
});

const img = [9, 8, 3];
const conv = (p: Record<string, ParamValue>): Step => ['conv2d', { filters: 4, ...p }];
const tconv = (p: Record<string, ParamValue>): Step => ['conv2dTranspose', { filters: 3, ...p }];
const pools = (kind: string): ParityCase[] => [
  chain(`${kind} 2x2 valid`, img, [[kind, { poolSize: [2, 2] }]]),
  chain(`${kind} 3x3 stride 2 same (uneven pads)`, img, [[kind, { poolSize: [3, 3], strides: [2, 2], padding: 'same' }]]),
  chain(`${kind} 3x3 stride 1 same`, img, [[kind, { poolSize: [3, 3], strides: [1, 1], padding: 'same' }]]),
  chain(`${kind} 2x3 strides 1x2 same`, img, [[kind, { poolSize: [2, 3], strides: [1, 2], padding: 'same' }]]),
  chain(`${kind} 2x2 stride 2 same, odd input`, [7, 7, 2], [[kind, { poolSize: [2, 2], padding: 'same' }]]),
]; // prettier-ignore

const ACTIVATIONS = [
  'relu', 'relu6', 'sigmoid', 'tanh', 'softmax', 'elu', 'selu', 'softplus', 'softsign', 'swish',
  'hardSigmoid',
]; // prettier-ignore

export const PARITY_CASES: ParityCase[] = [
  chain('dense on a vector', [12], [['dense', { units: 7, activation: 'relu' }], ['dense', { units: 5 }]]),
  chain('dense without bias, softmax', [6], [['dense', { units: 4, activation: 'softmax', useBias: false }]]),
  chain('conv valid', img, [conv({ kernelSize: [3, 3] })]),
  chain('conv same 3x3', img, [conv({ kernelSize: [3, 3], padding: 'same', activation: 'relu' })]),
  chain('conv same even kernel 4x4', img, [conv({ kernelSize: [4, 4], padding: 'same' })]),
  chain('conv same 3x3 stride 2 (uneven pads)', img, [conv({ kernelSize: [3, 3], strides: [2, 2], padding: 'same' })]),
  chain('conv same even kernel 2x2 stride 2', [9, 9, 2], [conv({ kernelSize: [2, 2], strides: [2, 2], padding: 'same' })]),
  chain('conv same 4x4 stride 2', img, [conv({ kernelSize: [4, 4], strides: [2, 2], padding: 'same' })]),
  chain('conv same 3x5 strides 2x1', img, [conv({ kernelSize: [3, 5], strides: [2, 1], padding: 'same' })]),
  chain('conv dilation 2 same', img, [conv({ kernelSize: [3, 3], dilation: [2, 2], padding: 'same' })]),
  chain('conv dilation 2 even kernel same', img, [conv({ kernelSize: [2, 2], dilation: [2, 2], padding: 'same' })]),
  chain('conv dilation 2x3 valid', [11, 12, 2], [conv({ kernelSize: [3, 3], dilation: [2, 3] })]),
  chain('conv explicit padding, no bias', img, [conv({ kernelSize: [3, 3], padding: [[1, 2], [0, 3]], useBias: false })]),
  chain('depthwise valid', img, [['depthwiseConv2d', { kernelSize: [3, 3] }]]),
  chain('depthwise same stride 2, multiplier 2', img, [['depthwiseConv2d', { kernelSize: [3, 3], strides: [2, 2], padding: 'same', depthMultiplier: 2 }]]),
  chain('depthwise even kernel same, no bias, relu', img, [['depthwiseConv2d', { kernelSize: [2, 2], padding: 'same', useBias: false, activation: 'relu' }]]),
  chain('separable same', img, [['separableConv2d', { filters: 5, kernelSize: [3, 3], padding: 'same' }]]),
  chain('separable multiplier 2, dilation 2', img, [['separableConv2d', { filters: 5, kernelSize: [3, 3], padding: 'same', dilation: [2, 2], depthMultiplier: 2 }]]),
  chain('separable stride 2 same, multiplier 2, no bias', img, [['separableConv2d', { filters: 4, kernelSize: [4, 4], strides: [2, 2], padding: 'same', depthMultiplier: 2, useBias: false }]]),
  chain('transposed valid 3x3 stride 2', [4, 5, 2], [tconv({ kernelSize: [3, 3], strides: [2, 2] })]),
  chain('transposed same 3x3 stride 2', [4, 5, 2], [tconv({ kernelSize: [3, 3], strides: [2, 2], padding: 'same' })]),
  chain('transposed same even 4x4 stride 2', [4, 5, 2], [tconv({ kernelSize: [4, 4], strides: [2, 2], padding: 'same' })]),
  chain('transposed same 3x3 stride 2, output padding 1', [4, 5, 2], [tconv({ kernelSize: [3, 3], strides: [2, 2], padding: 'same', outputPadding: [1, 1] })]),
  chain('transposed valid 3x3 stride 3, output padding [2, 1]', [4, 5, 2], [tconv({ kernelSize: [3, 3], strides: [3, 3], outputPadding: [2, 1] })]),
  chain('transposed same 4x4 stride 2, output padding 1', [4, 5, 2], [tconv({ kernelSize: [4, 4], strides: [2, 2], padding: 'same', outputPadding: [1, 1] })]),
  chain('transposed output size [8, 9], relu', [4, 5, 2], [tconv({ kernelSize: [3, 3], strides: [2, 2], padding: 'same', outputSize: [8, 9], activation: 'relu' })]),
  chain('transposed valid kernel 2 < stride 3', [4, 5, 2], [tconv({ kernelSize: [2, 2], strides: [3, 3] })]),
  chain('transposed same kernel 2 < stride 3, no bias', [4, 5, 2], [tconv({ kernelSize: [2, 2], strides: [3, 3], padding: 'same', useBias: false })]),
  ...pools('maxPooling2d'),
  ...pools('averagePooling2d'),
  chain('global average pooling, dense', img, [['globalAveragePooling2d'], ['dense', { units: 3 }]]),
  chain('batch norm on images', img, [['batchNormalization']]),
  chain('batch norm momentum 0.9, epsilon 0.01', img, [['batchNormalization', { momentum: 0.9, epsilon: 0.01 }]]),
  chain('batch norm without center', img, [['batchNormalization', { center: false }]]),
  chain('batch norm without scale', img, [['batchNormalization', { scale: false }]]),
  chain('batch norm on a vector', [10], [['dense', { units: 6 }], ['batchNormalization']]),
  chain('batch norm on [6, 5], flatten', [6, 5], [['batchNormalization'], ['flatten'], ['dense', { units: 3 }]]),
  ...ACTIVATIONS.map((fn) => chain(`activation ${fn} on images`, [5, 4, 3], [['activation', { fn }]])),
  chain('activation leakyRelu 0.2 on images', [5, 4, 3], [['activation', { fn: 'leakyRelu', alpha: 0.2 }]]),
  chain('activation softmax on a vector', [7], [['activation', { fn: 'softmax' }]]),
  chain('relu layer', img, [['relu']]),
  chain('flatten (NHWC order) then dense', [4, 3, 5], [['flatten'], ['dense', { units: 6 }]]),
  chain('dropout (inference)', img, [conv({ kernelSize: [1, 1] }), ['dropout', { rate: 0.5 }]]),
  {
    name: 'add of three, concatenate on channels, height and width',
    graph: () => {
      const g = new GraphBuilder('merges');
      const x = g.input([6, 5, 2]);
      const a = g.layer('conv2d', { filters: 3, kernelSize: [1, 1] }, x);
      const b = g.layer('conv2d', { filters: 3, kernelSize: [3, 3], padding: 'same' }, x);
      const c = g.layer('conv2d', { filters: 3, kernelSize: [2, 2], padding: 'same' }, x);
      const sum = g.layer('add', {}, [a, b, c]);
      const ch = g.layer('concatenate', {}, [sum, x]);
      const h = g.layer('concatenate', { axis: 1 }, [ch, g.layer('relu', {}, ch)]);
      const w = g.layer('concatenate', { axis: -2 }, [h, g.layer('relu', {}, h)]);
      g.layer('conv2d', { filters: 2, kernelSize: [3, 3], strides: [2, 2], padding: 'same' }, w);
      return g.build();
    },
  },
  {
    name: 'concatenate vectors',
    graph: () => {
      const g = new GraphBuilder('vectors');
      const x = g.input([8]);
      const a = g.layer('dense', { units: 3 }, x);
      const b = g.layer('dense', { units: 4, activation: 'tanh' }, x);
      g.layer('dense', { units: 2 }, g.layer('concatenate', {}, [a, b]));
      return g.build();
    },
  },
  chain('resnet basic block, stride 1', [8, 8, 4], [['resnetBasicBlock', { filters: 4 }]]),
  chain('resnet basic block, stride 2', [8, 8, 4], [['resnetBasicBlock', { filters: 6, stride: 2 }]]),
  chain('resnet basic block, projection', [7, 7, 3], [['resnetBasicBlock', { filters: 5, projection: true }]]),
  chain('dense block', [8, 8, 4], [['denseBlock', { layers: 3, growthRate: 3 }]]),
  chain('dense block with bottleneck', [8, 8, 4], [['denseBlock', { layers: 2, growthRate: 3, bottleneck: true }]]),
  chain('inception module', [7, 7, 4], [['inceptionModule', { filters1x1: 2, reduce3x3: 3, filters3x3: 4, reduce5x5: 2, filters5x5: 3, poolProjection: 2 }]]),
]; // prettier-ignore
