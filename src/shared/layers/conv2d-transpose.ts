import type * as TF from '@tensorflow/tfjs';
import { activation, bool, enumOf, int, optionalPair, pair, type Pair } from './params.ts';
import { defineLayer, one, requireRank, single, applyLayer, LayerError, type Tf } from './spec.ts';
import { KERAS_KERNEL_INIT } from './initializers.ts';
import { outputPaddingFor, transposedLength } from './conv-math.ts';

interface TransposeParams {
  filters: number;
  kernelSize: Pair;
  strides: Pair;
  padding: 'valid' | 'same';
  outputPadding: Pair | null;
  outputSize: Pair | null;
}

/** Output padding per axis, from outputPadding or from a requested output size. */
function resolvedOutputPadding(hw: Pair, p: TransposeParams): Pair | null {
  if (p.outputSize) {
    return [0, 1].map((a) => {
      const pad = outputPaddingFor(
        hw[a]!,
        p.outputSize![a]!,
        p.kernelSize[a]!,
        p.strides[a]!,
        1,
        p.padding,
      );
      if (pad === null) {
        const lo = transposedLength(hw[a]!, p.kernelSize[a]!, p.strides[a]!, 1, p.padding, 0);
        throw new LayerError(
          'E_SHAPE',
          `Conv2DTranspose cannot make ${p.outputSize![a]} from ${hw[a]} with kernel ${p.kernelSize[a]}, ` +
            `stride ${p.strides[a]} and padding ${p.padding}: choose an output size from ${lo} to ${lo + p.strides[a]! - 1}.`,
        );
      }
      return pad;
    }) as Pair;
  }
  return p.outputPadding;
}

export const conv2dTranspose = defineLayer({
  kind: 'conv2dTranspose',
  label: 'Conv2DTranspose',
  category: 'convolution',
  description:
    'Transposed convolution that upsamples (chapter 10.11.2): VALID gives (i-1)s + k, SAME gives i*s; ' +
    'output padding or a requested output size picks among the sizes a strided conv maps back from.',
  params: {
    filters: int({ default: 16, min: 1, label: 'Filters' }),
    kernelSize: pair({ default: [3, 3], label: 'Kernel size' }),
    strides: pair({ default: [1, 1], label: 'Strides' }),
    padding: enumOf(['valid', 'same'], { default: 'valid', label: 'Padding' }),
    outputPadding: optionalPair({ min: 0, label: 'Output padding' }),
    outputSize: optionalPair({ min: 1, label: 'Output size' }),
    activation: activation('linear'),
    useBias: bool({ default: true, label: 'Use bias' }),
  },
  inputs: { min: 1, max: 1 },
  checkParams: (p) => {
    if (p.outputPadding && p.outputSize)
      return 'Set either output padding or output size, not both';
    if (
      p.outputPadding &&
      (p.outputPadding[0] >= p.strides[0] || p.outputPadding[1] >= p.strides[1])
    )
      return 'Output padding must be smaller than the stride on each axis';
    return null;
  },
  outputShape: (inputs, p) => {
    const x = one(inputs);
    requireRank(x, 3, 'Conv2DTranspose');
    const hw: Pair = [x[0]!, x[1]!];
    const a = resolvedOutputPadding(hw, p);
    const [h, w] = [0, 1].map((i) =>
      transposedLength(hw[i]!, p.kernelSize[i]!, p.strides[i]!, 1, p.padding, a ? a[i]! : null),
    );
    if (h! < 1 || w! < 1)
      throw new LayerError(
        'E_SHAPE',
        `Conv2DTranspose would produce ${h}x${w}; use a larger kernel.`,
      );
    return [h!, w!, p.filters];
  },
  paramCount: (inputs, p) => {
    const c = one(inputs)[2]!;
    const [kh, kw] = p.kernelSize;
    return { trainable: kh * kw * c * p.filters + (p.useBias ? p.filters : 0), nonTrainable: 0 };
  },
  multiplyAdds: (inputs, p) => {
    const [h, w, c] = one(inputs);
    return h! * w! * c! * p.kernelSize[0] * p.kernelSize[1] * p.filters;
  },
  build: (tf, p, { name }) => {
    if (!needsPaddedClass(p)) {
      return single(
        tf.layers.conv2dTranspose({
          filters: p.filters,
          kernelSize: p.kernelSize,
          strides: p.strides,
          padding: p.padding,
          activation: p.activation,
          kernelInitializer: KERAS_KERNEL_INIT,
          useBias: p.useBias,
          name,
        }),
      );
    }
    // tfjs's Conv2DTranspose layer has no output padding; ours computes the
    // output size as Keras does and hands it to tf.conv2dTranspose.
    const Padded = paddedTransposeClass(tf);
    const layer = new Padded({ ...p, name });
    const act =
      p.activation === 'linear'
        ? null
        : tf.layers.activation({ activation: p.activation, name: `${name}_act` });
    return (xs) => {
      const y = applyLayer(layer, xs[0]!);
      return act ? applyLayer(act, y) : y;
    };
  },
  needsCustomClass: (p) => needsPaddedClass(p),
  registerCustomClass: (tf) => {
    tf.serialization.registerClass(
      paddedTransposeClass(
        tf,
      ) as unknown as TF.serialization.SerializableConstructor<TF.layers.Layer>,
    );
  },
  producesSoftmax: (p) => p.activation === 'softmax',
});

/** tfjs's Conv2DTranspose has no output padding: these values need NetforgeConv2DTranspose. */
function needsPaddedClass(p: Pick<TransposeParams, 'outputPadding' | 'outputSize'>): boolean {
  return Boolean(p.outputPadding || p.outputSize);
}

interface PaddedConfig extends TransposeParams {
  name: string;
  useBias: boolean;
}

type LayerCtor = new (cfg: PaddedConfig) => TF.layers.Layer;
const classes = new WeakMap<object, LayerCtor>();

/**
 * A Conv2DTranspose with Keras's output_padding. A saved model that holds one loads once the class
 * is registered (the spec's registerCustomClass); building and saving need no registration.
 */
export function paddedTransposeClass(tf: Tf): LayerCtor {
  const known = classes.get(tf);
  if (known) return known;
  class NetforgeConv2DTranspose extends tf.layers.Layer {
    static className = 'NetforgeConv2DTranspose';
    private kernel: ReturnType<TF.layers.Layer['addWeight']> | null = null;
    private bias: ReturnType<TF.layers.Layer['addWeight']> | null = null;
    constructor(private readonly cfg: PaddedConfig) {
      super({ name: cfg.name });
    }
    private outHW(h: number, w: number): Pair {
      const a = resolvedOutputPadding([h, w], this.cfg);
      return [0, 1].map((i) =>
        transposedLength(
          [h, w][i]!,
          this.cfg.kernelSize[i]!,
          this.cfg.strides[i]!,
          1,
          this.cfg.padding,
          a ? a[i]! : null,
        ),
      ) as Pair;
    }
    override build(inputShape: TF.Shape | TF.Shape[]): void {
      const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as TF.Shape;
      const c = s[3]!;
      const [kh, kw] = this.cfg.kernelSize;
      this.kernel = this.addWeight(
        'kernel',
        [kh, kw, this.cfg.filters, c],
        'float32',
        tf.initializers.glorotUniform({}),
      );
      if (this.cfg.useBias)
        this.bias = this.addWeight('bias', [this.cfg.filters], 'float32', tf.initializers.zeros());
      this.built = true;
    }
    override computeOutputShape(inputShape: TF.Shape | TF.Shape[]): TF.Shape {
      const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as TF.Shape;
      const [h, w] = this.outHW(s[1]!, s[2]!);
      return [s[0]!, h, w, this.cfg.filters];
    }
    override call(inputs: TF.Tensor | TF.Tensor[]): TF.Tensor {
      return tf.tidy(() => {
        const x = (Array.isArray(inputs) ? inputs[0] : inputs) as TF.Tensor4D;
        const [h, w] = this.outHW(x.shape[1], x.shape[2]);
        const y = tf.conv2dTranspose(
          x,
          this.kernel!.read() as TF.Tensor4D,
          [x.shape[0], h, w, this.cfg.filters],
          this.cfg.strides,
          this.cfg.padding,
        );
        return this.bias ? tf.add(y, this.bias.read()) : y;
      });
    }
    override getConfig(): TF.serialization.ConfigDict {
      const { name: _name, ...rest } = this.cfg;
      return { ...super.getConfig(), ...rest } as unknown as TF.serialization.ConfigDict;
    }
  }
  const ctor = NetforgeConv2DTranspose as unknown as LayerCtor;
  classes.set(tf, ctor);
  return ctor;
}
