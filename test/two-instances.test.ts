// Two Netforge instances on one runs folder (the desktop app and `netforge serve`, or two serves):
// each run in progress is locked by the instance training it (run-lock.ts), so the other lists it
// as running elsewhere and refuses to continue or delete it, naming the process; once it has
// ended, either may continue it. Two TrainingServices in this process with instance ids of their
// own, and a second real process (test/helpers/lock-child.ts) that holds a run's lock and dies.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { TrainingService } from '../src/main/api/training-service.ts';
import type { CodedError } from '../src/shared/errors.ts';
import { tempDirs, tinyGraph, writeSyntheticMnist } from './engine/fixtures.ts';
import { ended, nextEvent, sleep } from './helpers/training-events.ts';

const dirs = tempDirs('two-instances');
let data = '';
let runsDir = '';
let a: TrainingService;
let b: TrainingService;

beforeAll(async () => {
  const base = await dirs.make();
  data = await writeSyntheticMnist(join(base, 'mnist'));
  runsDir = join(base, 'runs');
  a = new TrainingService({ runsDir, backend: 'wasm', instanceId: 'instance-a' });
  b = new TrainingService({ runsDir, backend: 'wasm', instanceId: 'instance-b' });
});
afterEach(async () => {
  // A test that failed half-way leaves no run in progress for the next one.
  for (const s of [a, b]) {
    const run = s.activeRun;
    if (!run) continue;
    const done = nextEvent((l) => s.subscribe(l), ended);
    await s.stop(run.runId);
    await done;
  }
});
afterAll(async () => {
  await Promise.all([a.close(), b.close()]);
  await dirs.cleanup();
});

const config = { dataset: 'mnist' as const, epochs: 30, batchSize: 32 };
const next = (s: TrainingService, test: Parameters<typeof nextEvent>[1]) =>
  nextEvent((l) => s.subscribe(l), test);
const entryIn = async (s: TrainingService, runId: string) =>
  (await s.list()).find((r) => r.runId === runId);
const failure = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => e as CodedError,
  );
/** Polls until `check` holds (the lock goes once the engine is done with the folder). */
async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200 && !(await check()); i++) await sleep(50);
  expect(await check()).toBe(true);
}

const HERE = `running in another Netforge (pid ${process.pid} on host ${hostname()}) since`;

describe('two instances on one runs folder', () => {
  it('shows the other’s run as running elsewhere and refuses to continue or delete it', async () => {
    const firstBatch = next(a, (e) => e.type === 'batch');
    const { runId, runDir } = await a.start({ graph: tinyGraph(), config, dataDir: data });
    await firstBatch;
    const paused = next(a, (e) => e.type === 'status' && e.state === 'paused');
    await a.pause(runId);
    await paused;

    // B may not delete A's run: its files stay (the first thing a second instance destroyed).
    const refusedDelete = await failure(b.delete(runId));
    expect(refusedDelete).toMatchObject({ code: 'E_BUSY' });
    expect(refusedDelete!.message).toContain(HERE);
    for (const file of ['netforge-run.json', 'graph.json', 'config.json'])
      expect(existsSync(join(runDir, file)), file).toBe(true);

    // B sees A's run as running elsewhere; A sees it as its own, paused.
    expect(await entryIn(b, runId)).toMatchObject({
      status: 'running',
      owner: 'other',
      testAccuracy: null,
    });
    expect(await entryIn(a, runId)).toMatchObject({ status: 'paused', owner: 'this' });

    const refusedContinue = await failure(b.continueRun(runId));
    expect(refusedContinue).toMatchObject({ code: 'E_BUSY' });
    expect(refusedContinue!.message).toContain(`Run "${runId}" is ${HERE}`);

    // Once A's run has ended, B may continue it, and then A sees it running elsewhere.
    const stopped = next(a, ended);
    await a.stop(runId);
    expect(await stopped).toMatchObject({ type: 'finished', status: 'stopped' });
    await until(async () => (await entryIn(b, runId))?.status === 'stopped');
    expect((await entryIn(b, runId))!.owner).toBeUndefined();

    const continued = next(b, (e) => e.type === 'run-started');
    await b.continueRun(runId);
    await continued;
    expect(await entryIn(a, runId)).toMatchObject({ status: 'running', owner: 'other' });
    expect(await failure(a.continueRun(runId))).toMatchObject({ code: 'E_BUSY' });
    const done = next(b, ended);
    await b.stop(runId);
    expect(await done).toMatchObject({ type: 'finished', status: 'stopped' });
    await until(async () => (await entryIn(a, runId))?.status === 'stopped');
    // And now A may delete it.
    await a.delete(runId);
    expect(existsSync(runDir)).toBe(false);
  });

  it('refuses while a second real process holds the lock; takes over once that process died', async () => {
    const stopped = next(a, ended);
    const firstEpoch = next(a, (e) => e.type === 'epoch');
    const { runId, runDir } = await a.start({
      graph: tinyGraph(),
      config: { ...config, epochs: 2 },
      dataDir: data,
    });
    await firstEpoch;
    await a.stop(runId);
    await stopped;
    await until(async () => (await entryIn(b, runId))?.status === 'stopped');

    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'helpers', 'lock-child.ts'), 'hold', runDir],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    try {
      // It says so once it holds the lock.
      const said = await new Promise<string>((resolve) =>
        createInterface({ input: child.stdout! }).once('line', resolve),
      );
      expect(JSON.parse(said)).toMatchObject({ pid: child.pid, locked: true });
      const other = `running in another Netforge (pid ${child.pid} on host ${hostname()}) since`;
      expect(await entryIn(a, runId)).toMatchObject({ status: 'running', owner: 'other' });
      const refused = await failure(a.continueRun(runId));
      expect(refused).toMatchObject({ code: 'E_BUSY' });
      expect(refused!.message).toContain(other);
      expect((await failure(a.delete(runId)))!.message).toContain(other);
    } finally {
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    // Its holder died while it held the lock, after the run's last result: cut short.
    expect(await entryIn(a, runId)).toMatchObject({ status: 'incomplete' });
    const done = next(a, ended);
    await a.continueRun(runId);
    expect(await done).toMatchObject({ type: 'finished', status: 'completed' });
    await until(async () => (await entryIn(b, runId))?.status === 'completed');
    expect(existsSync(join(runDir, 'netforge-lock.json'))).toBe(false);
  });
});
