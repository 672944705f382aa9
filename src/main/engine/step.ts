// One optimizer step on one batch: forward in training mode, loss, gradients, update.
import type { Optimizer } from '@tensorflow/tfjs';
import type { Tf } from './backend.ts';
import { accuracy, crossEntropy } from './losses.ts';

type Model = ReturnType<Tf['model']>;
type Tensor = ReturnType<Tf['tensor']>;
type Variable = ReturnType<Tf['variable']>;

export interface StepResult {
  loss: number;
  accuracy: number;
}

/** The model's trainable variables, in a fixed order (the optimizer's state follows it). */
export const trainableVariables = (model: Model): Variable[] =>
  model.trainableWeights.map((w) => w.read() as Variable);

export function trainStep(
  tf: Tf,
  model: Model,
  optimizer: Optimizer,
  vars: Variable[],
  xs: Tensor,
  ys: Tensor,
  probabilities: boolean,
): StepResult {
  let acc: Tensor | undefined;
  const lossT = optimizer.minimize(
    () => {
      const out = model.apply(xs, { training: true }) as Tensor;
      acc = tf.keep(accuracy(tf, ys, out));
      return crossEntropy(tf, ys, out, probabilities) as ReturnType<Tf['scalar']>;
    },
    true,
    vars,
  )!;
  const loss = lossT.dataSync()[0]!;
  const a = acc!.dataSync()[0]!;
  lossT.dispose();
  acc!.dispose();
  return { loss, accuracy: a };
}
