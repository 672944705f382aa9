// Gradients of dilated (atrous) convolutions, which tfjs 4.22 refuses on every
// backend ("dilation rates greater than 1 are not yet supported in
// gradients"). A convolution with dilation d equals one with the filter
// spread out by zeros to (k-1)d+1 taps and dilation 1, so its gradients are
// the ordinary ones taken with that spread filter; the filter's gradient is
// then every d-th tap of the spread filter's gradient (chapter 10.11.1).
import type * as TF from '@tensorflow/tfjs';

type Tf = typeof TF;
type T4 = TF.Tensor4D;
type Pair = [number, number];

const pair = (v: unknown): Pair =>
  Array.isArray(v) ? (v as Pair) : [Number(v ?? 1), Number(v ?? 1)];

/** [kh, kw, a, b] -> [(kh-1)dh+1, (kw-1)dw+1, a, b] with zeros between the taps. */
export function spreadFilter(tf: Tf, w: T4, [dh, dw]: Pair): T4 {
  if (dh === 1 && dw === 1) return w;
  const [kh, kw, a, b] = w.shape;
  return tf.tidy(() => {
    const rows = w
      .reshape([kh, 1, kw * a * b])
      .pad([
        [0, 0],
        [0, dh - 1],
        [0, 0],
      ])
      .reshape([kh * dh, kw, 1, a * b]);
    const cols = rows.pad([
      [0, 0],
      [0, 0],
      [0, dw - 1],
      [0, 0],
    ]);
    return cols
      .reshape([kh * dh, kw * dw, a, b])
      .slice([0, 0, 0, 0], [(kh - 1) * dh + 1, (kw - 1) * dw + 1, a, b]) as T4;
  });
}

/** Every d-th tap of a spread filter's gradient: the gradient of the dilated filter. */
const gather = (tf: Tf, g: T4, [dh, dw]: Pair): T4 =>
  dh === 1 && dw === 1 ? g : (tf.stridedSlice(g, [0, 0, 0, 0], g.shape, [dh, dw, 1, 1]) as T4);

/** Replaces the Conv2D and DepthwiseConv2dNative gradients with ones that accept dilation. */
export function registerDilatedGradients(tf: Tf): void {
  const run = (name: string, inputs: Record<string, TF.Tensor>, attrs: Record<string, unknown>) =>
    tf.engine().runKernel(name, inputs as never, attrs as never) as T4;

  /** One gradient for a convolution kernel, from its two backprop kernels and their shared attributes. */
  const register = (
    kernelName: string,
    inputKernel: string,
    filterKernel: string,
    common: (attrs: Record<string, unknown>) => Record<string, unknown>,
  ) =>
    tf.registerGradient({
      kernelName,
      inputsToSave: ['x', 'filter'],
      gradFunc: (dy, saved, attrs) => {
        const [x, filter] = saved as [T4, T4];
        const a = attrs as Record<string, unknown>;
        const d = pair(a.dilations);
        const shared = common(a);
        return {
          x: () => {
            const spread = spreadFilter(tf, filter, d);
            const dx = run(
              inputKernel,
              { dy: dy as T4, filter: spread },
              { ...shared, inputShape: x.shape },
            );
            if (spread !== filter) spread.dispose();
            return dx;
          },
          filter: () => {
            const [kh, kw, ci, co] = filter.shape;
            const spreadShape = [(kh - 1) * d[0] + 1, (kw - 1) * d[1] + 1, ci, co];
            const g = run(
              filterKernel,
              { x, dy: dy as T4 },
              { ...shared, filterShape: spreadShape },
            );
            const out = gather(tf, g, d);
            if (out !== g) g.dispose();
            return out;
          },
        };
      },
    });

  register('Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter', (a) => ({
    strides: a.strides,
    pad: a.pad,
    dataFormat: a.dataFormat ?? 'NHWC',
    dimRoundingMode: a.dimRoundingMode,
  }));
  register(
    'DepthwiseConv2dNative',
    'DepthwiseConv2dNativeBackpropInput',
    'DepthwiseConv2dNativeBackpropFilter',
    (a) => ({
      strides: a.strides,
      pad: a.pad,
      dimRoundingMode: a.dimRoundingMode,
      dilations: [1, 1],
    }),
  );
}
