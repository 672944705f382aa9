// One training run from request to result: backend, dataset, compile, train,
// save, evaluate; every step reported as a TrainingEvent and kept in the run folder.
import { appendFile, access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { GraphDoc } from '../../shared/graph/types.ts';
import { analyzeGraph } from '../../shared/graph/analyze.ts';
import { getLayer } from '../../shared/layers/registry.ts';
import { CodedError } from '../../shared/errors.ts';
import {
  trainConfigSchema,
  type EvaluateRequest,
  type TrainRequest,
  type TrainingEvent,
} from '../../shared/protocol.ts';
import { selectBackend, tf, type Tf } from './backend.ts';
import { subset } from './batches.ts';
import { loadCheckpoint } from './checkpoint.ts';
import { compileGraph } from './compile.ts';
import { RunControl } from './control.ts';
import { loadDataset, type Dataset } from './datasets/index.ts';
import { evaluateSplit } from './evaluate.ts';
import { loadTfjsModel } from './load-model.ts';
import { makeOptimizer } from './optimizer.ts';
import { createParallelTrainer } from './parallel/trainer.ts';
import { saveTfjsModel } from './save-model.ts';
import { freshState, runTrainer, splitValidation } from './trainer.ts';

type Emit = (e: TrainingEvent) => void;

/** A run that cannot go on for a reason the user can act on. */
export class RunError extends CodedError {}

const exists = (p: string) =>
  access(p).then(
    () => true,
    () => false,
  );

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

/** Runs a training request to its end; failures become an 'error' event, never an exception. */
export async function runTraining(
  req: TrainRequest,
  emitOut: Emit,
  control = new RunControl(),
): Promise<void> {
  const started = performance.now();
  const metrics = join(req.runDir, 'metrics.jsonl');
  let writes = Promise.resolve();
  const emit: Emit = (e) => {
    emitOut(e);
    if (e.type !== 'dataset-progress')
      writes = writes.then(() =>
        appendFile(metrics, `${JSON.stringify({ time: Date.now(), ...e })}\n`),
      );
  };
  const lastCheckpoint = join(req.runDir, 'checkpoints', 'last');
  try {
    await mkdir(req.runDir, { recursive: true });
    const config = req.config;
    const graph: GraphDoc = { ...req.graph, dataset: config.dataset };
    const backend = await selectBackend(req.backend);
    emit({ type: 'backend', backend });
    const model = compileGraph(tf, graph);
    const dataset = await loadDataset(config.dataset, {
      dataDir: req.dataDir ?? undefined,
      cacheDir: req.cacheDir ?? undefined,
      onProgress: (p) => emit({ type: 'dataset-progress', ...p }),
    });
    const [h, w, c] = dataset.imageShape;
    const { train, validation } = splitValidation(
      limitSplit(dataset, dataset.train, config.limitTrain),
      config.validationSplit,
      h * w * c,
    );
    const test = limitSplit(dataset, dataset.test, config.limitTest);
    const optimizer = makeOptimizer(tf, config);
    seedKernels(tf, model, config.seed);
    let state = freshState();
    if (req.resume) {
      if (!(await exists(lastCheckpoint)))
        throw new RunError(
          'E_NO_CHECKPOINT',
          `There is no checkpoint to resume from in ${lastCheckpoint}. Start a new run instead.`,
        );
      state = await loadCheckpoint(tf, lastCheckpoint, model, optimizer);
    } else {
      await writeFile(join(req.runDir, 'graph.json'), JSON.stringify(req.graph, null, 1));
      await writeFile(join(req.runDir, 'config.json'), JSON.stringify(config, null, 1));
    }
    emit({
      type: 'run-started',
      runDir: req.runDir,
      backend,
      totalParams: model.countParams(),
      trainSamples: train.count,
      validationSamples: validation?.count ?? 0,
      testSamples: test.count,
      stepsPerEpoch: Math.ceil(train.count / config.batchSize),
      epochs: config.epochs,
      resumedFromStep: req.resume ? state.step : null,
      notes: dataset.notes,
    });
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
        runDir: req.runDir,
        control,
        emit,
        state,
        parallel,
      });
    } finally {
      await parallel?.dispose();
    }
    await saveTfjsModel(tf, model, join(req.runDir, 'model'));
    const evaluation = evaluateSplit(tf, model, dataset, test, probabilities);
    await writeFile(join(req.runDir, 'evaluation.json'), JSON.stringify(evaluation));
    emit({ type: 'evaluation', evaluation });
    const finished: TrainingEvent = {
      type: 'finished',
      status: result.status,
      runDir: req.runDir,
      epochs: result.state.history.length,
      step: result.state.step,
      seconds: (performance.now() - started) / 1000,
      testAccuracy: evaluation.testAccuracy,
      testLoss: evaluation.testLoss,
    };
    await writeFile(
      join(req.runDir, 'run.json'),
      JSON.stringify({ ...finished, backend }, null, 1),
    );
    emit(finished);
    model.dispose();
    optimizer.dispose();
  } catch (e) {
    const err = e as Error & { code?: string };
    const known = e instanceof CodedError;
    emit({
      type: 'error',
      code: known ? e.code : 'E_INTERNAL',
      message: known ? err.message : `Training failed: ${err.message}`,
      checkpoint: (await exists(lastCheckpoint)) ? lastCheckpoint : null,
    });
  } finally {
    // A run folder that cannot be written is reported above; it must not become an exception.
    await writes.catch(() => undefined);
  }
}

/** Evaluates a finished run's saved model on the test set. */
export async function runEvaluation(req: EvaluateRequest, emit: Emit): Promise<void> {
  try {
    const config = trainConfigSchema.parse(
      JSON.parse(await readFile(join(req.runDir, 'config.json'), 'utf8')),
    );
    const graph = JSON.parse(await readFile(join(req.runDir, 'graph.json'), 'utf8')) as GraphDoc;
    emit({ type: 'backend', backend: await selectBackend(req.backend) });
    const model = await loadTfjsModel(tf, join(req.runDir, 'model'));
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
        : err.message;
    emit({ type: 'error', code, message, checkpoint: null });
  }
}
