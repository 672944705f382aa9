// One run model: a run's state is a fold of its events with reduceRun, applied live to the pushed
// events (as the renderer does) and replayed from metrics.jsonl by runs.get. The two must give
// deep-equal views, for a plain run and for one that was paused, stopped and continued.
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { TrainingService } from '../src/main/api/training-service.ts';
import type { TrainingEvent } from '../src/shared/events.ts';
import {
  appendBatch,
  canContinue,
  emptyRunView,
  MAX_BATCH_POINTS,
  reduceEvents,
  reduceRun,
  settleRun,
  type RunView,
} from '../src/shared/run.ts';
import { tempDirs, tinyGraph, writeSyntheticMnist } from './engine/fixtures.ts';
import { ended, nextEvent, sleep } from './helpers/training-events.ts';

const dirs = tempDirs('run-model');
let data = '';
const services: TrainingService[] = [];

beforeAll(async () => {
  data = await writeSyntheticMnist(join(await dirs.make(), 'mnist'));
});
afterEach(async () => {
  await Promise.all(services.splice(0).map((s) => s.close()));
});
afterAll(() => dirs.cleanup());

const config = { dataset: 'mnist' as const, epochs: 3, batchSize: 32, learningRate: 0.1 };

/** A service whose pushed events are folded live into `live.view`, one event at a time. */
async function liveService() {
  const service = new TrainingService({
    runsDir: join(await dirs.make(), 'runs'),
    backend: 'wasm',
  });
  services.push(service);
  const live = { view: emptyRunView as RunView, events: [] as TrainingEvent[] };
  service.subscribe(({ event }) => {
    live.events.push(event);
    live.view = reduceRun(live.view, event);
  });
  const next = (test: (e: TrainingEvent) => boolean) =>
    nextEvent((l) => service.subscribe(l), test);
  return { service, live, next };
}

/**
 * runs.get's view from metrics.jsonl once the engine has written the run's last line, as another
 * Netforge (or this one after a restart) reads it: the service that ran it answers from the
 * events it relayed, so a second service on the same runs folder replays the file.
 */
async function replayed(service: TrainingService, runId: string): Promise<RunView> {
  const reader = new TrainingService({ runsDir: service.runsDir, backend: 'wasm' });
  services.push(reader);
  for (let i = 0; i < 100; i++) {
    const { view } = await reader.get(runId);
    if (view.phase === 'finished' || view.phase === 'error') return view;
    await sleep(50);
  }
  throw new Error('runs.get never showed the end of the run');
}

describe('a run folded live and replayed from metrics.jsonl', () => {
  it('gives deep-equal views for a run that was paused and resumed', async () => {
    const { service, live, next } = await liveService();
    const firstBatch = next((e) => e.type === 'batch');
    const { runId } = await service.start({ graph: tinyGraph(), config, dataDir: data });
    await firstBatch;
    const paused = next((e) => e.type === 'status' && e.state === 'paused');
    await service.pause(runId);
    await paused;
    expect(live.view.phase).toBe('paused');
    // The service running it answers from the events it relayed, at once.
    expect((await service.get(runId)).view).toEqual(live.view);
    const done = next(ended);
    await service.resume(runId);
    await done;

    const view = await replayed(service, runId);
    expect(live.view.phase).toBe('finished');
    expect(view).toEqual(live.view);
    // The status events say at which step they took effect.
    const status = live.events.filter((e) => e.type === 'status');
    expect(status.map((e) => e.state)).toEqual(['paused', 'resumed']);
    expect(status.every((e) => e.step >= 1)).toBe(true);
    expect(view.epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
    expect(canContinue(view)).toBe(false);
  });

  it('gives deep-equal views for a run stopped mid-way and continued to its end', async () => {
    const { service, live, next } = await liveService();
    const secondEpoch = next((e) => e.type === 'epoch');
    const { runId } = await service.start({ graph: tinyGraph(), config, dataDir: data });
    await secondEpoch;
    const stopped = next(ended);
    await service.stop(runId);
    expect(await stopped).toMatchObject({ type: 'finished', status: 'stopped' });
    const atStop = await replayed(service, runId);
    expect(atStop).toEqual(live.view);
    expect(canContinue(atStop)).toBe(true);

    const done = next((e) => e.type === 'finished' && e.status === 'completed');
    await service.continueRun(runId);
    await done;
    const view = await replayed(service, runId);
    expect(view).toEqual(live.view);
    expect(view.finished?.status).toBe('completed');
    expect(view.epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
    const steps = view.batches.map((b) => b.step);
    expect(steps.every((s, i) => i === 0 || s > steps[i - 1]!)).toBe(true);
  });
});

// ---- The reducer on hand-made events ----

const batch = (step: number): TrainingEvent => ({
  type: 'batch',
  epoch: Math.ceil(step / 10),
  step,
  batchInEpoch: ((step - 1) % 10) + 1,
  stepsPerEpoch: 10,
  loss: 1 / step,
  accuracy: 0.5,
  learningRate: 0.01,
  samplesPerSecond: 100,
  etaSeconds: 1,
});
const started = (resumedFromStep: number | null): TrainingEvent => ({
  type: 'run-started',
  runDir: '/runs/x',
  backend: { backend: 'wasm', device: 'CPU', reason: 'test' },
  totalParams: 10,
  trainSamples: 320,
  validationSamples: 0,
  testSamples: 10,
  stepsPerEpoch: 10,
  epochs: 3,
  resumedFromStep,
  notes: [],
});

describe('reduceRun', () => {
  it('gives the same view whether events come one by one or in groups', () => {
    const events = [started(null), ...Array.from({ length: 5000 }, (_, i) => batch(i + 1))];
    const oneByOne = events.reduce(reduceRun, emptyRunView);
    const grouped = [events.slice(0, 1234), events.slice(1234, 4000), events.slice(4000)].reduce(
      reduceEvents,
      emptyRunView,
    );
    expect(grouped).toEqual(oneByOne);
    expect(oneByOne.batches.length).toBeLessThanOrEqual(MAX_BATCH_POINTS);
    expect(oneByOne.batches[0]!.step).toBe(1);
    expect(oneByOne.batches.at(-1)!.step).toBe(5000);
  });

  it('does not change the view it is given', () => {
    const before = reduceRun(emptyRunView, started(null));
    const copy = structuredClone(before);
    reduceRun(before, batch(1));
    expect(before).toEqual(copy);
    expect(emptyRunView.batches).toEqual([]);
  });

  it('drops what a continued run trains again and clears the earlier ending', () => {
    const first: TrainingEvent[] = [
      started(null),
      ...[1, 2, 3, 4, 5].map(batch),
      { type: 'checkpoint', kind: 'last', epoch: 0, step: 3, path: '/x' },
      { type: 'status', state: 'stopping', step: 5 },
      {
        type: 'finished',
        status: 'stopped',
        runDir: '/runs/x',
        epochs: 0,
        step: 5,
        seconds: 1,
        testAccuracy: 0.5,
        testLoss: 1,
      },
    ];
    const stopped = reduceEvents(emptyRunView, first);
    expect(stopped.phase).toBe('finished');
    expect(canContinue(stopped)).toBe(true);
    const resumed = reduceEvents(stopped, [
      { type: 'backend', backend: { backend: 'wasm', device: 'CPU', reason: 'test' } },
      started(3),
    ]);
    expect(resumed.phase).toBe('running');
    expect(resumed.finished).toBeNull();
    expect(resumed.batches.map((b) => b.step)).toEqual([1, 2, 3]);
    expect(resumed.last).toBeNull();
  });

  it('keeps a pause asked for while the data loaded when the run starts', () => {
    const paused = reduceEvents(emptyRunView, [
      { type: 'status', state: 'paused', step: 0 },
      started(null),
    ]);
    expect(paused.phase).toBe('paused');
  });

  it('settles a run that ended without a result as incomplete, and keeps an ended one', () => {
    const dead = reduceEvents(emptyRunView, [started(null), batch(1)]);
    expect(settleRun(dead).phase).toBe('incomplete');
    expect(canContinue(settleRun(dead))).toBe(false); // no checkpoint kept
    const failed = reduceRun(dead, {
      type: 'error',
      code: 'E_NAN_LOSS',
      message: 'diverged',
      checkpoint: '/x/checkpoints/last',
    });
    expect(settleRun(failed)).toBe(failed);
    expect(canContinue(failed)).toBe(true);
  });

  it('appendBatch replaces points a repeated step goes back over', () => {
    const points = [1, 2, 3].map((s) => ({
      step: s,
      epoch: 1,
      loss: 1,
      accuracy: 1,
      learningRate: 1,
    }));
    appendBatch(points, { step: 2, epoch: 1, loss: 0, accuracy: 0, learningRate: 1 });
    expect(points.map((p) => [p.step, p.loss])).toEqual([
      [1, 1],
      [2, 0],
    ]);
  });
});
