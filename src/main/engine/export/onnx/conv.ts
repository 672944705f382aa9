// The convolutions as ONNX Conv / ConvTranspose, with TensorFlow's padding spelled out as
// explicit pads (ONNX's SAME_UPPER would match, but explicit pads say exactly what TF does).
import type { Pair, Padding } from '../../../../shared/layers/params.ts';
import { samePads } from '../../../../shared/layers/conv-math.ts';
import type { Value } from './builder.ts';
import {
  activate,
  biasInput,
  initializer,
  permute,
  required,
  type EmitContext,
  type Emitter,
} from './emit.ts';

/**
 * ONNX pads [top, left, bottom, right] for a window over `hw`. TF's 'same' pads
 * (out - 1) * stride + effective kernel - in in total (at least 0), the odd one at the bottom or
 * right: asymmetric for even kernels and for strides that do not divide the size.
 */
export function windowPads(
  padding: Padding,
  hw: Pair,
  kernel: Pair,
  strides: Pair,
  dilation: Pair = [1, 1],
): number[] {
  if (padding === 'valid') return [0, 0, 0, 0];
  if (padding !== 'same') return [padding[0][0], padding[1][0], padding[0][1], padding[1][1]];
  const [h, w] = [0, 1].map((a) => samePads(hw[a]!, kernel[a]!, strides[a]!, dilation[a]!));
  return [h![0], w![0], h![1], w![1]];
}

interface ConvParams {
  filters: number;
  kernelSize: Pair;
  strides: Pair;
  padding: Padding;
  dilation: Pair;
  depthMultiplier: number;
  activation: string;
}

const params = (c: EmitContext) => c.layer.params as unknown as ConvParams;
const hwOf = (c: EmitContext): Pair => [c.layer.inputShapes[0]![0]!, c.layer.inputShapes[0]![1]!];

function nchwInput(c: EmitContext): Value {
  const x = c.xs[0]!;
  if (!x.nchw) throw new Error(`Layer "${c.layer.name}" expects an image tensor.`);
  return x;
}

/** tfjs kernel [kh, kw, in, out] -> ONNX Conv weight [out, in, kh, kw]. */
const convWeight = (c: EmitContext, name: string) =>
  initializer(c, name, permute(required(c, name), [3, 2, 0, 1]));

/**
 * tfjs depthwise kernel [kh, kw, c, m] -> ONNX grouped Conv weight [c * m, 1, kh, kw]: group g
 * reads input channel g and writes outputs g * m ... g * m + m - 1, TF's channel order.
 */
function depthwiseWeight(c: EmitContext): string {
  const w = permute(required(c, 'depthwise_kernel'), [2, 3, 0, 1]);
  const [ch, m, kh, kw] = w.shape as [number, number, number, number];
  return initializer(c, 'depthwise_kernel', { shape: [ch * m, 1, kh, kw], data: w.data });
}

/** A Conv over the layer's window: its kernel, strides and padding, and `dilation`. */
function windowConv(
  c: EmitContext,
  weights: string[],
  group: number,
  dilation: Pair,
  out: string,
): Value {
  const p = params(c);
  const attrs = {
    kernel_shape: p.kernelSize,
    strides: p.strides,
    dilations: dilation,
    pads: windowPads(p.padding, hwOf(c), p.kernelSize, p.strides, dilation),
    group,
  };
  return { name: c.g.op('Conv', [nchwInput(c).name, ...weights], out, attrs), nchw: true };
}

const channelsIn = (c: EmitContext): number => c.layer.inputShapes[0]![2]!;

const conv2d: Emitter = (c) => {
  const p = params(c);
  const weights = [convWeight(c, 'kernel'), ...biasInput(c)];
  return activate(c, windowConv(c, weights, 1, p.dilation, c.layer.name), p.activation);
};

/** One group per input channel; tfjs's DepthwiseConv2D has no dilation. */
const depthwiseConv2d: Emitter = (c) => {
  const p = params(c);
  const weights = [depthwiseWeight(c), ...biasInput(c)];
  const y = windowConv(c, weights, channelsIn(c), [1, 1], c.layer.name);
  return activate(c, y, p.activation);
};

/** A depthwise Conv (one group per input channel, no bias), then a 1x1 Conv with the bias. */
const separableConv2d: Emitter = (c) => {
  const p = params(c);
  const depthwise = windowConv(
    c,
    [depthwiseWeight(c)],
    channelsIn(c),
    p.dilation,
    `${c.layer.name}/depthwise`,
  );
  const weights = [convWeight(c, 'pointwise_kernel'), ...biasInput(c)];
  const pointwise = c.g.op('Conv', [depthwise.name, ...weights], c.layer.name, {
    kernel_shape: [1, 1],
  });
  return activate(c, { name: pointwise, nchw: true }, p.activation);
};

/**
 * ConvTranspose. Along each axis TF's output is the full transposed convolution (length
 * (i-1)s + k, zero beyond it) read from `before` for `o` values: `before` is
 * floor(max((i-1)s + k - o, 0) / 2) for 'same' (the forward conv's top padding) and 0 for 'valid'.
 * In ONNX that is pads [before, end] where the output ends inside the full one, else
 * output_padding for the values past its end (always fewer than the stride).
 */
const conv2dTranspose: Emitter = (c) => {
  const p = params(c);
  const x = nchwInput(c);
  const begin: number[] = [];
  const end: number[] = [];
  const outputPadding: number[] = [];
  for (const a of [0, 1]) {
    const [i, o, k, s] = [
      c.layer.inputShapes[0]![a]!,
      c.layer.outputShape[a]!,
      p.kernelSize[a]!,
      p.strides[a]!,
    ];
    const full = (i - 1) * s + k;
    const before = p.padding === 'same' ? Math.floor(Math.max(full - o, 0) / 2) : 0;
    begin.push(before);
    end.push(Math.max(full - before - o, 0));
    outputPadding.push(Math.max(before + o - full, 0));
  }
  // tfjs kernel [kh, kw, out, in] -> ONNX ConvTranspose weight [in, out, kh, kw].
  const inputs = [x.name, convWeight(c, 'kernel'), ...biasInput(c)];
  const y = c.g.op('ConvTranspose', inputs, c.layer.name, {
    kernel_shape: p.kernelSize,
    strides: p.strides,
    pads: [...begin, ...end],
    output_padding: outputPadding,
  });
  return activate(c, { name: y, nchw: true }, p.activation);
};

export const CONV_EMITTERS = { conv2d, depthwiseConv2d, separableConv2d, conv2dTranspose };
