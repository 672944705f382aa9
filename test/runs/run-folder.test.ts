// RunFolder on its own: every file written and read back, writes that fail half-way (a full disk,
// injected below) leave the previous file, tolerant readers take damaged files as absent, and
// strict readers name the file that is missing or damaged.
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import type * as fsPromises from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';

import { CodedError } from '../../src/shared/errors.ts';
import { trainConfigSchema } from '../../src/shared/train-config.ts';
import { type TrainingEvent } from '../../src/shared/events.ts';
import {
  readCheckpointFiles,
  writeCheckpointFiles,
  type CheckpointData,
} from '../../src/main/runs/checkpoint-files.ts';
import { readModelFiles } from '../../src/main/runs/model-files.ts';
import { RunFolder } from '../../src/main/runs/run-folder.ts';
import { tempDirs, tinyGraph } from '../engine/fixtures.ts';

// A disk that fills up: while `full.on`, a file opened for writing takes half of what is written
// to it and then fails with ENOSPC.
const full = vi.hoisted(() => ({ on: false }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof fsPromises>();
  const open: typeof fs.open = async (...args) => {
    const handle = await fs.open(...args);
    if (full.on)
      handle.writeFile = async (data) => {
        const bytes = typeof data === 'string' ? Buffer.from(data) : (data as Uint8Array);
        await handle.write(bytes.subarray(0, Math.floor(bytes.length / 2)));
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), {
          code: 'ENOSPC',
        });
      };
    return handle;
  };
  return { ...fs, open };
});

const dirs = tempDirs('run-folder');
afterEach(() => void (full.on = false));
afterAll(() => dirs.cleanup());

const config = trainConfigSchema.parse({ dataset: 'mnist', epochs: 2, limitTrain: 64 });
const start = { name: 'Tiny convnet', startedAt: '2026-01-02T03:04:05.678Z', dataDir: null };

async function newFolder(): Promise<RunFolder> {
  const folder = new RunFolder(join(await dirs.make(), 'run'));
  await folder.ensure();
  return folder;
}

/** The failure a strict reader threw. */
async function failure(read: Promise<unknown>): Promise<CodedError> {
  const e = await read.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(CodedError);
  return e as CodedError;
}

function checkpoint(step: number): CheckpointData {
  return {
    weights: [
      { name: 'dense/kernel', shape: [2, 3], values: Float32Array.from([1, 2, 3, 4, 5, step]) },
      { name: 'dense/bias', shape: [3], values: Float32Array.from([0.5, -1, step]) },
    ],
    optimizer: [
      { name: 'dense/kernel/momentum', shape: [2], values: Float32Array.from([step, 7]) },
    ],
    state: { epoch: 1, batchInEpoch: 0, step, best: 0.5, sinceBest: 0, history: [] },
  };
}

describe('RunFolder', () => {
  it('writes every file and reads it back, in the places the older versions used', async () => {
    const made = await RunFolder.create(join(await dirs.make(), 'tiny-run'), start, 'test');
    const folder = made.folder;
    await expect(RunFolder.create(folder.dir, start, 'test')).rejects.toMatchObject({
      code: 'EEXIST',
    });
    // Made locked by its instance (run-lock.test.ts); the lock goes when the run ends.
    expect(await folder.lockHolder('test')).toMatchObject({ state: 'mine' });
    await made.lock.release();
    expect(existsSync(folder.lockFile)).toBe(false);
    await folder.writeGraph(tinyGraph());
    await folder.writeConfig(config);
    const events: TrainingEvent[] = [
      { type: 'status', state: 'paused', step: 3 },
      { type: 'status', state: 'resumed', step: 3 },
    ];
    for (const e of events) await folder.appendEvent(e);
    const evaluation = {
      testLoss: 0.5,
      testAccuracy: 0.75,
      samples: 4,
      classNames: ['a', 'b'],
      confusion: [
        [2, 0],
        [1, 1],
      ],
      perClassAccuracy: [1, 0.5],
      misclassified: [{ index: 2, label: 1, predicted: 0, confidence: 0.9 }],
      correct: [],
    };
    await folder.writeEvaluation(evaluation);
    const backend = { backend: 'wasm' as const, device: 'CPU', reason: 'test' };
    const result = {
      ...{ type: 'finished' as const, status: 'completed' as const, runDir: folder.dir },
      ...{ epochs: 2, step: 8, seconds: 1.5, testAccuracy: 0.75, testLoss: 0.5, backend },
    };
    await folder.writeResult(result);
    await writeCheckpointFiles(folder.checkpointDir('last'), checkpoint(8));

    expect(await folder.readStart()).toEqual(start);
    expect(await folder.readGraph()).toEqual(tinyGraph());
    expect(await folder.readConfig()).toEqual(config);
    const lines = (await folder.readMetrics()).trimEnd().split('\n');
    expect(lines.map((l) => JSON.parse(l) as object)).toEqual(
      events.map((e) => ({ time: expect.any(Number), ...e })),
    );
    expect(await folder.readEvaluation()).toEqual(evaluation);
    const { type: _type, ...fields } = result;
    expect(await folder.readResult()).toEqual(fields);
    expect(folder.checkpoint('last')).toBe(join(folder.dir, 'checkpoints', 'last'));
    expect(folder.checkpoint('best')).toBeNull();
    expect(await readCheckpointFiles(folder.checkpoint('last')!)).toEqual(checkpoint(8));
    expect(folder.hasError()).toBe(false);
    expect(folder.hasModel()).toBe(false);

    // The names are a saved format: runs written before RunFolder use the same ones.
    expect((await readdir(folder.dir)).sort()).toEqual([
      'checkpoints',
      'config.json',
      'evaluation.json',
      'graph.json',
      'metrics.jsonl',
      'netforge-run.json',
      'run.json',
    ]);
    expect((await readdir(folder.checkpointDir('last'))).sort()).toEqual([
      'optimizer.bin',
      'optimizer.json',
      'state.json',
      'weights.bin',
      'weights.json',
    ]);

    // A failed attempt leaves its error beside the earlier result.
    const error = { code: 'E_NAN_LOSS', message: 'diverged', checkpoint: null };
    await folder.writeError(error);
    expect(folder.hasError()).toBe(true);
    expect(await folder.readError()).toEqual(error);
    expect(JSON.parse(await readFile(folder.errorFile, 'utf8'))).toEqual({
      type: 'error',
      ...error,
    });

    // A resumed run that has started drops the earlier error, keeps the earlier result until it
    // writes its own, and ends a last line of metrics.jsonl that was cut off.
    const metrics = await readFile(folder.metricsFile, 'utf8');
    await writeFile(folder.metricsFile, `${metrics}{"type":"ba`);
    await folder.beginResumed();
    expect(folder.hasError()).toBe(false);
    expect(await folder.readResult()).toEqual(fields);
    expect(await folder.readEvaluation()).not.toBeNull();
    await folder.appendEvent({ type: 'status', state: 'paused', step: 9 });
    expect((await folder.readMetrics()).split('\n').slice(-3)).toEqual([
      '{"type":"ba',
      expect.stringContaining('"state":"paused"'),
      '',
    ]);
  });

  it('keeps the previous file when a write fails half-way, and leaves no temporary file', async () => {
    const folder = await newFolder();
    await folder.writeConfig(config);
    await folder.writeGraph(tinyGraph());
    const before = await readFile(folder.configFile, 'utf8');

    full.on = true;
    const error = await folder.writeConfig({ ...config, epochs: 99 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ENOSPC' });
    await expect(
      folder.writeError({ code: 'E_X', message: 'x', checkpoint: null }),
    ).rejects.toThrow(/ENOSPC/);
    full.on = false;

    expect(await readFile(folder.configFile, 'utf8')).toBe(before);
    expect(await folder.readConfig()).toEqual(config);
    expect(folder.hasError()).toBe(false);
    expect((await readdir(folder.dir)).sort()).toEqual(['config.json', 'graph.json']);
  });

  it('keeps the previous checkpoint when writing the next one fails, and finds one left mid-swap', async () => {
    const folder = await newFolder();
    const last = folder.checkpointDir('last');
    await writeCheckpointFiles(last, checkpoint(4));

    full.on = true;
    await expect(writeCheckpointFiles(last, checkpoint(8))).rejects.toThrow(/ENOSPC/);
    full.on = false;
    expect(folder.checkpoint('last')).toBe(last);
    expect(await readCheckpointFiles(last)).toEqual(checkpoint(4));

    // A crash between the swap's two renames leaves only `last.old`: it is still found and read.
    await rename(last, `${last}.old`);
    expect(folder.checkpoint('last')).toBe(`${last}.old`);
    expect(await readCheckpointFiles(folder.checkpoint('last')!)).toEqual(checkpoint(4));
    // The next checkpoint takes its place.
    await writeCheckpointFiles(last, checkpoint(12));
    expect(folder.checkpoint('last')).toBe(last);
    expect((await readCheckpointFiles(last)).state.step).toBe(12);
    expect((await readdir(join(folder.dir, 'checkpoints'))).sort()).toEqual(['last']);
  });

  it('reads missing, truncated and garbage files as absent, and skips a half-written last event', async () => {
    const folder = await newFolder();
    expect(await folder.readStart()).toBeNull();
    expect(await folder.readMetrics()).toBe('');
    expect(folder.checkpoint('last')).toBeNull();

    const event = `${JSON.stringify({ time: 1, type: 'status', state: 'paused', step: 1 })}\n`;
    await writeFile(folder.startFile, JSON.stringify({ name: 'Old run', dataDir: 42 }));
    await writeFile(folder.graphFile, '{"name": "Tiny", "nodes": [');
    await writeFile(folder.configFile, JSON.stringify({ dataset: 'imagenet' }));
    await writeFile(folder.evaluationFile, 'not json');
    await writeFile(folder.resultFile, JSON.stringify({ status: 'exploded' }));
    await writeFile(folder.errorFile, '');
    await writeFile(folder.metricsFile, `${event}${event}{"time":2,"type":"sta`);
    await mkdir(folder.checkpointDir('last'), { recursive: true }); // no state.json: incomplete

    // The start file's good fields are kept (older runs lack dataDir).
    expect(await folder.readStart()).toEqual({ name: 'Old run' });
    expect(await folder.readGraph()).toBeNull();
    expect(await folder.readConfig()).toBeNull();
    expect(await folder.readEvaluation()).toBeNull();
    expect(await folder.readResult()).toBeNull();
    expect(await folder.readError()).toBeNull();
    expect(folder.hasError()).toBe(true); // the run failed, even if its error.json is damaged
    expect(await folder.readMetrics()).toBe(event + event);
    expect(folder.checkpoint('last')).toBeNull();
  });

  it('fails strict reads with E_NOT_FOUND or E_IO naming the missing or damaged file', async () => {
    const folder = await newFolder();
    const missing = await failure(folder.loadConfig());
    expect(missing.code).toBe('E_NOT_FOUND');
    expect(missing.message).toContain(folder.configFile);

    await writeFile(folder.configFile, '{"dataset": "mni');
    const cut = await failure(folder.loadConfig());
    expect(cut.code).toBe('E_IO');
    expect(cut.message).toContain(folder.configFile);
    expect(cut.message).toMatch(/damaged: it is not JSON/);

    await writeFile(folder.graphFile, JSON.stringify({ ...tinyGraph(), nodes: 'none' }));
    const wrong = await failure(folder.loadGraph());
    expect(wrong.code).toBe('E_IO');
    expect(wrong.message).toContain(`${folder.graphFile} is damaged: nodes:`);

    const last = folder.checkpointDir('last');
    await writeCheckpointFiles(last, checkpoint(4));
    const weights = join(last, 'weights.bin');
    await writeFile(weights, (await readFile(weights)).subarray(0, 10));
    const short = await failure(readCheckpointFiles(last));
    expect(short.code).toBe('E_IO');
    expect(short.message).toContain(`${weights} is damaged: it holds 10 bytes`);
    await writeFile(join(last, 'state.json'), '{"epoch": -1}');
    await writeCheckpointFiles(folder.checkpointDir('best'), checkpoint(4));
    await writeFile(join(folder.checkpointDir('best'), 'state.json'), '{"epoch": -1}');
    const state = await failure(readCheckpointFiles(folder.checkpointDir('best')));
    expect(state.message).toContain(join(folder.checkpointDir('best'), 'state.json'));

    await mkdir(folder.modelDir);
    const model = await failure(readModelFiles(folder.modelDir));
    expect(model.code).toBe('E_NOT_FOUND');
    expect(model.message).toContain(join(folder.modelDir, 'model.json'));
    expect(existsSync(folder.modelDir)).toBe(true);
  });
});
