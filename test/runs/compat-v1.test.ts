// Runs saved by Netforge before RunFolder (test/fixtures/runs-v1, written by commit 58dcb59: a
// `netforge train` run, and a stopped and a failed run of the app) open as they did: through
// RunFolder, through runs.get's reader and the runs list, their model loads into tfjs and scores
// what it scored, and their checkpoints restore the model and optimizer and resume training.
import { existsSync } from 'node:fs';
import { cp, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { selectBackend, tf } from '../../src/main/engine/backend.ts';
import { subset } from '../../src/main/engine/batches.ts';
import { loadCheckpoint } from '../../src/main/engine/checkpoint.ts';
import { compileGraph } from '../../src/main/engine/compile.ts';
import { loadDataset } from '../../src/main/engine/datasets/index.ts';
import { evaluateSplit } from '../../src/main/engine/evaluate.ts';
import { loadTfjsModel } from '../../src/main/engine/load-model.ts';
import { makeOptimizer } from '../../src/main/engine/optimizer.ts';
import { runTraining } from '../../src/main/engine/run.ts';
import { TrainingService } from '../../src/main/api/training-service.ts';
import { readRunDetail } from '../../src/main/runs/run-detail.ts';
import { RunFolder } from '../../src/main/runs/run-folder.ts';
import { runDetailSchema } from '../../src/shared/api.ts';
import { canContinue } from '../../src/shared/run.ts';
import { trainConfigSchema } from '../../src/shared/train-config.ts';
import { trainRequestSchema } from '../../src/shared/engine-protocol.ts';
import { type TrainingEvent } from '../../src/shared/events.ts';
import { tempDirs } from '../engine/fixtures.ts';

const FIXTURES = resolve(import.meta.dirname, '../fixtures/runs-v1');
const REAL = resolve(import.meta.dirname, '../../../shared/datasets');
const haveReal = existsSync(join(REAL, 'mnist'));

const cli = new RunFolder(join(FIXTURES, 'cli-completed'));
const settings = {
  dataset: 'mnist',
  batchSize: 16,
  optimizer: 'sgd',
  learningRate: 0.05,
  momentum: 0.9,
  validationSplit: 0.25,
  limitTrain: 64,
  limitTest: 20,
} as const;

const dirs = tempDirs('compat-v1');
beforeAll(async () => {
  await selectBackend('wasm');
});
afterAll(() => dirs.cleanup());

const floats = (bytes: Buffer) => new Float32Array(new Uint8Array(bytes).buffer);
const readJsonFile = async (path: string): Promise<unknown> =>
  JSON.parse(await readFile(path, 'utf8'));

describe('a run folder written by Netforge 58dcb59', () => {
  it('opens through RunFolder: settings, graph, outcome, model and checkpoints', async () => {
    expect(await cli.readStart()).toBeNull(); // `netforge train` wrote no start file
    expect(await cli.loadConfig()).toEqual(trainConfigSchema.parse({ ...settings, epochs: 2 }));
    const graph = await cli.loadGraph();
    expect(graph.name).toBe('Fixture MLP');
    expect(graph.nodes.map((n) => n.name)).toEqual(['images', 'pool', 'flat', 'hidden', 'out']);
    expect(await cli.readResult()).toMatchObject({ status: 'completed', epochs: 2, step: 6 });
    expect(await cli.readEvaluation()).toEqual(await readJsonFile(cli.evaluationFile));
    expect(cli.hasModel()).toBe(true);
    expect(cli.hasError()).toBe(false);
    expect(cli.checkpoint('last')).toBe(join(cli.dir, 'checkpoints', 'last'));
    expect(cli.checkpoint('best')).toBe(join(cli.dir, 'checkpoints', 'best'));
  });

  it('opens through runs.get’s reader with its curves, evaluation, model and checkpoint', async () => {
    const entry = {
      runId: 'cli-completed',
      runDir: cli.dir,
      name: 'Fixture MLP',
      status: 'completed' as const,
      testAccuracy: 0.05,
      startedAt: '2026-12-01T15:17:00.000Z',
    };
    const detail = await readRunDetail(entry);
    expect(runDetailSchema.parse(detail)).toEqual(detail);
    expect(detail.graph).toEqual(await cli.loadGraph());
    expect(detail.config).toEqual(await cli.loadConfig());
    expect(detail.dataDir).toBeNull();
    expect(detail.view.backend?.backend).toBe('wasm');
    expect(detail.view.info).toEqual({
      totalParams: 970,
      trainSamples: 48,
      validationSamples: 16,
      testSamples: 20,
      stepsPerEpoch: 3,
      epochs: 2,
      notes: [],
    });
    // The epochs the run recorded, as its last checkpoint's history has them too.
    const state = (await readJsonFile(join(cli.dir, 'checkpoints/last/state.json'))) as {
      history: object[];
    };
    expect(detail.view.epochs.map(({ step: _step, ...record }) => record)).toEqual(state.history);
    expect(detail.view.epochs.map((e) => e.step)).toEqual([3, 6]);
    expect(detail.view.batches.at(-1)?.step).toBe(6);
    expect(detail.view.evaluation).toEqual(await readJsonFile(cli.evaluationFile));
    expect(detail.view.evaluation?.samples).toBe(20);
    expect(detail.view.error).toBeNull();
    expect(detail.view.hasModel).toBe(true);
    expect(detail.view.checkpoint).not.toBeNull();
  });

  it('lists the app’s stopped and failed runs as before, and answers continue as before', async () => {
    const runsDir = join(await dirs.make(), 'runs');
    await cp(FIXTURES, runsDir, { recursive: true });
    const service = new TrainingService({ runsDir, backend: 'wasm' });
    try {
      const runs = await service.list();
      const byId = Object.fromEntries(runs.map((r) => [r.runId, r]));
      expect(Object.keys(byId).sort()).toEqual(['app-failed', 'app-stopped', 'cli-completed']);
      expect(byId['app-stopped']).toMatchObject({
        name: 'Fixture MLP',
        status: 'stopped',
        testAccuracy: 0.05,
        startedAt: '2026-12-01T15:17:48.934Z',
      });
      expect(byId['app-failed']).toMatchObject({ status: 'failed', testAccuracy: null });
      expect(byId['cli-completed']).toMatchObject({ name: 'Fixture MLP', status: 'completed' });

      const stopped = await service.get('app-stopped');
      expect(stopped.dataDir).toBe('/work/shared/datasets');
      expect(stopped.view.epochs.map((e) => e.epoch)).toEqual([1]);
      expect(canContinue(stopped.view)).toBe(true);
      const failed = await service.get('app-failed');
      expect(failed.view.error).toMatchObject({ code: 'E_DATA_MISSING', checkpoint: null });
      expect(canContinue(failed.view)).toBe(false);
      expect(failed.graph).toBeNull();

      await expect(service.continueRun('app-failed')).rejects.toMatchObject({
        code: 'E_NO_CHECKPOINT',
      });
      await expect(service.continueRun('cli-completed')).rejects.toMatchObject({
        code: 'E_FINISHED',
      });
    } finally {
      await service.close();
    }
  });

  it('restores its last checkpoint into the graph’s model and optimizer', async () => {
    const config = await cli.loadConfig();
    const model = compileGraph(tf, await cli.loadGraph());
    const optimizer = makeOptimizer(tf, config);
    try {
      const last = cli.checkpoint('last')!;
      const state = await loadCheckpoint(tf, last, model, optimizer);
      expect(state).toEqual(await readJsonFile(join(last, 'state.json')));
      expect(state).toMatchObject({ epoch: 2, batchInEpoch: 0, step: 6 });
      // The run completed at that checkpoint: its weights are the saved model's.
      const weights = model.weights.flatMap((w) => [...(w.read().dataSync() as Float32Array)]);
      expect(weights).toEqual([...floats(await readFile(cli.modelFiles.weights))]);
      // The optimizer's step count and momentum buffers came back too.
      const saved = await optimizer.getWeights();
      const values = saved.flatMap((w) => [...(w.tensor.dataSync() as Float32Array)]);
      for (const w of saved) if (!('assign' in w.tensor)) w.tensor.dispose();
      expect(values).toEqual([...floats(await readFile(join(last, 'optimizer.bin')))]);
      expect(values.length).toBe(1 + 970);
      expect(values.slice(1).some((v) => v !== 0)).toBe(true);
    } finally {
      model.dispose();
      optimizer.dispose();
    }
  });

  it('loads its trained model with tfjs', async () => {
    const model = await loadTfjsModel(tf, cli.modelDir);
    try {
      expect(model.countParams()).toBe(970);
      const y = tf.tidy(
        () => model.predict(tf.zeros([2, 28, 28, 1])) as ReturnType<typeof tf.zeros>,
      );
      expect(y.shape).toEqual([2, 10]);
      const rows = (await y.array()) as number[][];
      y.dispose();
      for (const row of rows) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5); // softmax
    } finally {
      model.dispose();
    }
  });

  describe.skipIf(!haveReal)(`on the real MNIST in ${REAL}`, () => {
    it('scores on the test images what its evaluation.json says', async () => {
      const model = await loadTfjsModel(tf, cli.modelDir);
      try {
        const mnist = await loadDataset('mnist', { dataDir: REAL });
        const evaluation = evaluateSplit(tf, model, mnist, subset(mnist.test, 0, 20, 784), true);
        expect(await cli.readEvaluation()).toEqual(evaluation);
      } finally {
        model.dispose();
      }
    });

    it('resumes from its checkpoint for one more epoch, rewriting its outcome', async () => {
      const runDir = join(await dirs.make(), 'resumed');
      await cp(cli.dir, runDir, { recursive: true });
      const folder = new RunFolder(runDir);
      const events: TrainingEvent[] = [];
      const request = trainRequestSchema.parse({
        graph: await folder.loadGraph(),
        config: { ...(await folder.loadConfig()), epochs: 3 },
        runDir,
        dataDir: REAL,
        backend: 'wasm',
        resume: true,
      });
      await runTraining(request, (e) => events.push(e));
      expect(events.find((e) => e.type === 'run-started')).toMatchObject({ resumedFromStep: 6 });
      expect(events.at(-1)).toMatchObject({ type: 'finished', status: 'completed', step: 9 });
      expect(await folder.readResult()).toMatchObject({ status: 'completed', epochs: 3, step: 9 });
      const detail = await readRunDetail({
        runId: 'resumed',
        runDir,
        name: 'Fixture MLP',
        status: 'completed',
        testAccuracy: null,
        startedAt: '2026-12-01T15:17:00.000Z',
      });
      expect(detail.view.epochs.map((e) => [e.epoch, e.step])).toEqual([
        [1, 3],
        [2, 6],
        [3, 9],
      ]);
      expect(detail.view.info?.epochs).toBe(3);
    });
  });
});
