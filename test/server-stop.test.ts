// Stopping browser mode's server keeps the run in progress: the server in a process of its own,
// as `netforge serve` runs it (test/helpers/serve-child.ts), is stopped mid-epoch; its run must
// end 'stopped' with a checkpoint at the exact step it reached, and a fresh TrainingService on
// the same runs folder must continue it from the next step, none repeated or lost. Two ways to
// stop: SIGTERM (what `kill` or Ctrl+C does: close() asks the engine to stop, within bounds), and
// SIGKILL (nothing runs in the server: the engine, in a process group of its own, sees its host
// gone and stops by itself).
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';

import { createWebSocketClient, type SocketLike } from '../src/renderer/engine/client.ts';
import { TrainingService } from '../src/main/api/training-service.ts';
import type { EventPush } from '../src/shared/api.ts';
import type { TrainingEvent, TrainingEventOf } from '../src/shared/events.ts';
import { tempDirs, tinyGraph, writeSyntheticMnist } from './engine/fixtures.ts';

const dirs = tempDirs('server-stop');
let data = '';
beforeAll(async () => {
  data = await writeSyntheticMnist(join(await dirs.make(), 'mnist'));
});
afterAll(() => dirs.cleanup());

const STEPS_PER_EPOCH = 100;
const EPOCHS = 2;

/** Starts serve-child.ts on `base`; resolves once it listens. */
async function startServerProcess(base: string) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'helpers', 'serve-child.ts'), base],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const first = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0]!);
    });
    void exited.then((code) => reject(new Error(`the server exited (${code})`)));
  });
  const { port, token } = JSON.parse(first) as { port: number; token: string };
  return { child, exited, wsUrl: `ws://127.0.0.1:${port}/ws?token=${token}` };
}

/** The engine processes whose parent is `pid` (Linux /proc; tsx's esbuild is a child too). */
function enginePids(pid: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        return ppid === pid && readFileSync(`/proc/${name}/cmdline`, 'utf8').includes('engine');
      } catch {
        return false; // it ended while we looked
      }
    })
    .map(Number);
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until(what: string, ok: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const metricsOf = async (runDir: string) =>
  (await readFile(join(runDir, 'metrics.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as TrainingEvent);

describe.skipIf(!existsSync('/proc/self/stat'))('stopping the server mid-epoch', () => {
  it.each<[NodeJS.Signals, string]>([
    ['SIGTERM', 'close() asks the engine to stop'],
    ['SIGKILL', 'the engine stops by itself once its host is gone'],
  ])(
    '%s (%s): the run is stopped at the exact step and continues from the next one',
    async (signal) => {
      const base = await dirs.make();
      const server = await startServerProcess(base);
      const client = createWebSocketClient(
        server.wsUrl,
        (u) => new WebSocket(u) as unknown as SocketLike,
      );
      const seen: TrainingEvent[] = [];
      client.onEvent((push: EventPush) => seen.push(push.event));
      await client.call('train.start', {
        graph: tinyGraph(),
        config: {
          dataset: 'mnist',
          epochs: EPOCHS,
          batchSize: 1,
          learningRate: 0.05,
          validationSplit: 0,
          limitTrain: STEPS_PER_EPOCH,
        },
        dataDir: data,
      });
      const batches = () => seen.filter((e) => e.type === 'batch') as TrainingEventOf<'batch'>[];
      await until('a few batches', () => (batches().at(-1)?.step ?? 0) >= 3, 60_000);
      const engines = enginePids(server.child.pid!);
      expect(engines.length, 'the engine process').toBe(1);
      const lastSeen = batches().at(-1)!.step;
      server.child.kill(signal);
      const code = await server.exited;
      if (signal === 'SIGTERM') expect(code).toBe(0);
      client.close();
      // The engine is done once it has saved and ended; close() waited for it, a kill did not.
      await until('the engine to end', () => !alive(engines[0]!), 60_000);

      const training = new TrainingService({ runsDir: join(base, 'runs'), backend: 'wasm' });
      try {
        const [entry, ...others] = await training.list();
        expect(others).toEqual([]);
        expect(entry).toMatchObject({ status: 'stopped' });
        const runDir = entry!.runDir;
        const state = JSON.parse(
          await readFile(join(runDir, 'checkpoints', 'last', 'state.json'), 'utf8'),
        ) as { step: number; epoch: number; batchInEpoch: number };
        const step = state.step;
        // Mid-epoch, at or after the last step the page was shown, in the first epoch.
        expect(step).toBeGreaterThanOrEqual(lastSeen);
        expect(step).toBeLessThan(STEPS_PER_EPOCH);
        expect(state).toMatchObject({ epoch: 0, batchInEpoch: step });
        const before = await metricsOf(runDir);
        expect(before.filter((e) => e.type === 'checkpoint').at(-1)).toMatchObject({
          kind: 'last',
          step,
        });
        expect(before.at(-1)).toMatchObject({ type: 'finished', status: 'stopped', step });

        const events: TrainingEvent[] = [];
        const ended = new Promise<TrainingEvent>((resolve) =>
          training.subscribe(({ event }) => {
            events.push(event);
            if (event.type === 'finished' || event.type === 'error') resolve(event);
          }),
        );
        await training.continueRun(entry!.runId);
        expect(await ended).toMatchObject({
          type: 'finished',
          status: 'completed',
          step: EPOCHS * STEPS_PER_EPOCH,
          epochs: EPOCHS,
        });
        expect(events.find((e) => e.type === 'run-started')).toMatchObject({
          resumedFromStep: step,
        });
        const resumed = events.filter((e) => e.type === 'batch') as TrainingEventOf<'batch'>[];
        expect(resumed[0]).toMatchObject({ step: step + 1, epoch: 1, batchInEpoch: step + 1 });
        for (let i = 1; i < resumed.length; i++)
          expect(resumed[i]!.step).toBeGreaterThan(resumed[i - 1]!.step);
        // Each epoch recorded once over both parts of the run.
        const epochs = (await metricsOf(runDir)).filter((e) => e.type === 'epoch');
        expect(epochs.map((e) => e.epoch)).toEqual([1, 2]);
        console.log(
          `server-stop ${signal}: last batch shown ${lastSeen}, stopped at step ${step} ` +
            `(checkpoint state.json step ${state.step}); resumed from ${step}, first batch ` +
            `${resumed[0]!.step}, finished at ${EPOCHS * STEPS_PER_EPOCH}`,
        );
      } finally {
        await training.close();
      }
    },
    180_000,
  );
});
