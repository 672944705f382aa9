// The Training panel's state: the form, and the run in progress as its events describe it.
// Batch events can come hundreds a second, so they are queued and applied once per frame.
import { create } from 'zustand';
import type { DatasetName } from '../../shared/graph/types.ts';
import type { Evaluation, OPTIMIZERS, TrainingEventOf } from '../../shared/protocol.ts';

export type Optimizer = (typeof OPTIMIZERS)[number];
export type BatchEvent = TrainingEventOf<'batch'>;
export type FinishedEvent = TrainingEventOf<'finished'>;

export interface TrainForm {
  /** null: the graph's dataset (MNIST when it names none). */
  dataset: DatasetName | null;
  dataDir: string;
  optimizer: Optimizer;
  learningRate: string;
  batchSize: string;
  epochs: string;
  limitTrain: string;
  limitTest: string;
}

export type Phase = 'idle' | 'starting' | 'running' | 'paused' | 'stopping' | 'finished' | 'error';

export interface ChartPoint {
  step: number;
  loss: number | null;
  accuracy: number | null;
}

export interface RunInfo {
  epochs: number;
  stepsPerEpoch: number;
  trainSamples: number;
  testSamples: number;
}

export interface TrainingState {
  open: boolean;
  form: TrainForm;
  phase: Phase;
  runId: string | null;
  backend: string | null;
  info: RunInfo | null;
  /** What the engine is doing before the first batch (loading data). */
  activity: string | null;
  last: BatchEvent | null;
  points: ChartPoint[];
  evaluation: Evaluation | null;
  finished: FinishedEvent | null;
  error: string | null;
}

/** Points kept for the chart; beyond it every other point is dropped. */
export const MAX_POINTS = 1000;

export const initialForm: TrainForm = {
  dataset: null,
  dataDir: '',
  optimizer: 'sgd',
  learningRate: '0.01',
  batchSize: '32',
  epochs: '5',
  limitTrain: '',
  limitTest: '',
};

export const emptyRun = {
  phase: 'idle' as Phase,
  runId: null,
  backend: null,
  info: null,
  activity: null,
  last: null,
  points: [],
  evaluation: null,
  finished: null,
  error: null,
} satisfies Omit<TrainingState, 'open' | 'form'>;

export const useTraining = create<TrainingState>()(() => ({
  open: true,
  form: initialForm,
  ...emptyRun,
}));

export function setForm(change: Partial<TrainForm>): void {
  useTraining.setState((s) => ({ form: { ...s.form, ...change } }));
}

/** Keeps at most MAX_POINTS, thinning the older ones evenly. */
export function appendPoints(points: ChartPoint[], more: ChartPoint[]): ChartPoint[] {
  let next = points.concat(more);
  while (next.length > MAX_POINTS) next = next.filter((_, i) => i % 2 === 1);
  return next;
}

let queue: BatchEvent[] = [];
let scheduled = false;

/** Applies the queued batch events in one state change. */
export function flushBatches(): void {
  scheduled = false;
  if (queue.length === 0) return;
  const batches = queue;
  queue = [];
  useTraining.setState((s) => ({
    last: batches[batches.length - 1]!,
    activity: null,
    points: appendPoints(
      s.points,
      batches.map((b) => ({ step: b.step, loss: b.loss, accuracy: b.accuracy })),
    ),
  }));
}

export function queueBatch(event: BatchEvent): void {
  queue.push(event);
  if (scheduled) return;
  scheduled = true;
  // requestAnimationFrame does not run in a hidden tab: a timer makes sure the queue drains.
  const raf = typeof requestAnimationFrame === 'function' ? requestAnimationFrame : null;
  if (raf) raf(() => flushBatches());
  setTimeout(() => {
    if (scheduled) flushBatches();
  }, 250);
}

export function clearQueue(): void {
  queue = [];
  scheduled = false;
}
