// runs.get: everything kept of one run, read from its folder through RunFolder's tolerant
// readers (graph, settings, events, evaluation, error, model, checkpoint). The folder may belong to
// a run in progress or to one that died, so every file may be missing, partial or corrupt: such a
// file counts as absent and a half-written line of the events is skipped; nothing here throws.
import {
  MAX_BATCH_POINTS,
  trainingEventSchema,
  type BatchPoint,
  type RunDetail,
  type RunEntry,
} from '../../shared/protocol.ts';
import { RunFolder } from './run-folder.ts';

type Fields = Pick<RunDetail, 'backend' | 'info' | 'batches' | 'epochs' | 'evaluation' | 'error'>;

const isNumber = (v: unknown): v is number => typeof v === 'number';
const isInt = (v: unknown): v is number => Number.isInteger(v);
/** NaN and Infinity are written to JSON as null. */
const isNumberOrNull = (v: unknown): v is number | null => v === null || typeof v === 'number';

/**
 * A batch event's chart point, or null if the line is not one. Checked by hand, not with zod:
 * a long run has tens of thousands of them and this runs on the server's event loop.
 */
function batchPoint(e: Record<string, unknown>): BatchPoint | null {
  const { step, epoch, loss, accuracy, learningRate } = e;
  if (!isInt(step) || !isInt(epoch) || !isNumberOrNull(loss) || !isNumberOrNull(accuracy))
    return null;
  if (!isNumber(learningRate)) return null;
  return { step, epoch, loss, accuracy, learningRate };
}

/**
 * The chart data and outcome in metrics.jsonl's text (one TrainingEvent per line). A run resumed
 * from a checkpoint appends to the same file, going back to the checkpoint's step: the points
 * it repeats replace the earlier ones, and its new run-started clears an earlier error.
 */
export function parseMetrics(text: string): Fields {
  const out: Fields = {
    backend: null,
    info: null,
    batches: [],
    epochs: [],
    evaluation: null,
    error: null,
  };
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      continue; // the line being written as we read, or damage: skip it
    }
    if (!raw || typeof raw !== 'object') continue;
    const obj = raw as Record<string, unknown>;
    if (obj['type'] === 'batch') {
      const point = batchPoint(obj);
      if (!point) continue;
      while (out.batches.length > 0 && out.batches.at(-1)!.step >= point.step) out.batches.pop();
      out.batches.push(point);
      continue;
    }
    const parsed = trainingEventSchema.safeParse(raw);
    if (!parsed.success) continue;
    const e = parsed.data;
    switch (e.type) {
      case 'backend':
        out.backend = e.backend;
        break;
      case 'run-started':
        out.backend = e.backend;
        out.info = {
          totalParams: e.totalParams,
          trainSamples: e.trainSamples,
          validationSamples: e.validationSamples,
          testSamples: e.testSamples,
          stepsPerEpoch: e.stepsPerEpoch,
          epochs: e.epochs,
        };
        out.error = null;
        break;
      case 'epoch': {
        const { type: _type, ...point } = e; // zod has dropped the line's other fields
        while (out.epochs.length > 0 && out.epochs.at(-1)!.epoch >= point.epoch) out.epochs.pop();
        out.epochs.push(point);
        break;
      }
      case 'evaluation':
        out.evaluation = e.evaluation;
        break;
      case 'error':
        out.error = { code: e.code, message: e.message, checkpoint: e.checkpoint };
        break;
      default:
        break;
    }
  }
  out.batches = thinEvenly(out.batches, MAX_BATCH_POINTS);
  return out;
}

/** At most `max` of `points`, evenly spaced, always the first and the last. */
export function thinEvenly<T>(points: T[], max: number): T[] {
  if (points.length <= max) return points;
  if (max <= 1) return points.slice(-1);
  const n = points.length;
  return Array.from({ length: max }, (_, i) => points[Math.round((i * (n - 1)) / (max - 1))]!);
}

/** Everything kept of the run `entry` describes (see RunDetail), read from its folder. */
export async function readRunDetail(entry: RunEntry): Promise<RunDetail> {
  const folder = new RunFolder(entry.runDir);
  const [graph, config, start, metrics, evaluation, error] = await Promise.all([
    folder.readGraph(),
    folder.readConfig(),
    folder.readStart(),
    folder.readMetrics(),
    folder.readEvaluation(),
    folder.readError(),
  ]);
  const fromMetrics = parseMetrics(metrics);
  return {
    entry,
    graph,
    config,
    dataDir: start?.dataDir ?? null,
    ...fromMetrics,
    // The files are what the run ended with; the events stand in while it is in progress
    // (error.json also holds errors the engine could not log, e.g. E_ENGINE_DIED).
    evaluation: evaluation ?? fromMetrics.evaluation,
    error: error ?? fromMetrics.error,
    hasModel: folder.hasModel(),
    hasCheckpoint: folder.checkpoint('last') !== null,
  };
}
