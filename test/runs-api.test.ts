// The dashboard's run requests as the app sends them (handleRequest, and once over the real
// WebSocket with EngineClient): runs.get reads a run folder (finished, in progress, failed,
// half-written), runs.images returns the test images' bytes from disk without downloading,
// runs.featureMaps computes a trained model's activations in its own process.
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';

import { selectBackend, tf } from '../src/main/engine/backend.ts';
import { loadTfjsModel } from '../src/main/engine/load-model.ts';
import { handleRequest, type RequestContext } from '../src/main/api/handlers.ts';
import { startServer } from '../src/main/server/server.ts';
import { TrainingService } from '../src/main/api/training-service.ts';
import { createWebSocketClient, type SocketLike } from '../src/renderer/engine/client.ts';
import { GraphBuilder } from '../src/shared/graph/builder.ts';
import type { GraphDoc } from '../src/shared/graph/types.ts';
import {
  featureMapsSchema,
  runDetailSchema,
  runImagesSchema,
  type ApiRequestInput,
  type FeatureMaps,
  type RunDetail,
  type RunImages,
} from '../src/shared/api.ts';
import { emptyRunView, MAX_BATCH_POINTS } from '../src/shared/run.ts';
import { trainConfigSchema } from '../src/shared/train-config.ts';
import { type Evaluation, type TrainingEvent } from '../src/shared/events.ts';
import { tempDirs, tinyGraph, writeSyntheticMnist } from './engine/fixtures.ts';
import { ended, nextEvent, sleep } from './helpers/training-events.ts';

const TRAIN = 60;
const TEST = 30;
const config = { dataset: 'mnist' as const, epochs: 2, batchSize: 16, learningRate: 0.1 };

/** LeNet-style: conv 6@5x5 same (28x28x6), max pool (14x14x6), conv 4@3x3 (12x12x4), dense 10. */
function lenetGraph(): GraphDoc {
  const g = new GraphBuilder('Little LeNet', 'mnist');
  g.chain(g.input([28, 28, 1], 'images'), [
    ['conv2d', { filters: 6, kernelSize: [5, 5], padding: 'same', activation: 'relu' }, 'c1'],
    ['maxPooling2d', { poolSize: [2, 2] }, 'p1'],
    ['conv2d', { filters: 4, kernelSize: [3, 3], activation: 'relu' }, 'c2'],
    ['flatten', {}, 'flat'],
    ['dense', { units: 10 }, 'out'],
  ]);
  return g.build();
}

const dirs = tempDirs('runs-api');
let base = '';
let data = '';
let cacheDir = '';
let service: TrainingService;
let ctx: RequestContext;
/** The finished LeNet run every test looks at. */
let runId = '';
let runDir = '';
let finished: TrainingEvent;

beforeAll(async () => {
  // A user's NETFORGE_DATA_DIR must not decide where these tests find (or miss) their data.
  vi.stubEnv('NETFORGE_DATA_DIR', undefined);
  base = await dirs.make();
  data = await writeSyntheticMnist(join(base, 'mnist'), TRAIN, TEST);
  cacheDir = join(base, 'cache'); // never created: nothing may be downloaded into it
  service = new TrainingService({ runsDir: join(base, 'runs'), backend: 'wasm', cacheDir });
  ctx = { projectsDir: join(base, 'projects'), training: service };
  const done = nextEvent((l) => service.subscribe(l), ended);
  ({ runId, runDir } = await service.start({ graph: lenetGraph(), config, dataDir: data }));
  finished = await done;
  expect(finished).toMatchObject({ type: 'finished', status: 'completed' });
});
afterEach(() => {
  vi.unstubAllEnvs();
  vi.stubEnv('NETFORGE_DATA_DIR', undefined);
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await service?.close();
  await dirs.cleanup();
});

async function ok<T>(req: ApiRequestInput, context = ctx): Promise<T> {
  const reply = await handleRequest(req, context);
  if (!reply.ok) throw new Error(`${req.type} failed: ${JSON.stringify(reply.error)}`);
  return reply.result as T;
}

async function failure(req: ApiRequestInput, context = ctx) {
  const reply = await handleRequest(req, context);
  expect(reply.ok, JSON.stringify(reply)).toBe(false);
  return reply.error!;
}

const readJsonFile = async <T>(...path: string[]): Promise<T> =>
  JSON.parse(await readFile(join(...path), 'utf8')) as T;

async function metricsEvents(dir: string): Promise<TrainingEvent[]> {
  const text = await readFile(join(dir, 'metrics.jsonl'), 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as TrainingEvent);
}

/** Writes a run folder by hand: file name -> contents (objects as JSON). */
async function makeRunFolder(id: string, files: Record<string, unknown>): Promise<string> {
  const dir = join(service.runsDir, id);
  await mkdir(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(
      join(dir, name),
      typeof content === 'string' ? content : JSON.stringify(content),
    );
  }
  return dir;
}

const startFile = (dataDir: string | null) => ({
  name: 'Hand made',
  startedAt: '2026-01-02T03:04:05.678Z',
  dataDir,
});

const line = (e: object) => `${JSON.stringify({ time: 1, ...e })}\n`;
const batch = (step: number, loss: number) =>
  line({
    type: 'batch',
    epoch: 1,
    step,
    batchInEpoch: step,
    stepsPerEpoch: 10_000,
    loss,
    accuracy: 0.5,
    learningRate: 0.01,
    samplesPerSecond: 100,
    etaSeconds: 1,
  });
const epoch = (n: number, step: number, loss: number) =>
  line({
    type: 'epoch',
    epoch: n,
    step,
    loss,
    accuracy: 0.5,
    valLoss: null,
    valAccuracy: null,
    learningRate: 0.01,
    seconds: 1,
  });
const backendInfo = { backend: 'wasm', device: 'CPU', reason: 'test' };
const runStarted = line({
  type: 'run-started',
  runDir: '/somewhere',
  backend: backendInfo,
  totalParams: 10,
  trainSamples: 100,
  validationSamples: 0,
  testSamples: 10,
  stepsPerEpoch: 5,
  epochs: 3,
  resumedFromStep: null,
  notes: [],
});

/** The test split's bytes as the synthetic IDX files hold them (images after a 16-byte header). */
async function testImageBytes(index: number): Promise<{ pixels: Buffer; label: number }> {
  const images = await readFile(join(data, 't10k-images-idx3-ubyte'));
  const labels = await readFile(join(data, 't10k-labels-idx1-ubyte'));
  return {
    pixels: images.subarray(16 + index * 784, 16 + (index + 1) * 784),
    label: labels[8 + index]!,
  };
}

describe('runs.get', () => {
  it('returns a finished run: graph, config, data folder, chart points, evaluation, model', async () => {
    const detail = await ok<RunDetail>({ id: 1, type: 'runs.get', runId });
    expect(runDetailSchema.parse(detail)).toEqual(detail);
    expect(detail.entry).toMatchObject({
      runId,
      runDir,
      name: 'Little LeNet',
      status: 'completed',
    });
    expect(detail.graph).toEqual(await readJsonFile(runDir, 'graph.json'));
    expect(detail.graph?.nodes.map((n) => n.name)).toEqual([
      'images',
      'c1',
      'p1',
      'c2',
      'flat',
      'out',
    ]);
    // config.json records the engine that trained the run: 'auto' resolved (vitest pins tfjs).
    expect(detail.config).toEqual({ ...trainConfigSchema.parse(config), engine: 'tfjs' });
    expect(detail.dataDir).toBe(data);
    expect(detail.view.backend?.backend).toBe('wasm');
    expect(detail.view.info).toEqual({
      totalParams: expect.any(Number),
      trainSamples: TRAIN,
      validationSamples: 0,
      testSamples: TEST,
      stepsPerEpoch: 4,
      epochs: 2,
      notes: [],
    });

    const events = await metricsEvents(runDir);
    const batches = events.flatMap((e) =>
      e.type === 'batch'
        ? [
            {
              step: e.step,
              epoch: e.epoch,
              loss: e.loss,
              accuracy: e.accuracy,
              learningRate: e.learningRate,
            },
          ]
        : [],
    );
    expect(batches.length).toBeGreaterThan(0);
    expect(detail.view.batches).toEqual(batches);
    expect(detail.view.batches.at(-1)!.step).toBe(8);
    expect(detail.view.epochs.map((e) => [e.epoch, e.step])).toEqual([
      [1, 4],
      [2, 8],
    ]);

    const evaluation = await readJsonFile<Evaluation>(runDir, 'evaluation.json');
    expect(detail.view.evaluation).toEqual(evaluation);
    expect(detail.view.evaluation?.samples).toBe(TEST);
    expect(detail.view.evaluation?.testAccuracy).toBe(
      (finished as Extract<TrainingEvent, { type: 'finished' }>).testAccuracy,
    );
    expect(detail.view.error).toBeNull();
    expect(detail.view.hasModel).toBe(true);
    expect(detail.view.checkpoint).toEqual({ epoch: 2, step: 8 });
    expect(detail.view.phase).toBe('finished');
  });

  it('thins a long run to at most MAX_BATCH_POINTS, keeping the first, the last and the newest points, and skips a half-written line', async () => {
    let metrics = line({ type: 'backend', backend: backendInfo }) + runStarted;
    for (let s = 1; s <= 5000; s++) metrics += batch(s, 1 / s);
    metrics += batch(5001, 0).slice(0, 40); // the engine was writing this line
    const id = 'long-run-2026-01-02T03-04-05-678Z';
    await makeRunFolder(id, {
      'netforge-run.json': startFile(null),
      'graph.json': tinyGraph(),
      'metrics.jsonl': metrics,
    });
    const detail = await ok<RunDetail>({ id: 1, type: 'runs.get', runId: id });
    expect(runDetailSchema.parse(detail)).toEqual(detail);
    const steps = detail.view.batches.map((b) => b.step);
    expect(steps.length).toBeLessThanOrEqual(MAX_BATCH_POINTS);
    expect(steps.length).toBeGreaterThan(MAX_BATCH_POINTS / 2);
    expect(steps[0]).toBe(1);
    expect(steps.at(-1)).toBe(5000);
    expect(steps.every((s, i) => i === 0 || s > steps[i - 1]!)).toBe(true);
    // The older points are thinned, the newest quarter is kept as it came.
    const newest = steps.slice(-MAX_BATCH_POINTS / 4);
    expect(newest.every((s, i) => i === 0 || s === newest[i - 1]! + 1)).toBe(true);
    expect(detail.view.batches.at(-1)!.loss).toBe(1 / 5000);
    expect(detail.entry).toMatchObject({ name: 'Hand made', status: 'incomplete' });
    expect(detail.view.info?.trainSamples).toBe(100);
  });

  it('reads a failed, half-written run folder without failing: corrupt and missing files count as absent', async () => {
    const id = 'broken-2026-01-02T03-04-05-678Z';
    const engineError = {
      type: 'error',
      code: 'E_ENGINE_DIED',
      message: 'The training engine stopped unexpectedly (signal SIGKILL).',
      checkpoint: '/x/checkpoints/last',
    };
    await makeRunFolder(id, {
      'netforge-run.json': startFile('/data/somewhere'),
      'graph.json': tinyGraph(),
      'config.json': '{"dataset": "mni', // cut off
      'evaluation.json': '{"testLoss": 1}', // not an evaluation
      'metrics.jsonl':
        runStarted +
        batch(1, 2.5) +
        'not json at all\n' +
        '{"type":"batch","step":"two"}\n' +
        batch(2, 2.25) +
        '{"type":"epoch","epo',
      'error.json': engineError,
    });
    const detail = await ok<RunDetail>({ id: 1, type: 'runs.get', runId: id });
    expect(runDetailSchema.parse(detail)).toEqual(detail);
    expect(detail.entry.status).toBe('failed');
    expect(detail.graph?.name).toBe('Tiny convnet');
    expect(detail.config).toBeNull();
    expect(detail.dataDir).toBe('/data/somewhere');
    expect(detail.view.batches.map((b) => [b.step, b.loss])).toEqual([
      [1, 2.5],
      [2, 2.25],
    ]);
    expect(detail.view.epochs).toEqual([]);
    expect(detail.view.evaluation).toBeNull();
    expect(detail.view.error).toEqual({
      code: 'E_ENGINE_DIED',
      message: engineError.message,
      checkpoint: '/x/checkpoints/last',
    });
    expect(detail.view.hasModel).toBe(false);

    // A folder holding only what main writes first: nothing else yet, nothing fails.
    const fresh = 'fresh-2026-01-02T03-04-05-678Z';
    await makeRunFolder(fresh, { 'netforge-run.json': startFile(null) });
    expect(await ok<RunDetail>({ id: 2, type: 'runs.get', runId: fresh })).toEqual({
      entry: expect.objectContaining({ runId: fresh, status: 'incomplete' }),
      graph: null,
      config: null,
      dataDir: null,
      view: { ...emptyRunView, phase: 'incomplete' },
      exports: [],
    });
  });

  it('takes a resumed run’s repeated steps from the resumed part; its restart clears the earlier error', async () => {
    let metrics = runStarted;
    for (let s = 1; s <= 10; s++) metrics += batch(s, 1);
    metrics += epoch(1, 5, 1) + epoch(2, 10, 1);
    metrics += line({ type: 'error', code: 'E_NAN', message: 'diverged', checkpoint: null });
    metrics += runStarted; // resumed from the checkpoint at step 5
    for (let s = 6; s <= 12; s++) metrics += batch(s, 2);
    metrics += epoch(2, 10, 2);
    const id = 'resumed-2026-01-02T03-04-05-678Z';
    await makeRunFolder(id, { 'netforge-run.json': startFile(null), 'metrics.jsonl': metrics });
    const detail = await ok<RunDetail>({ id: 1, type: 'runs.get', runId: id });
    expect(detail.view.batches.map((b) => [b.step, b.loss])).toEqual([
      ...[1, 2, 3, 4, 5].map((s) => [s, 1]),
      ...[6, 7, 8, 9, 10, 11, 12].map((s) => [s, 2]),
    ]);
    expect(detail.view.epochs.map((e) => [e.epoch, e.loss])).toEqual([
      [1, 1],
      [2, 2],
    ]);
    expect(detail.view.error).toBeNull();
  });

  it('answers an unknown run id with E_NOT_FOUND naming it and the runs folder', async () => {
    const error = await failure({ id: 1, type: 'runs.get', runId: 'no-such-run' });
    expect(error.code).toBe('E_NOT_FOUND');
    expect(error.message).toContain('no-such-run');
    expect(error.message).toContain(service.runsDir);
    for (const type of ['runs.images', 'runs.featureMaps'] as const) {
      const req =
        type === 'runs.images'
          ? { id: 2, type, runId: 'no-such-run', indices: [0] }
          : { id: 2, type, runId: 'no-such-run', layer: null, index: 0 };
      expect((await failure(req)).code).toBe('E_NOT_FOUND');
    }
    // Not a run id at all: the protocol refuses it before any file is touched.
    expect((await failure({ id: 3, type: 'runs.get', runId: '../etc' })).code).toBe(
      'E_BAD_REQUEST',
    );
  });

  it('works for a run in progress (reattaching after a reload); it has no feature maps yet', async () => {
    const firstEpoch = nextEvent(
      (l) => service.subscribe(l),
      (e) => e.type === 'epoch',
    );
    const started = await service.start({
      graph: tinyGraph(),
      config: { ...config, epochs: 500 },
      dataDir: data,
    });
    await firstEpoch;
    const paused = nextEvent(
      (l) => service.subscribe(l),
      (e) => e.type === 'status' && e.state === 'paused',
    );
    await service.pause(started.runId);
    await paused;
    try {
      // The engine appends to metrics.jsonl a moment after it sends an event.
      let detail = await ok<RunDetail>({ id: 1, type: 'runs.get', runId: started.runId });
      for (let tries = 0; detail.view.epochs.length === 0 && tries < 100; tries++) {
        await sleep(50);
        detail = await ok<RunDetail>({ id: 1, type: 'runs.get', runId: started.runId });
      }
      expect(runDetailSchema.parse(detail)).toEqual(detail);
      expect(detail.entry.status).toBe('paused');
      expect(detail.view.info?.epochs).toBe(500);
      expect(detail.view.batches.length).toBeGreaterThan(0);
      expect(detail.view.epochs.length).toBeGreaterThan(0);
      expect(detail.config?.epochs).toBe(500);
      expect(detail.view.evaluation).toBeNull();
      expect(detail.view.hasModel).toBe(false);

      const error = await failure({
        id: 2,
        type: 'runs.featureMaps',
        runId: started.runId,
        layer: null,
        index: 0,
      });
      expect(error.code).toBe('E_NO_MODEL');
      expect(error.message).toMatch(/once the run has finished/);
      // Its test images are there already.
      const images = await ok<RunImages>({
        id: 3,
        type: 'runs.images',
        runId: started.runId,
        indices: [5],
      });
      expect(images.images[0]!.label).toBe((await testImageBytes(5)).label);
      // The run in progress cannot be deleted.
      const busy = await failure({ id: 4, type: 'runs.delete', runId: started.runId });
      expect(busy.code).toBe('E_BUSY');
      expect(existsSync(join(started.runDir, 'config.json'))).toBe(true);
    } finally {
      const done = nextEvent((l) => service.subscribe(l), ended);
      await service.stop(started.runId);
      await done;
    }
  });
});

describe('runs.continue', () => {
  it('continues a stopped run from its checkpoint to the end, in its own folder', async () => {
    const firstEpoch = nextEvent(
      (l) => service.subscribe(l),
      (e) => e.type === 'epoch',
    );
    const stopped = nextEvent((l) => service.subscribe(l), ended);
    const run = await service.start({
      graph: tinyGraph(),
      config: { ...config, epochs: 3 },
      dataDir: data,
    });
    await firstEpoch;
    await service.stop(run.runId);
    const stop = await stopped;
    expect(stop).toMatchObject({ type: 'finished', status: 'stopped' });
    const stopStep = (stop as { step: number }).step;
    const stepsPerEpoch = Math.ceil(TRAIN / config.batchSize);
    expect(stopStep).toBeLessThan(3 * stepsPerEpoch);

    const events: TrainingEvent[] = [];
    const off = service.subscribe((p) => events.push(p.event));
    const done = nextEvent((l) => service.subscribe(l), ended);
    const again = await ok<{ runId: string; runDir: string }>({
      id: 1,
      type: 'runs.continue',
      runId: run.runId,
    });
    expect(again).toEqual({ runId: run.runId, runDir: run.runDir });
    const end = await done;
    off();
    expect(end).toMatchObject({ type: 'finished', status: 'completed', step: 3 * stepsPerEpoch });
    const started = events.find((e) => e.type === 'run-started');
    expect(started).toMatchObject({ resumedFromStep: stopStep });
    // One run in the list, completed, whose curves go on from the stop without repeats.
    let detail = await ok<RunDetail>({ id: 2, type: 'runs.get', runId: run.runId });
    for (let tries = 0; detail.entry.status !== 'completed' && tries < 100; tries++) {
      await sleep(50);
      detail = await ok<RunDetail>({ id: 2, type: 'runs.get', runId: run.runId });
    }
    expect(detail.entry.status).toBe('completed');
    expect(detail.view.evaluation?.samples).toBe(TEST);
    const steps = detail.view.batches.map((b) => b.step);
    expect(steps).toEqual([...new Set(steps)].sort((a, b) => a - b));
    expect(steps.at(-1)).toBe(3 * stepsPerEpoch);
    expect(detail.view.epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);

    // Completed runs are not continued.
    const finished = await failure({ id: 3, type: 'runs.continue', runId: run.runId });
    expect(finished.code).toBe('E_FINISHED');
  });

  it('refuses a run that kept no checkpoint, saying to start again', async () => {
    const empty = await dirs.make();
    const done = nextEvent((l) => service.subscribe(l), ended);
    const run = await service.start({ graph: tinyGraph(), config, dataDir: empty });
    expect(await done).toMatchObject({ type: 'error', code: 'E_DATA_MISSING', checkpoint: null });
    const error = await failure({ id: 1, type: 'runs.continue', runId: run.runId });
    expect(error.code).toBe('E_NO_CHECKPOINT');
    expect(error.message).toMatch(/Start it again/);
  });
});

describe('runs.delete', () => {
  it('deletes a finished run’s folder; it leaves the list, and a second delete is E_NOT_FOUND', async () => {
    const done = nextEvent((l) => service.subscribe(l), ended);
    const gone = await service.start({
      graph: tinyGraph(),
      config: { ...config, epochs: 1 },
      dataDir: data,
    });
    await done;
    expect(existsSync(join(gone.runDir, 'model', 'model.json'))).toBe(true);
    expect(await ok({ id: 1, type: 'runs.delete', runId: gone.runId })).toEqual({
      runId: gone.runId,
    });
    expect(existsSync(gone.runDir)).toBe(false);
    const runs = await ok<{ runId: string }[]>({ id: 2, type: 'runs.list' });
    expect(runs.map((r) => r.runId)).not.toContain(gone.runId);
    expect(runs.map((r) => r.runId)).toContain(runId); // the others stay
    const again = await failure({ id: 3, type: 'runs.delete', runId: gone.runId });
    expect(again.code).toBe('E_NOT_FOUND');
  });
});

describe('runs.images', () => {
  it('returns the test images’ bytes (HWC) and labels exactly as the dataset files hold them', async () => {
    const indices = [0, 7, 29, 7];
    const result = await ok<RunImages>({ id: 1, type: 'runs.images', runId, indices });
    expect(runImagesSchema.parse(result)).toEqual(result);
    expect(result).toMatchObject({
      width: 28,
      height: 28,
      channels: 1,
      classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    });
    expect(result.images.map((i) => i.index)).toEqual(indices);
    for (const image of result.images) {
      const expected = await testImageBytes(image.index);
      expect(Buffer.from(image.pixels, 'base64').equals(expected.pixels)).toBe(true);
      expect(image.label).toBe(expected.label);
    }
  });

  it('answers an index past the test set with E_BAD_REQUEST giving the valid range', async () => {
    const error = await failure({ id: 1, type: 'runs.images', runId, indices: [3, TEST] });
    expect(error.code).toBe('E_BAD_REQUEST');
    expect(error.message).toContain(`${TEST} images, numbered 0 to ${TEST - 1}`);
  });

  it('never downloads: a dataset that is not on disk is E_DATA_MISSING; $NETFORGE_DATA_DIR and the cache are tried after the run’s folder', async () => {
    const id = 'moved-data-2026-01-02T03-04-05-678Z';
    await makeRunFolder(id, {
      'netforge-run.json': startFile(join(base, 'gone')),
      'config.json': trainConfigSchema.parse(config),
    });
    const error = await failure({ id: 1, type: 'runs.images', runId: id, indices: [0] });
    expect(error.code).toBe('E_DATA_MISSING');
    expect(error.message).toContain(join(base, 'gone'));
    expect(error.message).toContain(cacheDir);
    expect(error.message).toMatch(/does not download/);
    expect(existsSync(cacheDir)).toBe(false);

    vi.stubEnv('NETFORGE_DATA_DIR', data);
    const viaEnv = await ok<RunImages>({ id: 2, type: 'runs.images', runId: id, indices: [4] });
    expect(Buffer.from(viaEnv.images[0]!.pixels, 'base64')).toEqual(
      (await testImageBytes(4)).pixels,
    );
    vi.stubEnv('NETFORGE_DATA_DIR', undefined);

    // The same run seen by a service whose download cache holds MNIST.
    const cache = await dirs.make();
    await writeSyntheticMnist(join(cache, 'mnist'), TRAIN, TEST);
    const cached = new TrainingService({
      runsDir: service.runsDir,
      backend: 'wasm',
      cacheDir: cache,
    });
    try {
      const viaCache = await ok<RunImages>(
        { id: 3, type: 'runs.images', runId: id, indices: [4] },
        { ...ctx, training: cached },
      );
      expect(Buffer.from(viaCache.images[0]!.pixels, 'base64')).toEqual(
        (await testImageBytes(4)).pixels,
      );
    } finally {
      await cached.close();
    }
  });

  it('returns CIFAR-10 images as RGB bytes per pixel from the planar records', async () => {
    const cifar = join(await dirs.make(), 'cifar-10-batches-bin');
    await mkdir(cifar, { recursive: true });
    const records = Buffer.alloc(3 * 3073);
    for (let r = 0; r < 3; r++) {
      records[r * 3073] = 7 - r; // label
      for (let p = 0; p < 1024; p++) {
        records[r * 3073 + 1 + p] = (p + r) % 256; // R
        records[r * 3073 + 1 + 1024 + p] = (2 * p) % 256; // G
        records[r * 3073 + 1 + 2048 + p] = 255 - (p % 256); // B
      }
    }
    await writeFile(join(cifar, 'test_batch.bin'), records);
    const id = 'cifar-2026-01-02T03-04-05-678Z';
    await makeRunFolder(id, {
      'netforge-run.json': startFile(join(cifar, '..')),
      'config.json': trainConfigSchema.parse({ ...config, dataset: 'cifar10' }),
    });
    const result = await ok<RunImages>({ id: 1, type: 'runs.images', runId: id, indices: [2] });
    expect(result).toMatchObject({ width: 32, height: 32, channels: 3 });
    expect(result.classNames[5]).toBe('dog');
    const image = result.images[0]!;
    expect(image.label).toBe(5);
    const px = Buffer.from(image.pixels, 'base64');
    expect(px).toHaveLength(32 * 32 * 3);
    for (const p of [0, 1, 33, 1023])
      expect([...px.subarray(3 * p, 3 * p + 3)]).toEqual([
        (p + 2) % 256,
        (2 * p) % 256,
        255 - (p % 256),
      ]);
  });
});

const REAL = resolve(import.meta.dirname, '../../shared/datasets');
const haveReal = existsSync(REAL);

describe.skipIf(!haveReal)(
  haveReal ? `runs.images on ${REAL}` : `runs.images on real MNIST (skipped: no ${REAL})`,
  () => {
    it('returns the real MNIST test images byte for byte', async () => {
      const id = 'real-mnist-2026-01-02T03-04-05-678Z';
      await makeRunFolder(id, {
        'netforge-run.json': startFile(REAL),
        'config.json': trainConfigSchema.parse(config),
      });
      const images = gunzipSync(await readFile(join(REAL, 'mnist', 't10k-images-idx3-ubyte.gz')));
      const result = await ok<RunImages>({
        id: 1,
        type: 'runs.images',
        runId: id,
        indices: [0, 1, 9999],
      });
      expect(result.images.map((i) => i.label)).toEqual([7, 2, 6]);
      for (const image of result.images)
        expect(
          Buffer.from(image.pixels, 'base64').equals(
            images.subarray(16 + image.index * 784, 16 + (image.index + 1) * 784),
          ),
        ).toBe(true);
      const error = await failure({ id: 2, type: 'runs.images', runId: id, indices: [10_000] });
      expect(error.message).toContain('numbered 0 to 9999');
    });
  },
);

describe('runs.featureMaps', () => {
  it('lists the layers with (h, w, c) outputs and returns the first one’s maps by default', async () => {
    const result = await ok<FeatureMaps>({
      id: 1,
      type: 'runs.featureMaps',
      runId,
      layer: null,
      index: 3,
    });
    expect(featureMapsSchema.parse(result)).toEqual(result);
    expect(result.layers).toEqual([
      { name: 'c1', shape: [28, 28, 6] },
      { name: 'p1', shape: [14, 14, 6] },
      { name: 'c2', shape: [12, 12, 4] },
    ]);
    expect(result).toMatchObject({
      layer: 'c1',
      index: 3,
      label: (await testImageBytes(3)).label,
      height: 28,
      width: 28,
      channels: 6,
      shown: 6,
    });
  });

  it('computes what the trained model computes, MNIST scaled to [0, 1], each map scaled on its own to 0..255', async () => {
    await selectBackend('wasm');
    const model = await loadTfjsModel(tf, join(runDir, 'model'));
    const evaluation = await readJsonFile<Evaluation>(runDir, 'evaluation.json');
    try {
      for (const [layer, index] of [
        ['c1', 0],
        ['p1', 11],
        ['c2', 29],
      ] as const) {
        const result = await ok<FeatureMaps>({
          id: 1,
          type: 'runs.featureMaps',
          runId,
          layer,
          index,
        });
        const shape = model.getLayer(layer).outputShape as number[];
        const [, h, w, c] = shape as [null, number, number, number];
        expect([result.height, result.width, result.channels, result.shown]).toEqual([h, w, c, c]);

        // The same activations from a sub-model of the trained model, on the image / 255.
        const { pixels, label } = await testImageBytes(index);
        const sub = tf.model({ inputs: model.inputs, outputs: model.getLayer(layer).output });
        const x = tf.tensor4d(
          Float32Array.from(pixels, (b) => b / 255),
          [1, 28, 28, 1],
        );
        const y = sub.predict(x) as ReturnType<typeof tf.tensor>;
        const act = await y.data();
        x.dispose();
        y.dispose();

        const maps = Buffer.from(result.maps, 'base64');
        expect(maps).toHaveLength(c * h * w);
        expect(result.ranges).toHaveLength(c);
        let nonConstant = 0;
        for (let ch = 0; ch < c; ch++) {
          const values = Array.from({ length: h * w }, (_, p) => act[p * c + ch]!);
          const min = Math.min(...values);
          const max = Math.max(...values);
          const [rmin, rmax] = result.ranges[ch]!;
          expect(rmin).toBeCloseTo(min, 4);
          expect(rmax).toBeCloseTo(max, 4);
          const map = maps.subarray(ch * h * w, (ch + 1) * h * w);
          if (max - min < 1e-6) {
            expect(map.every((v) => v === 0)).toBe(true);
            continue;
          }
          nonConstant++;
          expect(Math.min(...map)).toBe(0);
          expect(Math.max(...map)).toBe(255);
          values.forEach((v, p) =>
            expect(Math.abs(map[p]! - ((v - min) / (max - min)) * 255)).toBeLessThanOrEqual(1),
          );
        }
        expect(nonConstant).toBeGreaterThan(0);

        // The prediction is the model's: the one the evaluation recorded for this image.
        const wrong = evaluation.misclassified.find((m) => m.index === index);
        expect(result.label).toBe(label);
        expect(result.predicted).toBe(wrong ? wrong.predicted : label);
      }
    } finally {
      model.dispose();
    }
  });

  it('keeps the model loaded between requests and leaks no tensors', async () => {
    const ask = (layer: string | null, index: number) =>
      handleRequest({ id: 1, type: 'runs.featureMaps', runId, layer, index }, ctx);
    await ask(null, 0);
    const before = await service.featureMapsProcess.stats();
    expect(before.modelDir).toBe(join(runDir, 'model'));
    const started = performance.now();
    for (const layer of ['c1', 'p1', 'c2', null, 'nope'])
      for (const index of [1, 2]) await ask(layer, index);
    // Ten requests on a loaded model are quick (the model is not loaded again each time).
    expect(performance.now() - started).toBeLessThan(5000);
    expect(await service.featureMapsProcess.stats()).toEqual(before);
  });

  it('answers an unknown layer with E_BAD_REQUEST listing the valid ones, a bad index with the range', async () => {
    const error = await failure({
      id: 1,
      type: 'runs.featureMaps',
      runId,
      layer: 'flat',
      index: 0,
    });
    expect(error.code).toBe('E_BAD_REQUEST');
    expect(error.message).toContain('"flat"');
    expect(error.message).toContain('c1, p1, c2');
    const range = await failure({ id: 2, type: 'runs.featureMaps', runId, layer: null, index: 99 });
    expect(range.code).toBe('E_BAD_REQUEST');
    expect(range.message).toContain(`numbered 0 to ${TEST - 1}`);
  });

  it('answers a run without a model with E_NO_MODEL', async () => {
    const id = 'no-model-2026-01-02T03-04-05-678Z';
    await makeRunFolder(id, {
      'netforge-run.json': startFile(data),
      'config.json': trainConfigSchema.parse(config),
      'error.json': { type: 'error', code: 'E_NAN', message: 'diverged', checkpoint: null },
    });
    const error = await failure({
      id: 1,
      type: 'runs.featureMaps',
      runId: id,
      layer: null,
      index: 0,
    });
    expect(error.code).toBe('E_NO_MODEL');
    expect(error.message).toMatch(/failed before saving one/);
  });
});

describe('over the WebSocket with EngineClient', () => {
  it('gets a run, its images and feature maps, and a dataset status', async () => {
    // Browser mode needs a built renderer folder; these requests do not use it.
    await mkdir(join(base, 'renderer'), { recursive: true });
    const server = await startServer({
      rendererDir: join(base, 'renderer'),
      projectsDir: join(base, 'projects'),
      training: service,
    });
    const client = createWebSocketClient(
      `ws://127.0.0.1:${server.port}/ws?token=${server.token}`,
      (url) => new WebSocket(url) as unknown as SocketLike,
    );
    try {
      const detail = await client.call('runs.get', { runId: runId });
      expect(detail).toEqual(await ok<RunDetail>({ id: 1, type: 'runs.get', runId }));
      expect(detail.view.hasModel).toBe(true);

      const maps = await client.call('runs.featureMaps', { runId: runId, layer: 'p1', index: 2 });
      expect(maps).toMatchObject({ layer: 'p1', height: 14, width: 14, channels: 6, shown: 6 });
      expect(Buffer.from(maps.maps, 'base64')).toHaveLength(6 * 14 * 14);
      await expect(
        client.call('runs.featureMaps', { runId: runId, layer: 'nope', index: 2 }),
      ).rejects.toMatchObject({
        code: 'E_BAD_REQUEST',
      });

      const images = await client.call('runs.images', { runId: runId, indices: [2] });
      expect(images.images[0]!.label).toBe(maps.label);

      expect(
        await client.call('datasets.status', { dataset: 'mnist', dataDir: data }),
      ).toMatchObject({
        found: true,
        source: 'folder',
        path: data,
      });
    } finally {
      client.close();
      await server.close();
    }
  });
});
