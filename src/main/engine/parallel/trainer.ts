// Data-parallel training on worker threads: every step the batch is split
// across `workers` replicas (the caller's thread runs replica 0 on the
// caller's model), each computes the gradients of its part, and all of them
// apply the same size-weighted mean gradient, so every replica holds the same
// weights after each step (up to BatchNormalization moving statistics, which
// each replica updates from its own shard, as PyTorch DDP without SyncBN).
import { Worker } from 'node:worker_threads';
import type { Optimizer } from '@tensorflow/tfjs';
import type { BackendName } from '../../../shared/events.ts';
import type { GraphDoc } from '../../../shared/graph/types.ts';
import type { Tf } from '../backend.ts';
import { compileGraph } from '../compile.ts';
import { makeOptimizer, setLearningRate } from '../optimizer.ts';
import {
  CMD_DUMP,
  CMD_STEP,
  CMD_STOP,
  CTRL,
  LR_SLOT,
  STAT,
  shard,
  type OptimizerSpec,
  type SharedBuffers,
} from './layout.ts';
import { parameterCount, Replica } from './replica.ts';
import type { WorkerInit, WorkerMessage } from './worker.ts';

type Model = ReturnType<Tf['model']>;
type Tensor = ReturnType<Tf['tensor']>;

export interface ParallelTrainerOptions {
  tf: Tf;
  graph: GraphDoc;
  /** Replicas in all, the caller's thread included (2 = the caller + one worker thread). */
  replicas?: number;
  optimizer: OptimizerSpec;
  /** Largest batch `step` will get. */
  maxBatch: number;
  /** Whether the network ends in softmax (see losses.ts). */
  probabilities?: boolean;
  /** Backend of the worker replicas (the caller's is whatever is active). */
  backend?: BackendName;
  /** The caller's replica; compiled from `graph` when absent. */
  model?: Model;
  /** Its optimizer (its state is copied to the workers); made from `optimizer` when absent. */
  optimizerInstance?: Optimizer;
}

export interface ParallelStepResult {
  loss: number;
  accuracy: number;
}

/** Milliseconds per step, summed over steps since the last `resetTimings`. */
export interface ParallelTimings {
  steps: number;
  /** Caller: copying the batch into shared memory. */
  input: number;
  /** Per replica: forward + backward + gradient copy-out; of which the copy-out. */
  grad: number[];
  copy: number[];
  /** Per replica: waiting at the gradient barrier. */
  wait: number[];
  /** Per replica: averaging + optimizer update. */
  apply: number[];
  /** Caller: whole step. */
  total: number;
}

export interface ParallelTrainer {
  readonly model: Model;
  readonly optimizer: Optimizer;
  readonly replicas: number;
  readonly parameters: number;
  step(xs: Tensor, ys: Tensor): ParallelStepResult;
  setLearningRate(lr: number): void;
  /** The weights of worker replica `rank` (1..replicas-1), to check they are in sync. */
  replicaWeights(rank: number): Promise<Float32Array[]>;
  timings(): ParallelTimings;
  resetTimings(): void;
  dispose(): Promise<void>;
}

// From the bundle (out/main, a .js chunk) the worker is its own bundled entry (host/entries.ts);
// from the TypeScript sources, worker-boot.mjs loads worker.ts through tsx.
const BOOT = /\.m?js$/.test(new URL(import.meta.url).pathname)
  ? new URL('./parallel-worker.js', import.meta.url)
  : new URL('./worker-boot.mjs', import.meta.url);

export async function createParallelTrainer(o: ParallelTrainerOptions): Promise<ParallelTrainer> {
  const { tf } = o;
  const replicas = Math.max(1, o.replicas ?? 2);
  const model = o.model ?? compileGraph(tf, o.graph);
  const optimizer =
    o.optimizerInstance ??
    makeOptimizer(tf, {
      optimizer: o.optimizer.optimizer,
      learningRate: o.optimizer.learningRate,
      momentum: o.optimizer.momentum ?? 0,
    } as Parameters<typeof makeOptimizer>[1]);
  const inputShape = (model.inputs[0]!.shape as (number | null)[]).slice(1) as number[];
  const classes = (model.outputs[0]!.shape as (number | null)[]).at(-1) as number;
  const sampleSize = inputShape.reduce((a, b) => a * b, 1);
  const params = parameterCount(model);
  const f32 = 4;
  const buffers: SharedBuffers = {
    ctrl: new SharedArrayBuffer(CTRL.LENGTH * 4),
    params: new SharedArrayBuffer(8 * 8),
    stats: new SharedArrayBuffer(2 * replicas * STAT.LENGTH * 8),
    x: new SharedArrayBuffer(o.maxBatch * sampleSize * f32),
    y: new SharedArrayBuffer(o.maxBatch * classes * f32),
    grads: new SharedArrayBuffer(2 * replicas * params * f32),
  };
  const ctrl = new Int32Array(buffers.ctrl);
  const lr = new Float64Array(buffers.params);
  lr[LR_SLOT] = o.optimizer.learningRate;
  const x = new Float32Array(buffers.x);
  const y = new Float32Array(buffers.y);
  const self = new Replica({
    tf,
    model,
    optimizer,
    probabilities: o.probabilities ?? false,
    buffers,
    rank: 0,
    replicas,
    inputShape,
    classes,
  });

  const weights = model.getWeights().map((w) => ({
    shape: w.shape,
    values: w.dataSync() as Float32Array,
  }));
  const optimizerWeights = (await optimizer.getWeights()).map((w) => ({
    name: w.name,
    shape: w.tensor.shape,
    values: w.tensor.dataSync() as Float32Array,
  }));
  const workers: Worker[] = [];
  const inbox: ((m: WorkerMessage) => void)[][] = [];
  const errors: string[] = [];
  const started = [] as Promise<void>[];
  for (let rank = 1; rank < replicas; rank++) {
    const init: WorkerInit = {
      graph: o.graph,
      backend: o.backend ?? 'wasm',
      optimizer: o.optimizer,
      probabilities: o.probabilities ?? false,
      buffers,
      rank,
      replicas,
      inputShape,
      classes,
      weights,
      optimizerWeights,
    };
    const w = new Worker(BOOT, { workerData: init });
    const queue: ((m: WorkerMessage) => void)[] = [];
    inbox.push(queue);
    w.on('message', (m: WorkerMessage) => {
      if (m.type === 'error') errors.push(`replica ${rank}: ${m.message}`);
      queue.shift()?.(m);
    });
    w.on('error', (e) => {
      errors.push(`replica ${rank}: ${e.stack ?? e}`);
      Atomics.store(ctrl, CTRL.ERROR, 1);
      queue.shift()?.({ type: 'error', message: String(e) });
    });
    workers.push(w);
    started.push(
      new Promise<void>((resolve, reject) =>
        queue.push((m) =>
          m.type === 'ready'
            ? resolve()
            : reject(new Error(`replica ${rank}: ${'message' in m ? m.message : m.type}`)),
        ),
      ),
    );
  }
  try {
    await Promise.all(started);
  } catch (e) {
    await Promise.all(workers.map((w) => w.terminate()));
    throw e;
  }

  let steps = 0;
  const zero = (): ParallelTimings => ({
    steps: 0,
    input: 0,
    grad: Array(replicas).fill(0),
    copy: Array(replicas).fill(0),
    wait: Array(replicas).fill(0),
    apply: Array(replicas).fill(0),
    total: 0,
  });
  let t = zero();
  let collected = 0;
  /** Adds the timings of the last step (call after settle()). */
  const collect = () => {
    if (collected === steps) return;
    collected = steps;
    const parity = steps & 1;
    for (let r = 0; r < replicas; r++) {
      const s = self.statSlot(parity, r);
      t.grad[r]! += s[STAT.GRAD]!;
      t.copy[r]! += s[STAT.COPY]!;
      t.wait[r]! += s[STAT.WAIT]!;
      t.apply[r]! += s[STAT.APPLY]!;
    }
  };
  const command = (cmd: number) => {
    Atomics.store(ctrl, CTRL.CMD, cmd);
    Atomics.add(ctrl, CTRL.SEQ, 1);
    Atomics.notify(ctrl, CTRL.SEQ);
  };
  const check = () => {
    if (Atomics.load(ctrl, CTRL.ERROR) !== 0 || errors.length)
      throw new Error(`parallel trainer: ${errors.join('; ') || 'a worker replica failed'}`);
  };
  /** Waits until every replica has applied step `steps` (their timings are then final). */
  const settle = () => {
    for (;;) {
      const v = Atomics.load(ctrl, CTRL.APPLIED);
      if (v >= steps * replicas || Atomics.load(ctrl, CTRL.ERROR) !== 0) return;
      Atomics.wait(ctrl, CTRL.APPLIED, v, 1000);
    }
  };

  return {
    model,
    optimizer,
    replicas,
    parameters: params,
    step(xs, ys) {
      check();
      const t0 = performance.now();
      const n = xs.shape[0]!;
      if (n > o.maxBatch) throw new Error(`batch of ${n} > maxBatch ${o.maxBatch}`);
      settle(); // every replica has finished the previous update
      collect();
      // Workers read their rows from shared memory; replica 0 slices its own.
      if (replicas > 1) {
        x.set(xs.dataSync() as Float32Array);
        y.set(ys.dataSync() as Float32Array);
      }
      Atomics.store(ctrl, CTRL.N, n);
      steps++;
      const t1 = performance.now();
      t.input += t1 - t0;
      if (replicas > 1) command(CMD_STEP);
      const [lo, hi] = shard(n, 0, replicas);
      const mine =
        replicas === 1
          ? { xs, ys }
          : {
              xs: tf.slice(xs, [lo], [hi - lo]) as Tensor,
              ys: tf.slice(ys, [lo], [hi - lo]) as Tensor,
            };
      try {
        self.step(steps, mine);
      } finally {
        if (replicas > 1) {
          mine.xs.dispose();
          mine.ys.dispose();
        }
      }
      check();
      let loss = 0;
      let acc = 0;
      for (let r = 0; r < replicas; r++) {
        const [a, b] = shard(n, r, replicas);
        const s = self.statSlot(steps & 1, r);
        loss += ((b - a) / n) * s[STAT.LOSS]!;
        acc += ((b - a) / n) * s[STAT.ACC]!;
      }
      t.steps++;
      t.total += performance.now() - t0;
      return { loss, accuracy: acc };
    },
    setLearningRate(value) {
      lr[LR_SLOT] = value;
      setLearningRate(optimizer, value);
    },
    async replicaWeights(rank) {
      if (rank < 1 || rank >= replicas) throw new Error(`no worker replica ${rank}`);
      check();
      settle();
      const got = Promise.all(
        inbox.map(
          (q) =>
            new Promise<WorkerMessage>((resolve) => {
              q.push(resolve);
            }),
        ),
      );
      command(CMD_DUMP);
      const all = await got;
      const m = all[rank - 1]!;
      if (m.type !== 'weights')
        throw new Error(`replica ${rank}: ${'message' in m ? m.message : m.type}`);
      return m.weights;
    },
    timings() {
      settle();
      collect();
      return structuredClone(t);
    },
    resetTimings() {
      settle();
      collected = steps;
      t = zero();
    },
    async dispose() {
      settle();
      if (replicas > 1) command(CMD_STOP);
      await Promise.all(workers.map((w) => new Promise((r) => w.once('exit', r))));
      if (!o.model) model.dispose();
      if (!o.optimizerInstance) optimizer.dispose();
    },
  };
}
