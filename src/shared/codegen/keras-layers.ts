// The network as Keras layers: one table, per Netforge kind, of the Keras layer(s) it becomes,
// with their arguments under Keras's names and their weights in Keras's order. The Keras HDF5
// writer turns these into model_config and model_weights, the script generator into Python, so
// the two formats cannot disagree about what a layer is in Keras.
import type { FlatLayer, FlatNetwork } from '../graph/layers.ts';
import type { ExplicitPadding, Pair } from '../layers/params.ts';

export type KerasValue = number | boolean | string | null | KerasValue[];

export interface KerasLayer {
  className: string;
  name: string;
  /** The constructor arguments Netforge sets, by Keras name (Keras's defaults fill the rest). */
  args: Record<string, KerasValue>;
  /** Names of the Keras layers feeding it, in order (none for the InputLayer). */
  inputs: string[];
  /** Its weights in Keras's order (kernel, bias; gamma, beta, moving_mean, moving_variance). */
  weights: string[];
  /** The tfjs layer of the trained model that holds those weights (null when it has none). */
  weightsFrom: string | null;
  /** The Netforge layer it comes from (a layer may become two Keras layers). */
  source: FlatLayer;
}

export interface KerasModel {
  layers: KerasLayer[];
  input: KerasLayer;
  output: KerasLayer;
  /** A plain chain, which Keras writes as a Sequential model; anything else is Functional. */
  sequential: boolean;
}

/** One Keras layer made for a Netforge layer; `suffix` names a helper layer `<name>_<suffix>`. */
interface Part {
  className: string;
  args: Record<string, KerasValue>;
  weights?: string[];
  suffix?: string;
}

type Params = Record<string, unknown>;
const pair = (v: unknown): Pair => v as Pair;

/**
 * Netforge's activation names as Keras 2 (tf.keras) spells them. relu6 has no name in tf.keras
 * 2.x's activations, so a layer using it becomes the layer plus a ReLU(max_value=6) after it.
 * Keras 2's hard_sigmoid is tfjs's (clip(0.2x + 0.5, 0, 1)); Keras 3 changed it to relu6(x+3)/6.
 */
const ACTIVATION: Record<string, string> = {
  linear: 'linear',
  relu: 'relu',
  relu6: 'relu6',
  sigmoid: 'sigmoid',
  tanh: 'tanh',
  softmax: 'softmax',
  elu: 'elu',
  selu: 'selu',
  softplus: 'softplus',
  softsign: 'softsign',
  swish: 'swish',
  hardSigmoid: 'hard_sigmoid',
};

const bias = (p: Params): string[] => (p.useBias ? ['bias'] : []);

const pool =
  (className: string) =>
  (p: Params): Part[] => [
    {
      className,
      args: {
        pool_size: pair(p.poolSize),
        strides: (p.strides as Pair | null) ?? null,
        padding: p.padding as string,
      },
    },
  ];

/** Per Netforge kind, the Keras layers it becomes (a block's parts arrive here one by one). */
const KINDS: Record<string, (p: Params, l: FlatLayer) => Part[]> = {
  input: (p) => [{ className: 'InputLayer', args: { shape: p.shape as number[] } }],
  dense: (p) => [
    {
      className: 'Dense',
      args: {
        units: p.units as number,
        activation: ACTIVATION[p.activation as string]!,
        use_bias: p.useBias as boolean,
      },
      weights: ['kernel', ...bias(p)],
    },
  ],
  conv2d: (p) => {
    const explicit = Array.isArray(p.padding);
    const conv: Part = {
      className: 'Conv2D',
      args: {
        filters: p.filters as number,
        kernel_size: pair(p.kernelSize),
        strides: pair(p.strides),
        padding: explicit ? 'valid' : (p.padding as string),
        dilation_rate: pair(p.dilation),
        activation: ACTIVATION[p.activation as string]!,
        use_bias: p.useBias as boolean,
      },
      weights: ['kernel', ...bias(p)],
    };
    // Keras's Conv2D has no explicit padding either: zeros first, as the tfjs model does (and
    // under the same name, <name>_pad).
    if (!explicit) return [conv];
    return [
      {
        className: 'ZeroPadding2D',
        args: { padding: p.padding as ExplicitPadding },
        suffix: 'pad',
      },
      conv,
    ];
  },
  conv2dTranspose: (p, l) => [
    {
      className: 'Conv2DTranspose',
      args: {
        filters: p.filters as number,
        kernel_size: pair(p.kernelSize),
        strides: pair(p.strides),
        padding: p.padding as string,
        output_padding: transposeOutputPadding(l).padding,
        activation: ACTIVATION[p.activation as string]!,
        use_bias: p.useBias as boolean,
      },
      weights: ['kernel', ...bias(p)],
    },
  ],
  separableConv2d: (p) => [
    {
      className: 'SeparableConv2D',
      args: {
        filters: p.filters as number,
        kernel_size: pair(p.kernelSize),
        strides: pair(p.strides),
        padding: p.padding as string,
        dilation_rate: pair(p.dilation),
        depth_multiplier: p.depthMultiplier as number,
        activation: ACTIVATION[p.activation as string]!,
        use_bias: p.useBias as boolean,
      },
      weights: ['depthwise_kernel', 'pointwise_kernel', ...bias(p)],
    },
  ],
  depthwiseConv2d: (p) => [
    {
      className: 'DepthwiseConv2D',
      args: {
        kernel_size: pair(p.kernelSize),
        strides: pair(p.strides),
        padding: p.padding as string,
        depth_multiplier: p.depthMultiplier as number,
        activation: ACTIVATION[p.activation as string]!,
        use_bias: p.useBias as boolean,
      },
      weights: ['depthwise_kernel', ...bias(p)],
    },
  ],
  maxPooling2d: pool('MaxPooling2D'),
  averagePooling2d: pool('AveragePooling2D'),
  globalAveragePooling2d: () => [{ className: 'GlobalAveragePooling2D', args: {} }],
  batchNormalization: (p) => [
    {
      className: 'BatchNormalization',
      args: {
        axis: -1,
        momentum: p.momentum as number,
        epsilon: p.epsilon as number,
        center: p.center as boolean,
        scale: p.scale as boolean,
      },
      weights: [
        ...(p.scale ? ['gamma'] : []),
        ...(p.center ? ['beta'] : []),
        'moving_mean',
        'moving_variance',
      ],
    },
  ],
  activation: (p) => {
    if (p.fn === 'leakyRelu')
      return [{ className: 'LeakyReLU', args: { alpha: p.alpha as number } }];
    if (p.fn === 'relu6') return [{ className: 'ReLU', args: { max_value: 6 } }];
    return [{ className: 'Activation', args: { activation: ACTIVATION[p.fn as string]! } }];
  },
  relu: () => [{ className: 'ReLU', args: {} }],
  flatten: () => [{ className: 'Flatten', args: {} }],
  dropout: (p) => [{ className: 'Dropout', args: { rate: p.rate as number } }],
  add: () => [{ className: 'Add', args: {} }],
  concatenate: (p) => [{ className: 'Concatenate', args: { axis: p.axis as number } }],
};

/**
 * Keras's output_padding for a Conv2DTranspose, or why no output_padding makes its size. Keras
 * makes (i-1)s + k - 2*floor(k/2) + a for 'same' and (i-1)s + k + a for 'valid', with a below the
 * stride and set on both axes or neither; without it, i*s and i*s + max(k-s, 0), the sizes tfjs
 * makes without it. With output padding Netforge follows TensorFlow's conv2d_transpose, whose
 * 'same' makes (i-1)s + 1 + a (every size a stride-s 'same' convolution maps back to i), so an
 * even kernel needs Keras's a one higher: for the largest size, i*s, that is the stride. Keras
 * makes that size only without output_padding, so only when the other axis needs none either.
 * Both hand the size to TensorFlow's conv2d_transpose, which computes the same values for it.
 */
export function transposeOutputPadding(l: FlatLayer): {
  padding: Pair | null;
  reason: string | null;
} {
  const p = l.params as { kernelSize: Pair; strides: Pair; padding: 'valid' | 'same' };
  const input = l.inputShapes[0]!;
  const axes = [0, 1].map((a) => {
    const [i, o, k, s] = [input[a]!, l.outputShape[a]!, p.kernelSize[a]!, p.strides[a]!];
    const plain = p.padding === 'same' ? i * s : i * s + Math.max(k - s, 0);
    const pad = o - ((i - 1) * s + k - 2 * (p.padding === 'same' ? Math.floor(k / 2) : 0));
    return { axis: a === 0 ? 'height' : 'width', i, o, k, s, plain, pad };
  });
  if (axes.every((x) => x.o === x.plain)) return { padding: null, reason: null };
  const bad = axes.find((x) => x.pad < 0 || x.pad >= x.s);
  if (!bad) return { padding: [axes[0]!.pad, axes[1]!.pad], reason: null };
  return {
    padding: null,
    reason:
      `Keras's Conv2DTranspose sets output padding on both axes or neither, below the stride; ` +
      `the ${bad.axis} ${bad.o} from ${bad.i} (kernel ${bad.k}, stride ${bad.s}, padding "${p.padding}") ` +
      `would need ${bad.pad} while the other axis needs output padding. ` +
      `Use an odd kernel size, or output sizes ${axes.map((x) => x.plain).join('x')} (no output padding).`,
  };
}

/**
 * Why Keras cannot express `layer`, or null. A kind added to Netforge without a row in the table
 * above is refused by name.
 */
export function kerasUnsupported(layer: FlatLayer): string | null {
  if (!KINDS[layer.kind])
    return `Keras export has no counterpart for ${layer.spec.label} (kind "${layer.kind}") yet.`;
  return layer.kind === 'conv2dTranspose' ? transposeOutputPadding(layer).reason : null;
}

/** The Keras layers of a network Keras can express (check with kerasUnsupported first). */
export function kerasModel(net: FlatNetwork): KerasModel {
  const layers: KerasLayer[] = [];
  /** The Keras layer that produces each Netforge layer's output. */
  const outputOf = new Map<string, string>();
  for (const l of net.layers) {
    const make = KINDS[l.kind];
    const why = kerasUnsupported(l);
    if (!make || why) throw new Error(`${l.name}: ${why}`);
    let inputs = l.inputs.map((n) => outputOf.get(n)!);
    for (const part of withRelu6Split(make(l.params, l))) {
      const name = part.suffix ? `${l.name}_${part.suffix}` : l.name;
      layers.push({
        className: part.className,
        name,
        args: part.args,
        inputs,
        weights: part.weights ?? [],
        weightsFrom: part.weights?.length ? l.name : null,
        source: l,
      });
      inputs = [name];
    }
    outputOf.set(l.name, inputs[0]!);
  }
  const input = layers[0]!;
  const output = layers.find((k) => k.name === outputOf.get(net.output.name))!;
  const sequential =
    output === layers.at(-1) &&
    layers.every(
      (k, i) => i === 0 || (k.inputs.length === 1 && k.inputs[0] === layers[i - 1]!.name),
    );
  return { layers, input, output, sequential };
}

/** A layer with activation relu6 becomes the layer (linear) and a ReLU(max_value=6) named <name>_relu6. */
function withRelu6Split(parts: Part[]): Part[] {
  return parts.flatMap((part) =>
    part.args.activation === 'relu6'
      ? [
          { ...part, args: { ...part.args, activation: 'linear' } },
          { className: 'ReLU', args: { max_value: 6 }, suffix: 'relu6' },
        ]
      : [part],
  );
}
