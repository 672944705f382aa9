import type { Tf } from './backend.ts';

type Tensor = ReturnType<Tf['tensor']>;

/**
 * Softmax cross-entropy. Networks ending in a linear Dense emit logits (the
 * chapter's `from_logits=True`); ones ending in softmax emit probabilities.
 */
export function crossEntropy(
  tf: Tf,
  labels: Tensor,
  output: Tensor,
  probabilities: boolean,
): Tensor {
  if (!probabilities) return tf.losses.softmaxCrossEntropy(labels, output);
  return tf.metrics.categoricalCrossentropy(labels, tf.clipByValue(output, 1e-7, 1 - 1e-7)).mean();
}

export function accuracy(tf: Tf, labels: Tensor, output: Tensor): Tensor {
  return tf.equal(tf.argMax(labels, -1), tf.argMax(output, -1)).toFloat().mean();
}
