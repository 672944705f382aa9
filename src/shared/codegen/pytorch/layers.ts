// The emitters of every layer kind but the convolutions (conv.ts), by kind.
import type { Pair } from '../../layers/params.ts';
import { CONV_EMITTERS } from './conv.ts';
import { activate, isImage, kwargs, padded, torchAxis, type Emitter } from './emit.ts';
import { padPlan, windowPads } from './padding.ts';
import { py, pyPair } from './python.ts';
import { denseKernel, vector } from './weights.ts';

const input0 = (ctx: Parameters<Emitter>[0]) => ctx.inputs[0]!;
const shape0 = (ctx: Parameters<Emitter>[0]) => ctx.layer.inputShapes[0]!;

const dense: Emitter = (ctx) => {
  const p = ctx.layer.params as { units: number; activation: string; useBias: boolean };
  const n = shape0(ctx)[0]!;
  ctx.use('glorot');
  const bias = kwargs([['bias', p.useBias ? 'True' : 'False', 'True']]);
  return {
    init: [`self.${ctx.id} = nn.Linear(${[`${n}, ${p.units}`, bias].filter(Boolean).join(', ')})`],
    reset: [
      `glorot_uniform_(self.${ctx.id}.weight, ${n}, ${p.units})`,
      ...(p.useBias ? [`nn.init.zeros_(self.${ctx.id}.bias)`] : []),
    ],
    expr: activate(p.activation, `self.${ctx.id}(${input0(ctx)})`, ctx.layer.outputShape),
    entries: [
      denseKernel(`${ctx.id}.weight`, ctx.layer.name, [n, p.units]),
      ...(p.useBias ? [vector(`${ctx.id}.bias`, ctx.layer.name, 'bias', p.units)] : []),
    ],
  };
};

const batchNormalization: Emitter = (ctx) => {
  const p = ctx.layer.params as {
    momentum: number;
    epsilon: number;
    center: boolean;
    scale: boolean;
  };
  const shape = shape0(ctx);
  const c = shape.at(-1)!;
  const name = ctx.layer.name;
  ctx.use('batchNorm');
  const args = kwargs([
    ['center', py(p.center), 'True'],
    ['scale', py(p.scale), 'True'],
  ]);
  const x = input0(ctx);
  // Keras normalises the last axis: dim 1 for images (NCHW) and vectors, moved there otherwise.
  const channelFirst = isImage(shape) || shape.length === 1;
  const call = channelFirst
    ? `self.${ctx.id}(${x})`
    : `self.${ctx.id}(${x}.movedim(-1, 1)).movedim(1, -1)`;
  const key = (k: string) => `${ctx.id}.${k}`;
  return {
    init: [
      `self.${ctx.id} = BatchNorm(${[`${c}, eps=${py(p.epsilon)}, momentum=1 - ${py(p.momentum)}`, args].filter(Boolean).join(', ')})`,
    ],
    reset: [
      `self.${ctx.id}.reset_running_stats()`,
      ...(p.scale ? [`nn.init.ones_(self.${key('weight')})`] : []),
      ...(p.center ? [`nn.init.zeros_(self.${key('bias')})`] : []),
    ],
    expr: call,
    entries: [
      ...(p.scale ? [vector(key('weight'), name, 'gamma', c)] : []),
      ...(p.center ? [vector(key('bias'), name, 'beta', c)] : []),
      vector(key('running_mean'), name, 'moving_mean', c),
      vector(key('running_var'), name, 'moving_variance', c),
    ],
    counters: [{ key: key('num_batches_tracked') }],
  };
};

function pool(kind: 'max' | 'avg'): Emitter {
  return (ctx) => {
    const p = ctx.layer.params as {
      poolSize: Pair;
      strides: Pair | null;
      padding: 'valid' | 'same';
    };
    const [h, w] = shape0(ctx) as [number, number, number];
    const k = p.poolSize;
    const s = p.strides ?? k;
    // PyTorch's pooling pads at most half the window on each side.
    const half: Pair = [Math.floor(k[0] / 2), Math.floor(k[1] / 2)];
    const plan = padPlan(windowPads([h, w], k, s, [1, 1], p.padding), half);
    const x = input0(ctx);
    if (kind === 'avg' && plan.explicit) {
      ctx.use('avgPoolSame');
      return { expr: `avg_pool_same(${x}, ${py(k)}, ${py(s)}, ${py(plan.explicit)})` };
    }
    const padding = pyPair(plan.padding);
    const args = kwargs([
      ['stride', pyPair(s), pyPair(k)],
      ['padding', padding, '0'],
      // TF averages only the pixels of the image, never the padding.
      ...(kind === 'avg'
        ? [['count_include_pad', padding === '0' ? 'True' : 'False', 'True']]
        : []),
    ] as [string, string, string][]);
    const cls = kind === 'max' ? 'MaxPool2d' : 'AvgPool2d';
    return {
      init: [`self.${ctx.id} = nn.${cls}(${[pyPair(k), args].filter(Boolean).join(', ')})`],
      // TF's max pooling never picks the padding: pad with -inf.
      expr: `self.${ctx.id}(${padded(x, plan, '-math.inf')})`,
    };
  };
}

const flatten: Emitter = (ctx) => {
  const shape = shape0(ctx);
  const x = input0(ctx);
  if (shape.length <= 1) return { expr: x };
  // Keras flattens NHWC: back to that order first, so Dense kernels from tfjs fit as they are.
  if (isImage(shape)) return { expr: `torch.flatten(${x}.permute(0, 2, 3, 1), 1)` };
  return { expr: `torch.flatten(${x}, 1)` };
};

const activation: Emitter = (ctx) => {
  const p = ctx.layer.params as { fn: string; alpha: number };
  return { expr: activate(p.fn, input0(ctx), shape0(ctx), p.alpha) };
};

export const EMITTERS: Record<string, Emitter> = {
  ...CONV_EMITTERS,
  dense,
  batchNormalization,
  maxPooling2d: pool('max'),
  averagePooling2d: pool('avg'),
  globalAveragePooling2d: (ctx) => ({ expr: `${input0(ctx)}.mean(dim=(2, 3))` }),
  activation,
  relu: (ctx) => ({ expr: `F.relu(${input0(ctx)})` }),
  flatten,
  dropout: (ctx) => {
    const p = ctx.layer.params as { rate: number };
    return {
      init: [`self.${ctx.id} = nn.Dropout(${py(p.rate)})`],
      expr: `self.${ctx.id}(${input0(ctx)})`,
    };
  },
  add: (ctx) => ({ expr: ctx.inputs.join(' + ') }),
  concatenate: (ctx) => {
    const p = ctx.layer.params as { axis: number };
    return { expr: `torch.cat([${ctx.inputs.join(', ')}], dim=${torchAxis(p.axis, shape0(ctx))})` };
  },
};
