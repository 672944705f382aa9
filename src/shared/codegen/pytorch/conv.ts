// The convolutions: Conv2D, DepthwiseConv2D, SeparableConv2D and Conv2DTranspose.
import type { Pair, Padding } from '../../layers/params.ts';
import { activate, kwargs, padded, type EmitContext, type Emitter } from './emit.ts';
import { padPlan, transposePlan, windowPads, type PadPlan } from './padding.ts';
import { pyPair } from './python.ts';
import { convKernel, depthwiseKernel, vector, type TorchEntry } from './weights.ts';

interface ConvParams {
  filters: number;
  kernelSize: Pair;
  strides: Pair;
  padding: Padding;
  dilation: Pair;
  depthMultiplier: number;
  activation: string;
  useBias: boolean;
}

const paramsOf = (ctx: EmitContext): ConvParams => {
  const p = ctx.layer.params as unknown as Partial<ConvParams>;
  return {
    filters: p.filters ?? 0,
    kernelSize: p.kernelSize!,
    strides: p.strides ?? [1, 1],
    padding: p.padding ?? 'valid',
    dilation: p.dilation ?? [1, 1],
    depthMultiplier: p.depthMultiplier ?? 1,
    activation: p.activation ?? 'linear',
    useBias: p.useBias ?? true,
  };
};

/** The input's [h, w, c] (the layer's shapes are Keras's NHWC, without the batch axis). */
const inputHWC = (ctx: EmitContext): [number, number, number] =>
  ctx.layer.inputShapes[0] as [number, number, number];

const planOf = (ctx: EmitContext, p: ConvParams): PadPlan => {
  const [h, w] = inputHWC(ctx);
  return padPlan(windowPads([h, w], p.kernelSize, p.strides, p.dilation, p.padding));
};

/** Conv2d's geometry arguments, leaving out PyTorch's defaults. */
const geometry = (p: ConvParams, plan: PadPlan, extra: [string, string, string?][] = []) =>
  kwargs([
    ['stride', pyPair(p.strides), '1'],
    ['padding', pyPair(plan.padding), '0'],
    ['dilation', pyPair(p.dilation), '1'],
    ...extra,
    ['bias', p.useBias ? 'True' : 'False', 'True'],
  ]);

const joinArgs = (...parts: string[]): string => parts.filter(Boolean).join(', ');

const glorot = (target: string, fanIn: number, fanOut: number): string =>
  `glorot_uniform_(${target}, ${fanIn}, ${fanOut})`;

const biasParts = (ctx: EmitContext, p: ConvParams, key: string, n: number) => ({
  reset: p.useBias ? [`nn.init.zeros_(self.${key})`] : [],
  entries: p.useBias ? [vector(key, ctx.layer.name, 'bias', n)] : [],
});

const conv2d: Emitter = (ctx) => {
  const p = paramsOf(ctx);
  const [, , c] = inputHWC(ctx);
  const [kh, kw] = p.kernelSize;
  const plan = planOf(ctx, p);
  ctx.use('glorot');
  const bias = biasParts(ctx, p, `${ctx.id}.bias`, p.filters);
  return {
    init: [
      `self.${ctx.id} = nn.Conv2d(${joinArgs(`${c}, ${p.filters}, ${pyPair(p.kernelSize)}`, geometry(p, plan))})`,
    ],
    reset: [glorot(`self.${ctx.id}.weight`, kh * kw * c, kh * kw * p.filters), ...bias.reset],
    expr: activate(p.activation, `self.${ctx.id}(${padded(ctx.inputs[0]!, plan)})`, [0, 0, 0]),
    entries: [
      convKernel(`${ctx.id}.weight`, ctx.layer.name, 'kernel', [kh, kw, c, p.filters]),
      ...bias.entries,
    ],
  };
};

const depthwiseConv2d: Emitter = (ctx) => {
  const p = paramsOf(ctx);
  const [, , c] = inputHWC(ctx);
  const [kh, kw] = p.kernelSize;
  const m = p.depthMultiplier;
  const plan = planOf(ctx, p);
  ctx.use('glorot');
  const bias = biasParts(ctx, p, `${ctx.id}.bias`, c * m);
  const args = geometry(p, plan, [['groups', String(c)]]);
  return {
    init: [
      `self.${ctx.id} = nn.Conv2d(${joinArgs(`${c}, ${c * m}, ${pyPair(p.kernelSize)}`, args)})`,
    ],
    // Keras's fans for the kernel's TF shape [kh, kw, in, multiplier].
    reset: [glorot(`self.${ctx.id}.weight`, kh * kw * c, kh * kw * m), ...bias.reset],
    expr: activate(p.activation, `self.${ctx.id}(${padded(ctx.inputs[0]!, plan)})`, [0, 0, 0]),
    entries: [
      depthwiseKernel(`${ctx.id}.weight`, ctx.layer.name, 'depthwise_kernel', [kh, kw, c, m]),
      ...bias.entries,
    ],
  };
};

const separableConv2d: Emitter = (ctx) => {
  const p = paramsOf(ctx);
  const [, , c] = inputHWC(ctx);
  const [kh, kw] = p.kernelSize;
  const m = p.depthMultiplier;
  const plan = planOf(ctx, p);
  ctx.use('glorot');
  ctx.use('separable');
  const bias = biasParts(ctx, p, `${ctx.id}.pointwise.bias`, p.filters);
  const args = geometry(p, plan, [['depth_multiplier', String(m), '1']]);
  const name = ctx.layer.name;
  return {
    init: [
      `self.${ctx.id} = SeparableConv2d(${joinArgs(`${c}, ${p.filters}, ${pyPair(p.kernelSize)}`, args)})`,
    ],
    reset: [
      glorot(`self.${ctx.id}.depthwise.weight`, kh * kw * c, kh * kw * m),
      glorot(`self.${ctx.id}.pointwise.weight`, c * m, p.filters),
      ...bias.reset,
    ],
    expr: activate(p.activation, `self.${ctx.id}(${padded(ctx.inputs[0]!, plan)})`, [0, 0, 0]),
    entries: [
      depthwiseKernel(`${ctx.id}.depthwise.weight`, name, 'depthwise_kernel', [kh, kw, c, m]),
      convKernel(`${ctx.id}.pointwise.weight`, name, 'pointwise_kernel', [1, 1, c * m, p.filters]),
      ...bias.entries,
    ] as TorchEntry[],
  };
};

const conv2dTranspose: Emitter = (ctx) => {
  const p = paramsOf(ctx);
  const [h, w, c] = inputHWC(ctx);
  const [kh, kw] = p.kernelSize;
  const out = ctx.layer.outputShape as [number, number, number];
  const plan = transposePlan([h, w], p.kernelSize, p.strides, p.padding as 'valid' | 'same', [
    out[0],
    out[1],
  ]);
  ctx.use('glorot');
  const bias = biasParts(ctx, p, `${ctx.id}.bias`, p.filters);
  const args = kwargs([
    ['stride', pyPair(p.strides), '1'],
    ['padding', pyPair(plan.padding), '0'],
    ['output_padding', pyPair(plan.outputPadding), '0'],
    ['bias', p.useBias ? 'True' : 'False', 'True'],
  ]);
  // TF cuts the odd pixel of a 'same' crop at the end only: keep the first rows and columns.
  const call = `self.${ctx.id}(${ctx.inputs[0]})${plan.crop ? `[:, :, :${out[0]}, :${out[1]}]` : ''}`;
  return {
    init: [
      `self.${ctx.id} = nn.ConvTranspose2d(${joinArgs(`${c}, ${p.filters}, ${pyPair(p.kernelSize)}`, args)})`,
    ],
    // Keras's fans for the kernel's TF shape [kh, kw, filters, in].
    reset: [glorot(`self.${ctx.id}.weight`, kh * kw * p.filters, kh * kw * c), ...bias.reset],
    expr: activate(p.activation, call, [0, 0, 0]),
    entries: [
      convKernel(`${ctx.id}.weight`, ctx.layer.name, 'kernel', [kh, kw, p.filters, c]),
      ...bias.entries,
    ],
  };
};

export const CONV_EMITTERS: Record<string, Emitter> = {
  conv2d,
  depthwiseConv2d,
  separableConv2d,
  conv2dTranspose,
};
