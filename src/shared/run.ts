// One run's state as the dashboard shows it, and the one way to build it: a fold of the run's
// TrainingEvents. The renderer applies reduceRun to events as they stream in; the server replays
// metrics.jsonl through the same function for runs.get, so a reopened run and the live one can
// never disagree (test/run-model.test.ts folds one run both ways).
import { z } from 'zod';
import {
  backendInfoSchema,
  batchEventSchema,
  batchPointSchema,
  epochPointSchema,
  evaluationSchema,
  finishedEventSchema,
  runErrorSchema,
  trainingEventSchema,
  type BatchPoint,
  type TrainingEvent,
  type TrainingEventOf,
} from './events.ts';

export const RUN_PHASES = [
  /** Asked to start; no run-started event yet (the engine loads the data). */
  'starting',
  'running',
  'paused',
  /** Asked to stop; it saves a checkpoint, evaluates and finishes. */
  'stopping',
  /** Ended with a finished event (completed, stopped or early-stopped). */
  'finished',
  /** Ended with an error event. */
  'error',
  /** Ended without either: the app quit or the engine died during it (see settleRun). */
  'incomplete',
] as const;
export type RunPhase = (typeof RUN_PHASES)[number];

/** The most batch points a view keeps; beyond it the older half is thinned (appendBatch). */
export const MAX_BATCH_POINTS = 2000;

export const runInfoSchema = z.object({
  totalParams: z.number().int(),
  trainSamples: z.number().int(),
  validationSamples: z.number().int(),
  testSamples: z.number().int(),
  stepsPerEpoch: z.number().int(),
  epochs: z.number().int(),
  /** What the engine noted of the data (e.g. "only 1 of 5 CIFAR-10 training batches present"). */
  notes: z.array(z.string()),
});
export type RunInfo = z.infer<typeof runInfoSchema>;

export const runViewSchema = z.object({
  phase: z.enum(RUN_PHASES),
  backend: backendInfoSchema.nullable(),
  /** From the run-started event. */
  info: runInfoSchema.nullable(),
  /** A dataset download in progress before the first batch. */
  download: z
    .object({ file: z.string(), receivedBytes: z.number(), totalBytes: z.number().nullable() })
    .nullable(),
  /** The latest batch event (progress: step, samples/s, ETA). */
  last: batchEventSchema.nullable(),
  /** Batch points for the charts, at most MAX_BATCH_POINTS (older ones thinned). */
  batches: z.array(batchPointSchema),
  epochs: z.array(epochPointSchema),
  evaluation: evaluationSchema.nullable(),
  finished: finishedEventSchema.nullable(),
  error: runErrorSchema.nullable(),
  /** The latest "last" checkpoint the run saved (continue goes on from it). */
  checkpoint: z.object({ epoch: z.number().int(), step: z.number().int() }).nullable(),
  /** The trained model is saved (it is, before the test set is evaluated). */
  hasModel: z.boolean(),
});
export type RunView = z.infer<typeof runViewSchema>;
export type BatchEvent = TrainingEventOf<'batch'>;
export type FinishedEvent = TrainingEventOf<'finished'>;

/** A run that has been asked to start and has sent nothing yet. */
export const emptyRunView: RunView = Object.freeze({
  phase: 'starting',
  backend: null,
  info: null,
  download: null,
  last: null,
  batches: [],
  epochs: [],
  evaluation: null,
  finished: null,
  error: null,
  checkpoint: null,
  hasModel: false,
});

const ENDED: readonly RunPhase[] = ['finished', 'error', 'incomplete'];

/** True once the run has ended, one way or another. */
export const hasEnded = (phase: RunPhase): boolean => ENDED.includes(phase);

/** True while the run is between its start and its end. */
export const isActive = (phase: RunPhase): boolean => !hasEnded(phase);

/** The view after `event`. Pure: `view` is not changed. */
export function reduceRun(view: RunView, event: TrainingEvent): RunView {
  return reduceEvents(view, [event]);
}

/**
 * The view after all of `events`, as if reduceRun folded them one by one (the same result for
 * any grouping); the arrays are copied once, not per event, so replaying a long metrics.jsonl
 * stays linear.
 */
export function reduceEvents(view: RunView, events: readonly TrainingEvent[]): RunView {
  const v: RunView = { ...view, batches: [...view.batches], epochs: [...view.epochs] };
  for (const e of events) apply(v, e);
  return v;
}

/** Folds `event` into the draft `v` (owned by reduceEvents). */
function apply(v: RunView, e: TrainingEvent): void {
  switch (e.type) {
    case 'backend':
      // A continued run starts again in the same view: its old ending no longer holds.
      if (hasEnded(v.phase)) reopen(v);
      v.backend = e.backend;
      return;
    case 'run-started': {
      reopen(v);
      // A pause or stop asked for while the data loaded has taken effect already.
      if (v.phase !== 'paused' && v.phase !== 'stopping') v.phase = 'running';
      v.backend = e.backend;
      v.info = {
        totalParams: e.totalParams,
        trainSamples: e.trainSamples,
        validationSamples: e.validationSamples,
        testSamples: e.testSamples,
        stepsPerEpoch: e.stepsPerEpoch,
        epochs: e.epochs,
        notes: e.notes,
      };
      v.download = null;
      // Continued from a checkpoint: what came after it is trained again.
      const at = e.resumedFromStep;
      if (at !== null) {
        v.batches = v.batches.filter((b) => b.step <= at);
        v.epochs = v.epochs.filter((p) => p.step <= at);
        if (v.last && v.last.step > at) v.last = null;
      }
      return;
    }
    case 'dataset-progress':
      v.download = { file: e.file, receivedBytes: e.receivedBytes, totalBytes: e.totalBytes };
      return;
    case 'batch':
      v.last = e;
      v.download = null;
      if (v.phase === 'starting') v.phase = 'running';
      appendBatch(v.batches, {
        step: e.step,
        epoch: e.epoch,
        loss: e.loss,
        accuracy: e.accuracy,
        learningRate: e.learningRate,
      });
      return;
    case 'epoch': {
      const { type: _type, ...point } = e;
      while (v.epochs.length > 0 && v.epochs.at(-1)!.epoch >= point.epoch) v.epochs.pop();
      v.epochs.push(point);
      return;
    }
    case 'checkpoint':
      if (e.kind === 'last') v.checkpoint = { epoch: e.epoch, step: e.step };
      return;
    case 'status':
      if (hasEnded(v.phase)) return;
      v.phase = e.state === 'paused' ? 'paused' : e.state === 'resumed' ? 'running' : 'stopping';
      return;
    case 'evaluation':
      v.evaluation = e.evaluation;
      v.hasModel = true;
      return;
    case 'finished':
      v.phase = 'finished';
      v.finished = e;
      v.download = null;
      return;
    case 'error':
      v.phase = 'error';
      v.error = { code: e.code, message: e.message, checkpoint: e.checkpoint };
      v.download = null;
      return;
  }
}

/**
 * The view of an ended run asked to go on (runs.continue), before its first new event: its old
 * ending no longer holds. The continued run's first event does the same in reduceRun, so a
 * client that shows this at once ends up with the view the server replays.
 */
export function reopenRun(view: RunView): RunView {
  if (!hasEnded(view.phase)) return view;
  const v = { ...view };
  reopen(v);
  return v;
}

/** Clears a previous ending when a run goes on (runs.continue appends to the same events). */
function reopen(v: RunView): void {
  if (!hasEnded(v.phase)) return;
  v.phase = 'starting';
  v.finished = null;
  v.error = null;
  v.evaluation = null;
  v.hasModel = false;
}

/**
 * Appends a batch point, keeping at most MAX_BATCH_POINTS: a point that does not come after the
 * last one replaces what it repeats (a resumed run goes back to its checkpoint); when full, every
 * other point of the older half is dropped, so old curves thin out and recent ones stay exact.
 */
export function appendBatch(points: BatchPoint[], p: BatchPoint): void {
  while (points.length > 0 && points.at(-1)!.step >= p.step) points.pop();
  if (points.length >= MAX_BATCH_POINTS) {
    const half = Math.floor(points.length / 2);
    const older = points.slice(0, half).filter((_, i) => i % 2 === 0);
    points.splice(0, half, ...older);
  }
  points.push(p);
}

/**
 * The view of a run that is no longer in progress (no engine works on it): one that never sent
 * its finished or error event ended without a result.
 */
export function settleRun(view: RunView): RunView {
  return hasEnded(view.phase) ? view : { ...view, phase: 'incomplete', download: null };
}

/**
 * Whether the run can go on from its last checkpoint (runs.continue): it kept one, and it was
 * stopped, failed or cut short (a completed or early-stopped run has trained all it will).
 */
export function canContinue(view: RunView): boolean {
  const kept = view.checkpoint !== null || view.error?.checkpoint != null;
  if (!kept) return false;
  return (
    view.phase === 'error' ||
    view.phase === 'incomplete' ||
    (view.phase === 'finished' && view.finished?.status === 'stopped')
  );
}

/** The events of a metrics.jsonl text, skipping blank, half-written and unknown lines. */
export function parseEventLines(text: string): TrainingEvent[] {
  const events: TrainingEvent[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      continue; // the line being written as we read, or damage: skip it
    }
    const batch = batchEvent(raw);
    if (batch) {
      events.push(batch);
      continue;
    }
    const parsed = trainingEventSchema.safeParse(raw);
    if (parsed.success) events.push(parsed.data);
  }
  return events;
}

const isInt = (v: unknown): v is number => Number.isInteger(v);
const isNumber = (v: unknown): v is number => typeof v === 'number';
/** NaN and Infinity are written to JSON as null. */
const isNumberOrNull = (v: unknown): v is number | null => v === null || typeof v === 'number';

/**
 * A batch line checked by hand rather than with zod: a long run has tens of thousands of them
 * and runs.get replays them on the server's event loop. Same fields as the schema, nothing else.
 */
function batchEvent(raw: unknown): BatchEvent | null {
  if (!raw || typeof raw !== 'object' || (raw as { type?: unknown }).type !== 'batch') return null;
  const r = raw as Record<string, unknown>;
  const { epoch, step, batchInEpoch, stepsPerEpoch, loss, accuracy } = r;
  const { learningRate, samplesPerSecond, etaSeconds } = r;
  if (!isInt(epoch) || !isInt(step) || !isInt(batchInEpoch) || !isInt(stepsPerEpoch)) return null;
  if (!isNumberOrNull(loss) || !isNumberOrNull(accuracy)) return null;
  if (!isNumber(learningRate) || !isNumber(samplesPerSecond) || !isNumber(etaSeconds)) return null;
  return {
    type: 'batch',
    epoch,
    step,
    batchInEpoch,
    stepsPerEpoch,
    loss,
    accuracy,
    learningRate,
    samplesPerSecond,
    etaSeconds,
  };
}
