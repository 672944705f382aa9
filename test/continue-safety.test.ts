// runs.continue on a run whose checkpoint is damaged, through TrainingService and the real engine
// process: main checks the checkpoint's files before it launches anything and the engine checks
// that they fit the graph before it writes anything, so a refused continue leaves the run listed
// as it was (stopped, with its test accuracy) and its files untouched, and says which file is
// broken and what to do.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { TrainingService } from '../src/main/api/training-service.ts';
import type { RunEntry } from '../src/shared/api.ts';
import type { CodedError } from '../src/shared/errors.ts';
import type { TrainingEvent, TrainingEventOf } from '../src/shared/events.ts';
import type { GraphDoc } from '../src/shared/graph/types.ts';
import { tempDirs, tinyGraph, writeSyntheticMnist } from './engine/fixtures.ts';
import { ended, nextEvent, sleep } from './helpers/training-events.ts';

const dirs = tempDirs('continue-safety');
let data = '';
let service: TrainingService;
/** A copy of a run stopped after its first epoch, outside the runs folder. */
let pristine = '';
let stoppedEntry: RunEntry;

beforeAll(async () => {
  const base = await dirs.make();
  data = await writeSyntheticMnist(join(base, 'mnist'));
  service = new TrainingService({ runsDir: join(base, 'runs'), backend: 'wasm' });
  const firstEpoch = nextEvent(
    (l) => service.subscribe(l),
    (e) => e.type === 'epoch',
  );
  const done = nextEvent((l) => service.subscribe(l), ended);
  const config = { dataset: 'mnist' as const, epochs: 3, batchSize: 32, momentum: 0.9 };
  const run = await service.start({ graph: tinyGraph(), config, dataDir: data });
  await firstEpoch;
  await service.stop(run.runId);
  expect(await done).toMatchObject({ type: 'finished', status: 'stopped' });
  // The engine may still be writing after its last event; its lock goes once it is done.
  for (let i = 0; i < 200 && existsSync(join(run.runDir, 'netforge-lock.json')); i++)
    await sleep(50);
  expect(existsSync(join(run.runDir, 'netforge-lock.json'))).toBe(false);
  pristine = join(await dirs.make(), 'stopped');
  await cp(run.runDir, pristine, { recursive: true });
  stoppedEntry = (await service.list()).find((r) => r.runId === run.runId)!;
  expect(stoppedEntry).toMatchObject({ status: 'stopped', testAccuracy: expect.any(Number) });
});
afterAll(async () => {
  await service.close();
  await dirs.cleanup();
});

let serial = 0;
/** A copy of the stopped run in the runs folder, under a name of its own. */
async function stoppedRun(): Promise<{ runId: string; runDir: string }> {
  const runId = `${stoppedEntry.runId}-case${++serial}`;
  const runDir = join(service.runsDir, runId);
  await cp(pristine, runDir, { recursive: true });
  return { runId, runDir };
}

async function snapshot(dir: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const name of (await readdir(dir, { recursive: true })).sort()) {
    const bytes = await readFile(join(dir, name)).catch(() => null);
    if (bytes)
      files[name] = `${bytes.length} bytes ${createHash('sha1').update(bytes).digest('hex')}`;
  }
  return files;
}

/** runs.continue: its refusal, or the error event of the run it launched. */
async function attempt(
  runId: string,
): Promise<{ refused: CodedError | null; event: TrainingEvent | null }> {
  const end = nextEvent((l) => service.subscribe(l), ended);
  const refused = await service.continueRun(runId).then(
    () => null,
    (e: unknown) => e as CodedError,
  );
  const event = refused ? null : await end;
  // As in beforeAll: the engine lets the run's lock go just after its last event.
  const lock = join(service.runsDir, runId, 'netforge-lock.json');
  for (let i = 0; i < 200 && existsSync(lock); i++) await sleep(50);
  return { refused, event };
}

const last = (runDir: string, file: string) => join(runDir, 'checkpoints', 'last', file);
const entryOf = async (runId: string) => (await service.list()).find((r) => r.runId === runId);

describe('runs.continue from a damaged checkpoint', () => {
  it('refuses a truncated weights.bin before launching, and the run keeps its result', async () => {
    const { runId, runDir } = await stoppedRun();
    const weights = last(runDir, 'weights.bin');
    const bytes = await readFile(weights);
    await writeFile(weights, bytes.subarray(0, 100));
    const before = await snapshot(runDir);

    const { refused, event } = await attempt(runId);

    // The run is listed as it was: stopped, with its test accuracy; no file changed.
    expect(await entryOf(runId)).toEqual({ ...stoppedEntry, runId, runDir });
    expect(await snapshot(runDir)).toEqual(before);
    expect((await service.get(runId)).view.finished).toMatchObject({ status: 'stopped' });
    expect(event).toBeNull();
    expect(refused).toMatchObject({ code: 'E_IO' });
    expect(refused!.message).toContain(weights);
    expect(refused!.message).toMatch(/kept as it was/);
    expect(refused!.message).toMatch(/train it again/i);
  });

  it('refuses a negative epoch in state.json, naming the file', async () => {
    const { runId, runDir } = await stoppedRun();
    const path = last(runDir, 'state.json');
    const state = JSON.parse(await readFile(path, 'utf8')) as object;
    await writeFile(path, JSON.stringify({ ...state, epoch: -1 }));
    const before = await snapshot(runDir);

    const { refused } = await attempt(runId);

    expect(await entryOf(runId)).toEqual({ ...stoppedEntry, runId, runDir });
    expect(await snapshot(runDir)).toEqual(before);
    expect(refused).toMatchObject({ code: 'E_IO' });
    expect(refused!.message).toContain(`${path} is damaged: epoch`);
  });

  it('leaves the run as it was when the engine finds the weights do not fit the graph', async () => {
    const { runId, runDir } = await stoppedRun();
    // Main cannot tell weight shapes from the graph; the engine can, before it writes anything.
    const graph = JSON.parse(await readFile(join(runDir, 'graph.json'), 'utf8')) as GraphDoc;
    const wider = {
      ...graph,
      nodes: graph.nodes.map((n) =>
        n.name === 'conv' ? { ...n, params: { ...n.params, filters: 8 } } : n,
      ),
    };
    await writeFile(join(runDir, 'graph.json'), JSON.stringify(wider));
    const before = await snapshot(runDir);

    const { refused, event } = await attempt(runId);

    expect(refused).toBeNull();
    expect(await entryOf(runId)).toEqual({ ...stoppedEntry, runId, runDir });
    expect(await snapshot(runDir)).toEqual(before);
    const error = event as TrainingEventOf<'error'>;
    expect(error).toMatchObject({ type: 'error', code: 'E_NO_CHECKPOINT' });
    expect(error.message).toContain(last(runDir, 'weights.json'));
    expect(error.message).toMatch(/kept as it was/);
  });
});
