// TrainingService, the main side of training from the app: one EngineHost, one run at a time
// in `<runs folder>/<name>-<timestamp>`, every event passed on with its run's id, and the runs
// folder listed with each run's outcome.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ended, nextEvent, outline, sleep, TWO_EPOCH_RUN } from './helpers/training-events.ts';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { TrainingError, TrainingService } from '../src/main/api/training-service.ts';
import { EngineHost } from '../src/main/host/engine-host.ts';
import type { EventPush } from '../src/shared/api.ts';
import type { TrainingEvent } from '../src/shared/events.ts';
import { tempDirs, tinyGraph, writeSyntheticMnist } from './engine/fixtures.ts';

const dirs = tempDirs('training');
let data = '';
const services: TrainingService[] = [];

beforeAll(async () => {
  data = await writeSyntheticMnist(join(await dirs.make(), 'mnist'));
});
afterEach(async () => {
  await Promise.all(services.splice(0).map((s) => s.close()));
});
afterAll(() => dirs.cleanup());

async function newService() {
  const service = new TrainingService({
    runsDir: join(await dirs.make(), 'runs'),
    backend: 'wasm',
  });
  services.push(service);
  const pushes: EventPush[] = [];
  service.subscribe((p) => pushes.push(p));
  return { service, pushes };
}

const next = (service: TrainingService, test: (e: TrainingEvent) => boolean) =>
  nextEvent((l) => service.subscribe(l), test);

const config = { dataset: 'mnist' as const, epochs: 2, batchSize: 32, learningRate: 0.1 };

describe('TrainingService', () => {
  it('runs a training in a new run folder and passes its events on in order', async () => {
    const { service, pushes } = await newService();
    const done = next(service, ended);
    const { runId, runDir } = await service.start({ graph: tinyGraph(), config, dataDir: data });
    expect(runId).toMatch(/^tiny-convnet-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z$/);
    expect(runDir).toBe(join(service.runsDir, runId));
    expect(await done).toMatchObject({ type: 'finished', status: 'completed', runDir });

    expect(pushes.every((p) => p.type === 'event' && p.runId === runId)).toBe(true);
    const events = pushes.map((p) => p.event);
    expect(outline(events)).toEqual(TWO_EPOCH_RUN);
    expect(existsSync(join(runDir, 'model', 'model.json'))).toBe(true);

    const runs = await service.list();
    const finished = events.at(-1) as Extract<TrainingEvent, { type: 'finished' }>;
    expect(runs).toEqual([
      {
        runId,
        runDir,
        name: 'Tiny convnet',
        status: 'completed',
        testAccuracy: finished.testAccuracy,
        startedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      },
    ]);
    expect(Date.parse(runs[0]!.startedAt)).toBeLessThanOrEqual(Date.now());

    // The next run may start as soon as the last one has finished, in a folder of its own.
    const again = next(service, ended);
    const second = await service.start({
      graph: tinyGraph(),
      config: { ...config, epochs: 1 },
      dataDir: data,
    });
    expect(second.runId).not.toBe(runId);
    expect(await again).toMatchObject({ type: 'finished', status: 'completed' });
    expect((await service.list()).map((r) => r.runId).sort()).toEqual([runId, second.runId].sort());
  });

  it('pauses, refuses a second run with E_BUSY, resumes and stops', async () => {
    const { service, pushes } = await newService();
    const firstBatch = next(service, (e) => e.type === 'batch');
    const { runId } = await service.start({
      graph: tinyGraph(),
      config: { ...config, epochs: 3 },
      dataDir: data,
    });
    await firstBatch;
    const paused = next(service, (e) => e.type === 'status' && e.state === 'paused');
    await service.pause(runId);
    await paused;
    await sleep(300); // the batch under way when the pause came may still report
    const batches = () => pushes.filter((p) => p.event.type === 'batch').length;
    const atPause = batches();
    expect((await service.list())[0]).toMatchObject({ runId, status: 'paused' });

    const busy = service.start({ graph: tinyGraph(), config, dataDir: data });
    await expect(busy).rejects.toBeInstanceOf(TrainingError);
    await expect(busy).rejects.toMatchObject({
      code: 'E_BUSY',
      message: expect.stringContaining(runId),
    });
    await expect(service.stop('other-run')).rejects.toMatchObject({ code: 'E_NO_RUN' });

    await sleep(500);
    expect(batches()).toBe(atPause);

    const moreBatches = next(service, (e) => e.type === 'batch');
    await service.resume(runId);
    await moreBatches;
    expect(batches()).toBeGreaterThan(atPause);
    expect((await service.list())[0]).toMatchObject({ runId, status: 'running' });

    const done = next(service, ended);
    await service.stop(runId);
    expect(await done).toMatchObject({ type: 'finished', status: 'stopped' });
    const states = pushes.flatMap((p) => (p.event.type === 'status' ? [p.event.state] : []));
    expect(states).toEqual(['paused', 'resumed', 'stopping']);
    expect((await service.list())[0]).toMatchObject({ runId, status: 'stopped' });
    await expect(service.pause(runId)).rejects.toMatchObject({ code: 'E_NO_RUN' });
  });

  it('lists an empty or missing runs folder as no runs, and a failed run as failed', async () => {
    const { service } = await newService();
    expect(await service.list()).toEqual([]);
    const failed = next(service, ended);
    // No dataset files in this folder: the engine reports an error event.
    const { runId } = await service.start({
      graph: tinyGraph(),
      config,
      dataDir: await dirs.make(),
    });
    expect(await failed).toMatchObject({ type: 'error' });
    // The engine wrote error.json before it sent the event: no waiting.
    const runs = await service.list();
    expect(runs.find((r) => r.runId === runId)).toMatchObject({ status: 'failed' });
  });

  it('records a run whose engine died as failed before it passes the news on', async () => {
    const host = new EngineHost();
    const service = new TrainingService({
      runsDir: join(await dirs.make(), 'runs'),
      backend: 'wasm',
      host,
    });
    services.push(service);
    const firstBatch = next(service, (e) => e.type === 'batch');
    const died = next(service, ended);
    const { runId, runDir } = await service.start({
      graph: tinyGraph(),
      config: { ...config, epochs: 50 },
      dataDir: data,
    });
    await firstBatch;
    process.kill(host.pid!, 'SIGKILL');
    expect(await died).toMatchObject({ type: 'error', code: 'E_ENGINE_DIED' });
    // No waiting: main wrote error.json (nobody else could) before it passed the event on.
    expect((await service.list())[0]).toMatchObject({ runId, status: 'failed' });
    const detail = await service.get(runId);
    expect(detail.view.error).toMatchObject({
      code: 'E_ENGINE_DIED',
      checkpoint: detail.view.checkpoint ? join(runDir, 'checkpoints', 'last') : null,
    });
  });
});
