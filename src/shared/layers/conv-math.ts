// Output-size rules of convolution and pooling (chapter 10.2, 10.11).
import type { Pair, Padding } from './params.ts';
import { LayerError } from './spec.ts';

/** Kernel extent once dilation spreads its taps: (k - 1) * d + 1. */
export const effectiveKernel = (k: number, d: number): number => (k - 1) * d + 1;

/** Output length along one axis of a convolution or pooling window. */
export function convLength(
  input: number,
  kernel: number,
  stride: number,
  dilation: number,
  pad: 'valid' | 'same' | Pair,
): number {
  const k = effectiveKernel(kernel, dilation);
  if (pad === 'same') return Math.ceil(input / stride);
  const [before, after] = pad === 'valid' ? [0, 0] : pad;
  return Math.floor((input + before + after - k) / stride) + 1;
}

/** Spatial output [h, w] of a 2-D window over [h, w]; throws a user-facing error if it is empty. */
export function windowOutput(
  label: string,
  hw: Pair,
  kernel: Pair,
  strides: Pair,
  dilation: Pair,
  padding: Padding,
): Pair {
  const out = [0, 1].map((a) => {
    const pad = padding === 'valid' || padding === 'same' ? padding : padding[a]!;
    return convLength(hw[a]!, kernel[a]!, strides[a]!, dilation[a]!, pad);
  }) as Pair;
  if (out[0] < 1 || out[1] < 1) {
    const k = [0, 1].map((a) => effectiveKernel(kernel[a]!, dilation[a]!));
    throw new LayerError(
      'E_SHAPE',
      `${label}: a ${k[0]}x${k[1]} window does not fit the ${hw[0]}x${hw[1]} input ` +
        `(output would be ${out[0]}x${out[1]}). Use padding "same", a smaller kernel or stride, ` +
        `or remove a pooling layer before it.`,
    );
  }
  return out;
}

/**
 * Transposed convolution output length, as Keras computes it.
 * Without output padding: VALID gives (i-1)s + max(k, s), SAME gives i*s.
 * With output padding a: VALID gives (i-1)s + k + a; SAME gives (i-1)s + 1 + a. For odd
 * kernels SAME equals Keras's (i-1)s + k - 2*floor(k/2) + a; for even kernels Keras's
 * formula names sizes TensorFlow's conv2d_transpose rejects, so we use the range TF
 * accepts: every o with ceil(o / s) = i.
 */
export function transposedLength(
  input: number,
  kernel: number,
  stride: number,
  dilation: number,
  pad: 'valid' | 'same',
  outputPadding: number | null,
): number {
  const k = effectiveKernel(kernel, dilation);
  if (outputPadding === null) {
    return pad === 'same' ? input * stride : input * stride + Math.max(k - stride, 0);
  }
  return (input - 1) * stride + (pad === 'same' ? 1 : k) + outputPadding;
}

/** The output padding that yields a requested output length, or null if none can (chapter 10.11.2). */
export function outputPaddingFor(
  input: number,
  output: number,
  kernel: number,
  stride: number,
  dilation: number,
  pad: 'valid' | 'same',
): number | null {
  const a = output - transposedLength(input, kernel, stride, dilation, pad, 0);
  return a >= 0 && a < stride ? a : null;
}

/** TensorFlow's convolutions take strides > 1 or dilation > 1, not both. */
export const stridesWithDilation = (strides: Pair, dilation: Pair): string | null =>
  Math.max(...strides) > 1 && Math.max(...dilation) > 1
    ? 'Strides and dilation rate cannot both be above 1 (TensorFlow does not support it)'
    : null;

/**
 * TF 'same' padding along one axis, [before, after]: ceil(in / s) outputs need
 * (out - 1) * s + effective kernel - in pixels in total (at least 0); the odd one goes after
 * (bottom or right). Exporters and code generators that pad explicitly all use this.
 */
export function samePads(
  input: number,
  kernel: number,
  stride: number,
  dilation: number,
): [number, number] {
  const out = Math.ceil(input / stride);
  const total = Math.max((out - 1) * stride + effectiveKernel(kernel, dilation) - input, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}
