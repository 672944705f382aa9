// The data-parallel trainer (src/main/engine/parallel): a step split across the
// caller's thread and a worker thread makes the same update as one ordinary
// step on the whole batch, and the replicas stay identical.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend, tf } from '../../src/main/engine/backend.ts';
import { compileGraph } from '../../src/main/engine/compile.ts';
import { trainStep, trainableVariables } from '../../src/main/engine/step.ts';
import {
  createParallelTrainer,
  type ParallelTrainer,
} from '../../src/main/engine/parallel/trainer.ts';
import { tinyGraph } from './fixtures.ts';

type Tensor = ReturnType<typeof tf.tensor>;

const graph = tinyGraph();

/** An odd-sized batch, so the two shards differ in size (16 + 17 samples). */
function batch(seed: number, n = 33): { xs: Tensor; ys: Tensor } {
  const xs = tf.randomNormal([n, 28, 28, 1], 0, 1, 'float32', seed);
  const ys = tf.tidy(() =>
    tf
      .oneHot(
        tf.tensor1d(
          Array.from({ length: n }, (_, i) => (i * 7 + seed) % 10),
          'int32',
        ),
        10,
      )
      .toFloat(),
  );
  return { xs, ys };
}

const maxDiff = (a: Float32Array[], b: Float32Array[]): number => {
  let d = 0;
  a.forEach((w, i) => w.forEach((v, j) => (d = Math.max(d, Math.abs(v - b[i]![j]!)))));
  return d;
};

const weightsOf = (m: ReturnType<typeof compileGraph>): Float32Array[] =>
  m.getWeights().map((w) => w.dataSync() as Float32Array);

describe('createParallelTrainer', () => {
  let pt: ParallelTrainer;
  let reference: ReturnType<typeof compileGraph>;
  const refOptimizer = () => tf.train.momentum(0.1, 0.9);
  let refOpt: ReturnType<typeof refOptimizer>;

  beforeAll(async () => {
    await selectBackend('wasm');
    reference = compileGraph(tf, graph);
    const replica0 = compileGraph(tf, graph);
    replica0.setWeights(reference.getWeights());
    refOpt = refOptimizer();
    pt = await createParallelTrainer({
      tf,
      graph,
      replicas: 2,
      optimizer: { optimizer: 'sgd', learningRate: 0.1, momentum: 0.9 },
      maxBatch: 64,
      model: replica0,
      optimizerInstance: refOptimizer(),
    });
  });
  afterAll(async () => {
    await pt?.dispose();
    reference?.dispose();
  });

  it('makes the same updates as single-process steps on the full batch', async () => {
    const vars = trainableVariables(reference);
    for (let s = 0; s < 3; s++) {
      const { xs, ys } = batch(s);
      const a = trainStep(tf, reference, refOpt, vars, xs, ys, false);
      const b = pt.step(xs, ys);
      expect(b.loss).toBeCloseTo(a.loss, 4);
      expect(b.accuracy).toBeCloseTo(a.accuracy, 5);
      expect(maxDiff(weightsOf(pt.model), weightsOf(reference))).toBeLessThan(1e-4);
      xs.dispose();
      ys.dispose();
    }
    // The worker's replica is bit-identical to the caller's.
    expect(maxDiff(await pt.replicaWeights(1), weightsOf(pt.model))).toBe(0);
  });

  it('follows learning-rate changes and reports its timings', () => {
    pt.setLearningRate(0.05);
    refOpt.setLearningRate(0.05);
    const { xs, ys } = batch(9, 8);
    trainStep(tf, reference, refOpt, trainableVariables(reference), xs, ys, false);
    pt.step(xs, ys);
    xs.dispose();
    ys.dispose();
    expect(maxDiff(weightsOf(pt.model), weightsOf(reference))).toBeLessThan(1e-4);
    const t = pt.timings();
    expect(t.steps).toBe(4);
    expect(t.grad).toHaveLength(2);
  });
});
