import type { TrainConfig } from '../../shared/train-config.ts';
import type { Tf } from './backend.ts';

export type { Optimizer } from '@tensorflow/tfjs';
import type { Optimizer } from '@tensorflow/tfjs';

export function makeOptimizer(tf: Tf, c: TrainConfig): Optimizer {
  switch (c.optimizer) {
    case 'sgd':
      return c.momentum > 0
        ? tf.train.momentum(c.learningRate, c.momentum)
        : tf.train.sgd(c.learningRate);
    case 'adam':
      return tf.train.adam(c.learningRate);
    case 'rmsprop':
      return tf.train.rmsprop(c.learningRate);
    case 'adagrad':
      return tf.train.adagrad(c.learningRate);
  }
}

/** tfjs optimizers read `learningRate` on every step; SGD also offers a setter. */
export function setLearningRate(opt: Optimizer, lr: number): void {
  const o = opt as unknown as { learningRate: number; setLearningRate?: (lr: number) => void };
  if (o.setLearningRate) o.setLearningRate(lr);
  else o.learningRate = lr;
}
