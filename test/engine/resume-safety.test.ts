// Resuming a run from a damaged checkpoint, in the engine (runTraining, as `netforge train
// --resume` and runs.continue run it): the engine checks the whole checkpoint against the graph
// before it writes anything, so a refused resume leaves the run folder byte for byte as it was
// (its result, evaluation, events, model) and names the file at fault. A resumed run that does
// start keeps the earlier result until it has written its own.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { cp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { selectBackend } from '../../src/main/engine/backend.ts';
import { RunControl } from '../../src/main/engine/control.ts';
import { runTraining } from '../../src/main/engine/run.ts';
import type { TrainingEvent, TrainingEventOf } from '../../src/shared/events.ts';
import type { GraphDoc } from '../../src/shared/graph/types.ts';
import { tempDirs, tinyGraph, trainRequest, writeSyntheticMnist } from './fixtures.ts';

const dirs = tempDirs('resume-safety');
let data = '';
/** A run stopped at the start of its second epoch (momentum, so the optimizer has state). */
let stopped = '';
const config = { epochs: 2, momentum: 0.9, learningRate: 0.05 };

async function train(runDir: string, resume: boolean, graph?: GraphDoc, control?: RunControl) {
  const events: TrainingEvent[] = [];
  const req = trainRequest(runDir, data, config, { resume, graph });
  await runTraining(
    req,
    (e) => {
      events.push(e);
      if (e.type === 'epoch' && control) control.stop();
    },
    control,
  );
  return events;
}

/** Every file of a folder (recursively): its size and a hash of its bytes. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const name of (await readdir(dir, { recursive: true })).sort()) {
    const bytes = await readFile(join(dir, name)).catch(() => null); // null: a folder
    if (bytes)
      files[name] = `${bytes.length} bytes ${createHash('sha1').update(bytes).digest('hex')}`;
  }
  return files;
}

beforeAll(async () => {
  data = await writeSyntheticMnist(join(await dirs.make(), 'mnist'));
  await selectBackend('wasm');
  stopped = await dirs.make();
  const events = await train(stopped, false, undefined, new RunControl());
  expect(events.at(-1)).toMatchObject({ type: 'finished', status: 'stopped' });
  expect(existsSync(join(stopped, 'run.json'))).toBe(true);
  expect(existsSync(join(stopped, 'evaluation.json'))).toBe(true);
});
afterAll(() => dirs.cleanup());

const last = (runDir: string, file: string) => join(runDir, 'checkpoints', 'last', file);

async function truncate(path: string) {
  const bytes = await readFile(path);
  await writeFile(path, bytes.subarray(0, Math.floor(bytes.length / 2)));
}

async function editState(runDir: string, change: Record<string, unknown>) {
  const path = last(runDir, 'state.json');
  const state = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  await writeFile(path, JSON.stringify({ ...state, ...change }));
}

/** The tiny graph with 8 filters instead of 4: the checkpoint's weights do not fit it. */
function widerGraph(): GraphDoc {
  const g = tinyGraph();
  return {
    ...g,
    nodes: g.nodes.map((n) =>
      n.name === 'conv' ? { ...n, params: { ...n.params, filters: 8 } } : n,
    ),
  };
}

interface Damage {
  name: string;
  damage: (runDir: string) => Promise<void>;
  graph?: GraphDoc;
  code: string;
  /** The file the message must name. */
  file: (runDir: string) => string;
  says: RegExp;
}

const DAMAGES: Damage[] = [
  {
    name: 'a truncated state.json',
    damage: (d) => truncate(last(d, 'state.json')),
    code: 'E_IO',
    file: (d) => last(d, 'state.json'),
    says: /not JSON/,
  },
  {
    name: 'a truncated weights.bin',
    damage: (d) => truncate(last(d, 'weights.bin')),
    code: 'E_IO',
    file: (d) => last(d, 'weights.bin'),
    says: /bytes/,
  },
  {
    name: 'a truncated optimizer.bin',
    damage: (d) => truncate(last(d, 'optimizer.bin')),
    code: 'E_IO',
    file: (d) => last(d, 'optimizer.bin'),
    says: /bytes/,
  },
  {
    name: 'a missing weights.json',
    damage: (d) => rm(last(d, 'weights.json')),
    code: 'E_IO',
    file: (d) => last(d, 'weights.json'),
    says: /There is no/,
  },
  {
    name: 'a negative epoch in state.json',
    damage: (d) => editState(d, { epoch: -1 }),
    code: 'E_IO',
    file: (d) => last(d, 'state.json'),
    says: /epoch/,
  },
  {
    name: 'a step that is not an integer in state.json',
    damage: (d) => editState(d, { step: 2.5 }),
    code: 'E_IO',
    file: (d) => last(d, 'state.json'),
    says: /step/,
  },
  {
    name: 'optimizer state that does not fit the weights',
    damage: async (d) => {
      await writeFile(last(d, 'optimizer.json'), JSON.stringify([{ name: 'x', shape: [5] }]));
      await writeFile(last(d, 'optimizer.bin'), new Uint8Array(20));
    },
    code: 'E_IO',
    file: (d) => last(d, 'optimizer.json'),
    says: /optimizer/,
  },
  {
    name: 'weights of another graph (a shape mismatch)',
    damage: async () => undefined,
    graph: widerGraph(),
    code: 'E_NO_CHECKPOINT',
    file: (d) => last(d, 'weights.json'),
    says: /\[3,3,1,4\].*\[3,3,1,8\]/,
  },
];

describe('resuming from a damaged checkpoint', () => {
  it.each(DAMAGES)(
    'refuses $name, names the file and leaves the run as it was',
    async ({ damage, graph, code, file, says }) => {
      const runDir = await dirs.make();
      await cp(stopped, runDir, { recursive: true });
      await damage(runDir);
      const before = await snapshot(runDir);

      const events = await train(runDir, true, graph);

      // Nothing of the run was lost or changed: not its result, evaluation, events or model.
      expect(await snapshot(runDir)).toEqual(before);
      expect(existsSync(join(runDir, 'error.json'))).toBe(false);
      const error = events.at(-1) as TrainingEventOf<'error'>;
      expect(error).toMatchObject({ type: 'error', code });
      expect(error.message).toContain(file(runDir));
      expect(error.message).toMatch(says);
      // What to do: the run is kept, and how to go on.
      expect(error.message).toMatch(/kept as it was/);
      expect(error.message).toMatch(/train it again/i);
      expect(events.filter((e) => e.type === 'run-started')).toHaveLength(0);
    },
  );

  it('keeps the earlier result until the resumed run has written its own', async () => {
    const runDir = await dirs.make();
    await cp(stopped, runDir, { recursive: true });
    let seenDuringRun: unknown = null;
    const events: TrainingEvent[] = [];
    await runTraining(trainRequest(runDir, data, config, { resume: true }), (e) => {
      events.push(e);
      // While the resumed run trains, the folder still holds the stopped run's result.
      if (e.type === 'epoch')
        seenDuringRun = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8'));
    });
    expect(seenDuringRun).toMatchObject({ status: 'stopped' });
    expect(events.at(-1)).toMatchObject({ type: 'finished', status: 'completed' });
    expect(JSON.parse(await readFile(join(runDir, 'run.json'), 'utf8'))).toMatchObject({
      status: 'completed',
    });
    expect(existsSync(join(runDir, 'error.json'))).toBe(false);
  });
});
