// TensorFlow's padding, as PyTorch arguments. TF's 'same' pads (out - 1) * s + k - in in total
// and puts the odd pixel at the bottom / right, which PyTorch's symmetric `padding=` cannot say:
// those layers get an explicit F.pad first. Transposed convolutions crop instead of padding.
import { samePads } from '../../layers/conv-math.ts';
import type { Pair, Padding } from '../../layers/params.ts';

/** [before, after] along one axis. */
export type Pads = [number, number];

/** The [height, width] pads of a convolution or pooling window with `padding`. */
export function windowPads(
  hw: Pair,
  kernel: Pair,
  strides: Pair,
  dilation: Pair,
  padding: Padding,
): [Pads, Pads] {
  if (padding === 'valid')
    return [
      [0, 0],
      [0, 0],
    ];
  if (padding === 'same')
    return [0, 1].map((a) => samePads(hw[a]!, kernel[a]!, strides[a]!, dilation[a]!)) as [
      Pads,
      Pads,
    ];
  return [[...padding[0]] as Pads, [...padding[1]] as Pads];
}

export interface PadPlan {
  /** PyTorch's symmetric `padding=` per axis (0 when an explicit pad is used). */
  padding: Pair;
  /** F.pad's (left, right, top, bottom), or null when `padding` says it all. */
  explicit: [number, number, number, number] | null;
}

/**
 * How to apply [h, w] pads in PyTorch: symmetric ones as the layer's `padding=`, where `limit`
 * (the largest padding the layer accepts, e.g. half the kernel for pooling) allows; others as
 * an F.pad before the layer.
 */
export function padPlan([h, w]: [Pads, Pads], limit: Pair = [Infinity, Infinity]): PadPlan {
  const symmetric = h[0] === h[1] && w[0] === w[1] && h[0] <= limit[0] && w[0] <= limit[1];
  if (symmetric) return { padding: [h[0], w[0]], explicit: null };
  return { padding: [0, 0], explicit: [w[0], w[1], h[0], h[1]] };
}

export interface TransposePlan {
  /** ConvTranspose2d's padding (cropped from both ends) and output_padding per axis. */
  padding: Pair;
  outputPadding: Pair;
  /** Set when the output must be cut to `out` at the end (TF crops the odd pixel only there). */
  crop: boolean;
}

/**
 * Conv2DTranspose as PyTorch's ConvTranspose2d. Both compute the adjoint of a convolution: the
 * full result has (i - 1) * s + k pixels; TF keeps `out` of them starting at the forward
 * convolution's top / left pad (floor of the total for 'same', 0 for 'valid'), and zeros beyond
 * the end. `out` is the layer's output size (FlatLayer.outputShape). ConvTranspose2d keeps out = full - 2p + op from p on, so p = that pad and
 * op = out - full + 2p; when op is -1 (an odd 'same' crop) the extra last pixel is cut off.
 */
export function transposePlan(
  hw: Pair,
  kernel: Pair,
  strides: Pair,
  padding: 'valid' | 'same',
  out: Pair,
): TransposePlan {
  const axes = [0, 1].map((a) => {
    const i = hw[a]!;
    const k = kernel[a]!;
    const s = strides[a]!;
    const o = out[a]!;
    const full = (i - 1) * s + k;
    const p = padding === 'same' ? Math.floor(Math.max(full - o, 0) / 2) : 0;
    const op = o - full + 2 * p;
    if (op >= s || op < -1)
      throw new Error(`Conv2DTranspose: no ConvTranspose2d makes ${o} from ${i} (k ${k}, s ${s})`);
    return { p, op: Math.max(op, 0), crop: op < 0 };
  });
  return {
    padding: [axes[0]!.p, axes[1]!.p],
    outputPadding: [axes[0]!.op, axes[1]!.op],
    crop: axes.some((a) => a.crop),
  };
}
