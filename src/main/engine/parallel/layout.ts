// Shared-memory layout of the data-parallel trainer (one SharedArrayBuffer set
// per trainer, seen by every replica). Control words are Int32 for Atomics.
export const CTRL = {
  /** Step counter: the caller bumps it (and notifies) to start a step. */
  SEQ: 0,
  /** What the bump means: CMD_STEP, CMD_DUMP or CMD_STOP. */
  CMD: 1,
  /** Replicas that reached the gradient barrier, over all steps (monotonic). */
  ARRIVED: 2,
  /** Samples in this step's batch. */
  N: 3,
  /** Non-zero once a worker failed; the message follows by postMessage. */
  ERROR: 4,
  /** Replicas that finished the update of the current step (monotonic). */
  APPLIED: 5,
  LENGTH: 8,
} as const;

export const CMD_STEP = 1;
export const CMD_DUMP = 2;
export const CMD_STOP = 3;

/** Per-replica Float64 stats slot: loss, accuracy and timings in ms. */
export const STAT = {
  LOSS: 0,
  ACC: 1,
  /** Forward + backward + copying the gradients into shared memory. */
  GRAD: 2,
  /** Waiting at the barrier for the other replicas. */
  WAIT: 3,
  /** Averaging the gradients and the optimizer update. */
  APPLY: 4,
  /** Of GRAD: reading the gradients out of the backend into shared memory. */
  COPY: 5,
  LENGTH: 8,
} as const;

/** Learning rate of the step, a Float64 next to the stats. */
export const LR_SLOT = 0;

export interface SharedBuffers {
  ctrl: SharedArrayBuffer;
  /** Float64: [lr, ...] */
  params: SharedArrayBuffer;
  /** Float64 [2 parities][replicas][STAT.LENGTH]. */
  stats: SharedArrayBuffer;
  /** Float32 inputs for up to maxBatch samples. */
  x: SharedArrayBuffer;
  /** Float32 one-hot labels for up to maxBatch samples. */
  y: SharedArrayBuffer;
  /** Float32 gradients [2 parities][replicas][parameters]. */
  grads: SharedArrayBuffer;
}

/** Rows [lo, hi) of a batch of `n` that replica `rank` of `replicas` takes. */
export const shard = (n: number, rank: number, replicas: number): [number, number] => [
  Math.floor((n * rank) / replicas),
  Math.floor((n * (rank + 1)) / replicas),
];

export interface OptimizerSpec {
  optimizer: 'sgd' | 'adam' | 'rmsprop' | 'adagrad';
  learningRate: number;
  momentum?: number;
}
