// The engine in its own process, driven through EngineHost as the app and the CLI drive it:
// events relayed, commands delivered, and a crashed engine reported and replaced.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EngineHost } from '../../src/main/host/engine-host.ts';
import type { EngineCommand } from '../../src/shared/engine-protocol.ts';
import type { TrainingEvent, TrainingEventOf } from '../../src/shared/events.ts';
import { tempDirs, trainRequest, writeSyntheticMnist } from './fixtures.ts';

const dirs = tempDirs('host');
let data = '';
const hosts: EngineHost[] = [];

beforeAll(async () => {
  data = await writeSyntheticMnist(join(await dirs.make(), 'mnist'));
});
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((h) => h.close()));
});
afterAll(() => dirs.cleanup());

/** A host whose events are collected; `onEvent` may react to each (e.g. send a command). */
function newHost(onEvent?: (e: TrainingEvent, host: EngineHost) => void) {
  const host = new EngineHost();
  hosts.push(host);
  const events: TrainingEvent[] = [];
  host.onEvent((e) => {
    events.push(e);
    onEvent?.(e, host);
  });
  return { host, events };
}

/** Resolves with the first event that `test` accepts. */
const nextEvent = (host: EngineHost, test: (e: TrainingEvent) => boolean) =>
  new Promise<TrainingEvent>((resolve) => {
    const off = host.onEvent((e) => {
      if (!test(e)) return;
      off();
      resolve(e);
    });
  });

const types = (events: TrainingEvent[]) => events.map((e) => e.type);

describe('EngineHost', () => {
  it('runs a training in a child process and relays its events', async () => {
    const { host, events } = newHost();
    const runDir = await dirs.make();
    await host.send({ type: 'train', request: trainRequest(runDir, data, { epochs: 2 }) });
    expect(host.pid).toBeTypeOf('number');
    expect(host.pid).not.toBe(process.pid);
    await host.whenIdle();

    expect(types(events)[0]).toBe('backend');
    expect(types(events)).toContain('batch');
    expect(types(events)).toContain('evaluation');
    const finished = events.at(-1) as TrainingEventOf<'finished'>;
    expect(finished).toMatchObject({ type: 'finished', status: 'completed', runDir, epochs: 2 });
    expect(finished.testAccuracy).toBeGreaterThan(0.5);
    expect(existsSync(join(runDir, 'model', 'model.json'))).toBe(true);
  });

  it('delivers pause, resume and stop to the running job', async () => {
    let paused = false;
    let stopped = false;
    const { host, events } = newHost((e, h) => {
      if (e.type === 'batch' && !paused) {
        paused = true;
        void h.send({ type: 'pause' });
      } else if (e.type === 'status' && e.state === 'paused') {
        setTimeout(() => void h.send({ type: 'resume' }), 200);
      } else if (e.type === 'batch' && e.epoch === 2 && !stopped) {
        stopped = true;
        void h.send({ type: 'stop' });
      }
    });
    const runDir = await dirs.make();
    await host.send({ type: 'train', request: trainRequest(runDir, data, { epochs: 3 }) });
    await host.whenIdle();

    const states = events.flatMap((e) => (e.type === 'status' ? [e.state] : []));
    expect(states).toEqual(['paused', 'resumed', 'stopping']);
    const finished = events.at(-1) as TrainingEventOf<'finished'>;
    expect(finished).toMatchObject({ type: 'finished', status: 'stopped' });
    expect(finished.step).toBeLessThan(30);
    expect(existsSync(join(runDir, 'checkpoints', 'last', 'state.json'))).toBe(true);
  });

  it('pauses and stops at the next batch, not at the end of the epoch', async () => {
    // Batches of 1: an epoch has as many steps as the training set has samples.
    let sent = false;
    const { host, events } = newHost((e, h) => {
      if (e.type === 'batch' && !sent) {
        sent = true;
        void h.send({ type: 'pause' });
      } else if (e.type === 'status' && e.state === 'paused') {
        setTimeout(() => void h.send({ type: 'stop' }), 100);
      }
    });
    const runDir = await dirs.make();
    await host.send({
      type: 'train',
      request: trainRequest(runDir, data, { epochs: 1, batchSize: 1 }),
    });
    await host.whenIdle();
    const started = events.find((e) => e.type === 'run-started') as TrainingEventOf<'run-started'>;
    const finished = events.at(-1) as TrainingEventOf<'finished'>;
    expect(finished).toMatchObject({ type: 'finished', status: 'stopped', epochs: 0 });
    // Paused at a batch, far from the epoch's end (how many batches of 1 ran before the
    // message arrived depends on the machine's load), and not one batch while paused.
    expect(started.stepsPerEpoch).toBeGreaterThanOrEqual(100);
    const paused = events.findIndex((e) => e.type === 'status' && e.state === 'paused');
    const pausedAt = (events[paused] as TrainingEventOf<'status'>).step;
    expect(pausedAt).toBeLessThan(started.stepsPerEpoch / 2);
    expect(types(events.slice(paused))).not.toContain('batch');
    expect(finished.step).toBe(pausedAt);
  });

  it('reports a killed engine as E_ENGINE_DIED, then starts a new one for the next job', async () => {
    let killed: number | undefined;
    const { host, events } = newHost((e, h) => {
      if (e.type !== 'batch' || killed !== undefined) return;
      killed = h.pid;
      process.kill(h.pid!, 'SIGKILL');
    });
    await host.send({
      type: 'train',
      request: trainRequest(await dirs.make(), data, { epochs: 3 }),
    });
    await host.whenIdle(); // must not hang on a dead child
    expect(killed).toBeTypeOf('number');
    const died = events.find((e) => e.type === 'error');
    expect(died).toMatchObject({ type: 'error', code: 'E_ENGINE_DIED' });
    expect((died as TrainingEventOf<'error'>).message).toContain('SIGKILL');
    expect(types(events)).not.toContain('finished');
    expect(host.pid).toBeUndefined();

    const after = events.length;
    await host.send({
      type: 'train',
      request: trainRequest(await dirs.make(), data, { epochs: 1 }),
    });
    expect(host.pid).toBeTypeOf('number');
    expect(host.pid).not.toBe(killed);
    await host.whenIdle();
    expect(types(events.slice(after))).not.toContain('error');
    expect(events.at(-1)).toMatchObject({ type: 'finished', status: 'completed' });
  });

  it('close() during a run stops it with a checkpoint, ends the engine and releases whenIdle()', async () => {
    let closing: Promise<void> | null = null;
    let pid: number | undefined;
    const { host, events } = newHost((e, h) => {
      if (e.type !== 'batch' || closing) return;
      pid = h.pid;
      closing = h.close();
    });
    const runDir = await dirs.make();
    await host.send({ type: 'train', request: trainRequest(runDir, data) });
    await host.whenIdle();
    await closing;
    expect(closing).not.toBeNull();
    expect(host.pid).toBeUndefined();
    expect(() => process.kill(pid!, 0)).toThrow(); // the process is gone
    // Asked to end, the engine stopped the run at its next batch and saved a checkpoint.
    expect(existsSync(join(runDir, 'checkpoints', 'last', 'state.json'))).toBe(true);
    // Closing on purpose is not a crash, and the closed engine's events are no longer relayed.
    expect(types(events)).not.toContain('error');
    expect(types(events)).not.toContain('finished');
  });

  it('close({ polite: false }) ends the engine at once, without a checkpoint', async () => {
    let closing: Promise<void> | null = null;
    const { host, events } = newHost((e, h) => {
      if (e.type === 'batch' && !closing) closing = h.close({ polite: false });
    });
    const runDir = await dirs.make();
    await host.send({ type: 'train', request: trainRequest(runDir, data) });
    await host.whenIdle();
    await closing;
    expect(host.pid).toBeUndefined();
    expect(existsSync(join(runDir, 'checkpoints', 'last', 'state.json'))).toBe(false);
    expect(types(events)).not.toContain('error');
  });

  it('answers a malformed command with E_PROTOCOL and stays usable', async () => {
    const { host } = newHost();
    const bogus = nextEvent(host, (e) => e.type === 'error');
    await host.send({ type: 'explode' } as unknown as EngineCommand);
    const error = (await bogus) as TrainingEventOf<'error'>;
    expect(error.code).toBe('E_PROTOCOL');
    expect(error.message).toMatch(/malformed command/);

    // A train command with a broken request is malformed too, and must not leave the host busy.
    const broken = nextEvent(host, (e) => e.type === 'error');
    await host.send({ type: 'train', request: { runDir: '' } } as unknown as EngineCommand);
    expect(await broken).toMatchObject({ code: 'E_PROTOCOL' });
    await host.whenIdle();

    const pid = host.pid;
    const done = nextEvent(host, (e) => e.type === 'finished' || e.type === 'error');
    await host.send({
      type: 'train',
      request: trainRequest(await dirs.make(), data, { epochs: 1, limitTrain: 64 }),
    });
    expect(await done).toMatchObject({ type: 'finished', status: 'completed' });
    expect(host.pid).toBe(pid);
  });
});
