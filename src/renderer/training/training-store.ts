// The Training panel's and dashboard's state: the form, the run on show (the live one, or a
// saved one reopened from the runs list), the runs list and the runs overlaid for comparison.
// Batch events can come hundreds a second, so they are queued and applied once per frame.
import { create } from 'zustand';
import type { GraphDoc } from '../../shared/graph/types.ts';
import type { BatchPoint, EpochPoint, Evaluation, TrainingEventOf } from '../../shared/events.ts';
import type { DatasetStatus, RunEntry } from '../../shared/api.ts';
import type { OPTIMIZERS, Schedule, TrainConfig } from '../../shared/train-config.ts';

export type Optimizer = (typeof OPTIMIZERS)[number];
export type ScheduleKind = Schedule['kind'];
export type BatchEvent = TrainingEventOf<'batch'>;
export type FinishedEvent = TrainingEventOf<'finished'>;

/** The form's fields, as typed (text until Start turns them into a TrainConfig). */
/** The dataset is the graph's own (GraphDoc.dataset), so the shape checks use it too. */
export interface TrainForm {
  dataDir: string;
  optimizer: Optimizer;
  learningRate: string;
  momentum: string;
  schedule: ScheduleKind;
  /** step: every N epochs multiply by factor. */
  stepEvery: string;
  stepFactor: string;
  /** exponential: lr * rate^epoch. */
  expRate: string;
  /** cosine: down to this. */
  cosineMinLr: string;
  batchSize: string;
  epochs: string;
  /** Percent of the training set held out. */
  validationSplit: string;
  augment: boolean;
  earlyStopping: boolean;
  patience: string;
  seed: string;
  limitTrain: string;
  limitTest: string;
}

export type Phase =
  | 'idle'
  | 'starting'
  | 'running'
  | 'paused'
  | 'stopping'
  | 'finished'
  | 'error'
  /** A saved run that ended without a result (the app quit or the engine died). */
  | 'incomplete';

export interface RunInfo {
  epochs: number;
  stepsPerEpoch: number;
  trainSamples: number;
  validationSamples: number;
  testSamples: number;
}

export interface DownloadState {
  file: string;
  receivedBytes: number;
  totalBytes: number | null;
}

/** A run's curves, kept for the comparison chart. */
export interface CompareRun {
  runId: string;
  name: string;
  batches: BatchPoint[];
  epochs: EpochPoint[];
}

export type CompareMetric = 'loss' | 'accuracy' | 'valLoss' | 'valAccuracy';

export interface TrainingState {
  open: boolean;
  /** What the centre of the window shows. */
  view: 'canvas' | 'dashboard';
  form: TrainForm;
  /** What the engine says of the chosen dataset (null until asked, or without an engine). */
  datasetStatus: DatasetStatus | null;

  // ---- The run on show ----
  phase: Phase;
  /** Whether the run on show is the one this window started/attached to, or a reopened one. */
  source: 'live' | 'saved';
  runId: string | null;
  /** The run's graph name. */
  runName: string | null;
  backend: string | null;
  info: RunInfo | null;
  /** What the engine is doing before the first batch (loading data). */
  activity: string | null;
  download: DownloadState | null;
  last: BatchEvent | null;
  batches: BatchPoint[];
  epochs: EpochPoint[];
  evaluation: Evaluation | null;
  finished: FinishedEvent | null;
  /** The run has a trained model on disk (feature maps need it). */
  hasModel: boolean;
  error: string | null;
  /** A reopened run can be continued from its last checkpoint (runs.continue). */
  canContinue: boolean;
  /** A reopened run's graph and settings, to edit and train again. */
  runGraph: GraphDoc | null;
  runConfig: TrainConfig | null;

  // ---- Runs ----
  runs: RunEntry[];
  runsError: string | null;
  /** Run ids overlaid in the comparison chart, in the order they were ticked. */
  compare: string[];
  compareData: Record<string, CompareRun>;
  compareMetric: CompareMetric;
  smoothing: number;
}

/** Batch points kept for the charts; beyond it the older ones are thinned. */
export const MAX_POINTS = 2000;

export const initialForm: TrainForm = {
  dataDir: '',
  optimizer: 'sgd',
  learningRate: '0.01',
  momentum: '0',
  schedule: 'constant',
  stepEvery: '10',
  stepFactor: '0.5',
  expRate: '0.95',
  cosineMinLr: '0',
  batchSize: '32',
  epochs: '5',
  validationSplit: '0',
  augment: false,
  earlyStopping: false,
  patience: '3',
  seed: '42',
  limitTrain: '',
  limitTest: '',
};

export const emptyRun = {
  phase: 'idle' as Phase,
  source: 'live' as 'live' | 'saved',
  runId: null,
  runName: null,
  backend: null,
  info: null,
  activity: null,
  download: null,
  last: null,
  batches: [],
  epochs: [],
  evaluation: null,
  finished: null,
  hasModel: false,
  error: null,
  canContinue: false,
  runGraph: null,
  runConfig: null,
} satisfies Partial<TrainingState>;

export const useTraining = create<TrainingState>()(() => ({
  open: true,
  view: 'canvas',
  form: initialForm,
  datasetStatus: null,
  ...emptyRun,
  runs: [],
  runsError: null,
  compare: [],
  compareData: {},
  compareMetric: 'loss',
  smoothing: 0.6,
}));

export function setForm(change: Partial<TrainForm>): void {
  useTraining.setState((s) => ({ form: { ...s.form, ...change } }));
}

/** True while a run of this window is between Start and its end. */
export function isBusy(phase: Phase): boolean {
  return phase === 'starting' || phase === 'running' || phase === 'paused' || phase === 'stopping';
}

/** Keeps at most `max` points: when over, every other one of the older half is dropped. */
export function appendPoints<T>(points: T[], more: T[], max = MAX_POINTS): T[] {
  const next = points.concat(more);
  if (next.length <= max) return next;
  // Thin the older points evenly, keep the newest ones as they are.
  let head = next.slice(0, next.length - Math.floor(max / 2));
  const tail = next.slice(head.length);
  while (head.length + tail.length > max) head = head.filter((_, i) => i % 2 === 0);
  return head.concat(tail);
}

let queue: BatchEvent[] = [];
let scheduled = false;

export const toBatchPoint = (b: BatchEvent): BatchPoint => ({
  step: b.step,
  epoch: b.epoch,
  loss: b.loss,
  accuracy: b.accuracy,
  learningRate: b.learningRate,
});

/** Applies the queued batch events in one state change. */
export function flushBatches(): void {
  scheduled = false;
  if (queue.length === 0) return;
  const batches = queue;
  queue = [];
  useTraining.setState((s) => ({
    last: batches[batches.length - 1]!,
    activity: null,
    download: null,
    batches: appendPoints(s.batches, batches.map(toBatchPoint)),
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
