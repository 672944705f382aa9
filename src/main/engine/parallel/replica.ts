// One model replica of the data-parallel trainer. The caller's thread runs
// replica 0 on the caller's model; each worker thread runs one more. Every
// replica computes the gradients of its shard of the batch, writes them to
// shared memory, waits for the others, then averages all of them in the same
// order and applies the same optimizer update: the replicas stay bit-identical
// without sending weights around.
import type { Optimizer } from '@tensorflow/tfjs';
import type { Tf } from '../backend.ts';
import { accuracy, crossEntropy } from '../losses.ts';
import { setLearningRate } from '../optimizer.ts';
import { trainableVariables } from '../step.ts';
import { CTRL, LR_SLOT, STAT, shard, type SharedBuffers } from './layout.ts';

type Model = ReturnType<Tf['model']>;
type Tensor = ReturnType<Tf['tensor']>;
type Variable = ReturnType<Tf['variable']>;

export interface ReplicaOptions {
  tf: Tf;
  model: Model;
  optimizer: Optimizer;
  probabilities: boolean;
  buffers: SharedBuffers;
  rank: number;
  replicas: number;
  /** [h, w, c] of one sample. */
  inputShape: number[];
  classes: number;
}

/** Number of trainable parameters of `model`, which sizes the gradient slots. */
export const parameterCount = (model: Model): number =>
  trainableVariables(model).reduce((s, v) => s + v.size, 0);

export class Replica {
  readonly vars: Variable[];
  readonly params: number;
  private readonly offsets: number[];
  private readonly ctrl: Int32Array;
  private readonly lr: Float64Array;
  private readonly stats: Float64Array;
  private readonly x: Float32Array;
  private readonly y: Float32Array;
  private readonly grads: Float32Array;
  private readonly sampleSize: number;
  private readonly mean: Float32Array;
  private lastLr = NaN;

  constructor(private readonly o: ReplicaOptions) {
    this.vars = trainableVariables(o.model);
    this.offsets = [];
    let p = 0;
    for (const v of this.vars) {
      this.offsets.push(p);
      p += v.size;
    }
    this.params = p;
    this.ctrl = new Int32Array(o.buffers.ctrl);
    this.lr = new Float64Array(o.buffers.params);
    this.stats = new Float64Array(o.buffers.stats);
    this.x = new Float32Array(o.buffers.x);
    this.y = new Float32Array(o.buffers.y);
    this.grads = new Float32Array(o.buffers.grads);
    this.sampleSize = o.inputShape.reduce((a, b) => a * b, 1);
    this.mean = new Float32Array(p);
  }

  private gradSlot(parity: number, rank: number): Float32Array {
    const start = (parity * this.o.replicas + rank) * this.params;
    return this.grads.subarray(start, start + this.params);
  }

  statSlot(parity: number, rank: number): Float64Array {
    const start = (parity * this.o.replicas + rank) * STAT.LENGTH;
    return this.stats.subarray(start, start + STAT.LENGTH);
  }

  /**
   * Step `seq` for this replica: gradients of its shard, barrier, mean
   * gradient, update. `xs`/`ys` are this replica's shard if the caller already
   * has it as tensors; otherwise it is read from shared memory.
   */
  step(seq: number, shardTensors?: { xs: Tensor; ys: Tensor }): void {
    const { tf, model, rank, replicas } = this.o;
    const parity = seq & 1;
    const n = Atomics.load(this.ctrl, CTRL.N);
    const [lo, hi] = shard(n, rank, replicas);
    const stat = this.statSlot(parity, rank);
    const t0 = performance.now();
    const slot = this.gradSlot(parity, rank);
    let copyMs = 0;
    if (hi > lo) {
      const owned = !shardTensors;
      const xs =
        shardTensors?.xs ??
        tf.tensor(this.x.slice(lo * this.sampleSize, hi * this.sampleSize), [
          hi - lo,
          ...this.o.inputShape,
        ]);
      const ys =
        shardTensors?.ys ??
        tf.tensor2d(this.y.slice(lo * this.o.classes, hi * this.o.classes), [
          hi - lo,
          this.o.classes,
        ]);
      let acc: Tensor | undefined;
      const { value, grads } = tf.variableGrads(() => {
        const out = model.apply(xs, { training: true }) as Tensor;
        acc = tf.keep(accuracy(tf, ys, out));
        return crossEntropy(tf, ys, out, this.o.probabilities) as ReturnType<Tf['scalar']>;
      }, this.vars);
      const c0 = performance.now();
      this.vars.forEach((v, i) => {
        const g = grads[v.name]!;
        slot.set(g.dataSync() as Float32Array, this.offsets[i]);
        g.dispose();
      });
      stat[STAT.LOSS] = value.dataSync()[0]!;
      stat[STAT.ACC] = acc!.dataSync()[0]!;
      copyMs = performance.now() - c0;
      value.dispose();
      acc!.dispose();
      if (owned) {
        xs.dispose();
        ys.dispose();
      }
    } else {
      slot.fill(0);
      stat[STAT.LOSS] = 0;
      stat[STAT.ACC] = 0;
    }
    const t1 = performance.now();
    stat[STAT.GRAD] = t1 - t0;
    stat[STAT.COPY] = copyMs;
    this.barrier(CTRL.ARRIVED, seq * replicas);
    const t2 = performance.now();
    stat[STAT.WAIT] = t2 - t1;
    this.applyMean(parity, n);
    stat[STAT.APPLY] = performance.now() - t2;
    Atomics.add(this.ctrl, CTRL.APPLIED, 1);
    Atomics.notify(this.ctrl, CTRL.APPLIED);
  }

  /** Arrives at the barrier on `word` and waits until it counts `target`. */
  private barrier(word: number, target: number): void {
    Atomics.add(this.ctrl, word, 1);
    Atomics.notify(this.ctrl, word);
    for (;;) {
      const v = Atomics.load(this.ctrl, word);
      if (v >= target || Atomics.load(this.ctrl, CTRL.ERROR) !== 0) return;
      Atomics.wait(this.ctrl, word, v, 1000);
    }
  }

  /** Mean of every replica's gradient weighted by its shard size, then one optimizer update. */
  private applyMean(parity: number, n: number): void {
    if (Atomics.load(this.ctrl, CTRL.ERROR) !== 0) return;
    const { tf, optimizer, replicas } = this.o;
    const mean = this.mean;
    for (let r = 0; r < replicas; r++) {
      const [lo, hi] = shard(n, r, replicas);
      const w = (hi - lo) / n;
      const g = this.gradSlot(parity, r);
      if (r === 0) for (let i = 0; i < mean.length; i++) mean[i] = w * g[i]!;
      else if (w > 0) for (let i = 0; i < mean.length; i++) mean[i]! += w * g[i]!;
    }
    const lr = this.lr[LR_SLOT]!;
    if (lr !== this.lastLr) {
      setLearningRate(optimizer, lr);
      this.lastLr = lr;
    }
    tf.tidy(() => {
      const named: Record<string, Tensor> = {};
      this.vars.forEach((v, i) => {
        named[v.name] = tf.tensor(
          mean.subarray(this.offsets[i], this.offsets[i]! + v.size),
          v.shape,
          'float32',
        );
      });
      optimizer.applyGradients(named);
    });
  }
}
