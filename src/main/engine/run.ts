// One training run from request to result: backend, dataset, compile, train,
// save, evaluate; every step reported as a TrainingEvent and kept in the run folder.
import type { GraphDoc } from '../../shared/graph/types.ts';
import { analyzeGraph } from '../../shared/graph/analyze.ts';
import { getLayer } from '../../shared/layers/registry.ts';
import { CodedError, type ErrorCode } from '../../shared/errors.ts';
import { type EvaluateRequest, type TrainRequest } from '../../shared/engine-protocol.ts';
import type { TrainingEvent, TrainingEventOf } from '../../shared/events.ts';
import { checkpointEngine } from '../runs/checkpoint-files.ts';
import { CHECKPOINT_UNUSABLE, diskFullError } from '../runs/errors.ts';
import { RunFolder } from '../runs/run-folder.ts';
import type { TrainConfig } from '../../shared/train-config.ts';
import { selectBackend, tf, tfjsUsesGpu, type Tf } from './backend.ts';
import { subset } from './batches.ts';
import { loadCheckpoint } from './checkpoint.ts';
import { compileGraph } from './compile.ts';
import { preflight } from './preflight.ts';
import { RunControl } from './control.ts';
import { loadDataset, type Dataset } from './datasets/index.ts';
import { evaluateSplit } from './evaluate.ts';
import { loadTfjsModel } from './load-model.ts';
import { makeOptimizer } from './optimizer.ts';
import { createParallelTrainer } from './parallel/trainer.ts';
import { saveTfjsModel } from './save-model.ts';
import { freshState, runTrainer, splitValidation } from './trainer.ts';
import { resolveEngine } from './torch/resolve.ts';
import { trainWithTorch } from './torch/train.ts';

export type Emit = (e: TrainingEvent) => void;

/** A run that cannot go on for a reason the user can act on. */
export class RunError extends CodedError {
  /** The failure is the last checkpoint's: it is no good checkpoint to point the user at. */
  readonly checkpointDamaged: boolean;
  constructor(code: ErrorCode, message: string, options: { checkpointDamaged?: boolean } = {}) {
    super(code, message);
    this.checkpointDamaged = options.checkpointDamaged ?? false;
  }
}

type Model = ReturnType<Tf['model']>;
type Optimizer = ReturnType<typeof makeOptimizer>;

/** Does the network end in softmax (probabilities) rather than a linear layer (logits)? */
export function outputsProbabilities(doc: GraphDoc): boolean {
  const a = analyzeGraph(doc);
  const out = a.outputId ? a.nodes.get(a.outputId) : undefined;
  if (!out?.params) return false;
  return getLayer(out.kind)?.producesSoftmax(out.params) ?? false;
}

/** Re-draws every kernel with a seeded Glorot-uniform (Keras's default), so runs repeat. */
export function seedKernels(t: Tf, model: ReturnType<Tf['model']>, seed: number): void {
  model.weights.forEach((w, i) => {
    if (!/kernel$/.test(w.originalName)) return;
    const v = t.tidy(() => t.initializers.glorotUniform({ seed: seed * 1000 + i }).apply(w.shape));
    w.write(v);
    v.dispose();
  });
}

function limitSplit(ds: Dataset, split: Dataset['train'], limit: number | null) {
  if (!limit || limit >= split.count) return split;
  const [h, w, c] = ds.imageShape;
  return subset(split, 0, limit, h * w * c);
}

/**
 * Restores the run's last checkpoint into `model` and `optimizer`, after checking all of it (every
 * file, and that it fits the model). A checkpoint that cannot be used is a RunError that names
 * the file, says the run is kept as it was and what to do.
 */
async function resumeFrom(folder: RunFolder, model: Model, optimizer: Optimizer) {
  const checkpoint = folder.checkpoint('last');
  if (!checkpoint)
    throw new RunError(
      'E_NO_CHECKPOINT',
      `There is no checkpoint to resume from in ${folder.checkpointDir('last')}. Start a new run instead.`,
    );
  if ((await checkpointEngine(checkpoint)) === 'torch')
    throw new RunError(
      'E_NO_CHECKPOINT',
      `The checkpoint in ${checkpoint} was written by the PyTorch engine: continue the run with the torch engine (--engine torch).`,
    );
  try {
    return await loadCheckpoint(tf, checkpoint, model, optimizer);
  } catch (e) {
    if (!(e instanceof CodedError)) throw e;
    // A missing file of a checkpoint whose state.json is there: the checkpoint is damaged.
    const code = e.code === 'E_NOT_FOUND' ? 'E_IO' : e.code;
    throw new RunError(code, `${e.message} ${CHECKPOINT_UNUSABLE}`, { checkpointDamaged: true });
  }
}

/** What a run's engine-specific part is given by runTraining (the tfjs one below, torch/). */
export interface RunContext {
  req: TrainRequest;
  /** The request's settings with the engine that trains them (config.json records it). */
  config: TrainConfig;
  graph: GraphDoc;
  folder: RunFolder;
  control: RunControl;
  emit: Emit;
  /** When the run began (performance.now()). */
  started: number;
  /** A resumed run has started: record the events held so far, and every one from now. */
  beginRecording(): Promise<void>;
  /** Waits for metrics.jsonl's appends; throws the first failure to record (a full disk). */
  flushEvents(): Promise<void>;
  /** That failure, if any, so far. */
  writeFailure(): unknown;
}

/** Runs a training request to its end; failures become an 'error' event, never an exception. */
export async function runTraining(
  req: TrainRequest,
  emitOut: Emit,
  control = new RunControl(),
): Promise<void> {
  const started = performance.now();
  const folder = new RunFolder(req.runDir);
  // A resumed run records nothing until it has started (its checkpoint checked and loaded, its
  // data read): a resume refused before that leaves the run folder exactly as it was. Its
  // events so far are held and recorded once it starts.
  let recording = !req.resume;
  const held: TrainingEvent[] = [];
  let writes = Promise.resolve();
  // The first failed append (a full disk...): later events are not appended (a line after a
  // half-written one would be lost with it), and the run fails at its next batch with it.
  let writeFailure: unknown = null;
  const record = (e: TrainingEvent) => {
    writes = writes
      .then(() => (writeFailure ? undefined : folder.appendEvent(e)))
      .catch((err: unknown) => void (writeFailure ??= err));
  };
  const emit: Emit = (e) => {
    emitOut(e);
    if (e.type === 'dataset-progress') return;
    if (recording) record(e);
    else held.push(e);
  };
  control.onStatus = (state, step) => emit({ type: 'status', state, step });
  try {
    // Nothing is written for a graph that cannot be trained here.
    if (!req.resume) {
      preflight({ ...req.graph, dataset: req.config.dataset }, req.config);
      await folder.ensure();
    }
    // --backend names a tfjs backend: with it, auto means tfjs.
    const setting = req.backend && req.config.engine === 'auto' ? 'tfjs' : req.config.engine;
    // Distributed training is the torch engine's (DistributedDataParallel).
    const choice = await resolveEngine(req.distributed && setting === 'auto' ? 'torch' : setting, {
      python: req.python,
      tfjsGpu: tfjsUsesGpu,
    });
    if (req.distributed && choice.engine !== 'torch')
      throw new CodedError(
        'E_CONFIG',
        'Distributed training (--nproc-per-node) runs on the PyTorch engine; choose engine torch or auto.',
      );
    const ctx: RunContext = {
      req,
      config: { ...req.config, engine: choice.engine },
      graph: { ...req.graph, dataset: req.config.dataset },
      folder,
      control,
      emit,
      started,
      async beginRecording() {
        await folder.beginResumed();
        recording = true;
        held.splice(0).forEach(record);
      },
      async flushEvents() {
        await writes;
        if (writeFailure) throw writeFailure; // its events are not all in metrics.jsonl
      },
      writeFailure: () => writeFailure,
    };
    if (choice.engine === 'torch') await trainWithTorch(ctx, choice);
    else await trainWithTfjs(ctx, choice.why);
  } catch (thrown) {
    // A full disk anywhere in the run (a checkpoint, an event, the model) says where, and that
    // the run can go on from its last checkpoint once there is space.
    const e =
      diskFullError(
        thrown,
        req.runDir,
        folder.checkpoint('last') ? 'continue the run' : 'start the run again',
      ) ?? thrown;
    const err = e as Error & { code?: string };
    const known = e instanceof CodedError;
    const error: TrainingEventOf<'error'> = {
      type: 'error',
      code: known ? e.code : 'E_INTERNAL',
      message: known ? err.message : `Training failed: ${err.message}`,
      // The last good checkpoint: not one a resume just found damaged.
      checkpoint: e instanceof RunError && e.checkpointDamaged ? null : folder.checkpoint('last'),
    };
    // Written before the event goes out, so whoever sees the failure finds the run 'failed'; not
    // for a resume refused before it started, which leaves the run as it was.
    if (recording) await folder.writeError(error).catch(() => undefined);
    emit(error);
  } finally {
    await writes; // never rejects: see record
  }
}

/** The TensorFlow.js engine's run: `why` is auto's reason for it, put before the backend's. */
async function trainWithTfjs(ctx: RunContext, why: string | null): Promise<void> {
  const { req, config, graph, folder, control, emit, started } = ctx;
  const selected = await selectBackend(req.backend);
  const backend = why ? { ...selected, reason: `${why}, ${selected.reason}` } : selected;
  emit({ type: 'backend', backend });
  const model = compileGraph(tf, graph);
  const optimizer = makeOptimizer(tf, config);
  seedKernels(tf, model, config.seed);
  const state = req.resume ? await resumeFrom(folder, model, optimizer) : freshState();
  const dataset = await loadRunDataset(ctx);
  const splits = runSplits(dataset, config);
  const { train, validation, test } = splits;
  if (req.resume) await ctx.beginRecording();
  else {
    await folder.writeGraph(req.graph);
    await folder.writeConfig(config);
  }
  emit(
    runStartedEvent(req.runDir, config, {
      backend,
      totalParams: model.countParams(),
      splits,
      resumedFromStep: req.resume ? state.step : null,
      notes: dataset.notes,
    }),
  );
  const probabilities = outputsProbabilities(graph);
  const parallel =
    config.replicas > 1 && backend.backend === 'wasm'
      ? await createParallelTrainer({
          tf,
          graph,
          replicas: config.replicas,
          optimizer: {
            optimizer: config.optimizer,
            learningRate: config.learningRate,
            momentum: config.momentum,
          },
          maxBatch: config.batchSize,
          probabilities,
          model,
          optimizerInstance: optimizer,
          backend: 'wasm',
        })
      : null;
  let result: Awaited<ReturnType<typeof runTrainer>>;
  try {
    result = await runTrainer({
      tf,
      model,
      optimizer,
      dataset,
      train,
      validation,
      config,
      probabilities,
      folder,
      control,
      emit,
      state,
      parallel,
      writeFailure: ctx.writeFailure,
    });
  } finally {
    await parallel?.dispose();
  }
  await ctx.flushEvents();
  await saveTfjsModel(tf, model, folder.modelDir);
  const evaluation = evaluateSplit(tf, model, dataset, test, probabilities);
  await folder.writeEvaluation(evaluation);
  emit({ type: 'evaluation', evaluation });
  const finished: TrainingEventOf<'finished'> = {
    type: 'finished',
    status: result.status,
    runDir: req.runDir,
    epochs: result.state.history.length,
    step: result.state.step,
    seconds: (performance.now() - started) / 1000,
    testAccuracy: evaluation.testAccuracy,
    testLoss: evaluation.testLoss,
  };
  await folder.writeResult({ ...finished, backend });
  emit(finished);
  model.dispose();
  optimizer.dispose();
}

/** The run's dataset (downloaded into the cache if need be, with progress events). */
export function loadRunDataset(ctx: RunContext): Promise<Dataset> {
  return loadDataset(ctx.config.dataset, {
    dataDir: ctx.req.dataDir ?? undefined,
    cacheDir: ctx.req.cacheDir ?? undefined,
    onProgress: (p) => ctx.emit({ type: 'dataset-progress', ...p }),
  });
}

/** The run's training, validation and test splits, as its settings cut them. */
export function runSplits(dataset: Dataset, config: TrainConfig) {
  const [h, w, c] = dataset.imageShape;
  const { train, validation } = splitValidation(
    limitSplit(dataset, dataset.train, config.limitTrain),
    config.validationSplit,
    h * w * c,
  );
  return { train, validation, test: limitSplit(dataset, dataset.test, config.limitTest) };
}

/** The run-started event of a run with these splits, from either engine. */
export function runStartedEvent(
  runDir: string,
  config: TrainConfig,
  info: {
    backend: TrainingEventOf<'run-started'>['backend'];
    totalParams: number;
    splits: ReturnType<typeof runSplits>;
    resumedFromStep: number | null;
    notes: string[];
  },
): TrainingEventOf<'run-started'> {
  const { train, validation, test } = info.splits;
  return {
    type: 'run-started',
    runDir,
    backend: info.backend,
    totalParams: info.totalParams,
    trainSamples: train.count,
    validationSamples: validation?.count ?? 0,
    testSamples: test.count,
    stepsPerEpoch: Math.ceil(train.count / config.batchSize),
    epochs: config.epochs,
    resumedFromStep: info.resumedFromStep,
    notes: info.notes,
  };
}

/** Evaluates a finished run's saved model on the test set. */
export async function runEvaluation(req: EvaluateRequest, emit: Emit): Promise<void> {
  try {
    const folder = new RunFolder(req.runDir);
    const config = await folder.loadConfig();
    const graph = await folder.loadGraph();
    emit({ type: 'backend', backend: await selectBackend(req.backend) });
    const model = await loadTfjsModel(tf, folder.modelDir);
    const dataset = await loadDataset(config.dataset, {
      dataDir: req.dataDir ?? undefined,
      cacheDir: req.cacheDir ?? undefined,
    });
    const evaluation = evaluateSplit(
      tf,
      model,
      dataset,
      limitSplit(dataset, dataset.test, req.limitTest),
      outputsProbabilities(graph),
    );
    emit({ type: 'evaluation', evaluation });
    model.dispose();
  } catch (e) {
    const err = e as Error;
    const code =
      (e as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'E_NOT_FOUND'
        : e instanceof CodedError
          ? e.code
          : 'E_INTERNAL';
    const message =
      code === 'E_NOT_FOUND'
        ? `${req.runDir} is not a finished Netforge run (${err.message}). Give the folder a training run wrote.`
        : code === 'E_IO'
          ? `${err.message} Evaluate another run, or train this one again.`
          : err.message;
    emit({ type: 'error', code, message, checkpoint: null });
  }
}
