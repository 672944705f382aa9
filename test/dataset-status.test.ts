// datasets.status, as the app asks before Start: whether MNIST / CIFAR-10 are on disk and where
// (a named folder, $NETFORGE_DATA_DIR, the download cache), what is missing, what a download would
// fetch. Only file names are checked, so the files here need not hold real data.
import { existsSync } from 'node:fs';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { CIFAR_ARCHIVE_BYTES } from '../src/main/engine/datasets/cifar10.ts';
import { MNIST_FILES } from '../src/main/engine/datasets/mnist.ts';
import { handleRequest, type RequestContext } from '../src/main/api/handlers.ts';
import { TrainingService } from '../src/main/api/training-service.ts';
import type { DatasetName } from '../src/shared/graph/types.ts';
import { datasetStatusSchema, type DatasetStatus } from '../src/shared/api.ts';
import { tempDirs } from './engine/fixtures.ts';

const dirs = tempDirs('dataset-status');
const services: TrainingService[] = [];
let cacheDir = '';
let ctx: RequestContext;

beforeEach(async () => {
  vi.stubEnv('NETFORGE_DATA_DIR', undefined);
  cacheDir = join(await dirs.make(), 'cache');
  const training = new TrainingService({ runsDir: join(cacheDir, '..', 'runs'), cacheDir });
  services.push(training);
  ctx = { projectsDir: join(cacheDir, '..', 'projects'), training };
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await Promise.all(services.splice(0).map((s) => s.close()));
});
afterAll(() => dirs.cleanup());

const MNIST_NAMES = Object.values(MNIST_FILES).map((f) => f.name);
const MNIST_BYTES = Object.values(MNIST_FILES).reduce((n, f) => n + f.gzBytes, 0);
const CIFAR_NAMES = [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`).concat('test_batch.bin');

/** Files named like the dataset's, holding nothing useful: status must not read them. */
async function touch(dir: string, names: string[]): Promise<string> {
  await mkdir(dir, { recursive: true });
  for (const n of names) await writeFile(join(dir, n), 'not really data');
  return dir;
}

async function status(dataset: DatasetName, dataDir?: string): Promise<DatasetStatus> {
  const reply = await handleRequest(
    { id: 1, type: 'datasets.status', dataset, ...(dataDir ? { dataDir } : {}) },
    ctx,
  );
  if (!reply.ok) throw new Error(JSON.stringify(reply.error));
  return datasetStatusSchema.parse(reply.result);
}

describe('datasets.status: a named folder', () => {
  it('finds MNIST in the folder or its mnist/ subfolder, .gz or not, without reading it', async () => {
    const flat = await touch(await dirs.make(), MNIST_NAMES);
    expect(await status('mnist', flat)).toEqual({
      dataset: 'mnist',
      found: true,
      source: 'folder',
      path: flat,
      downloadBytes: 0,
      notes: [],
      message: null,
    });
    const root = await dirs.make();
    await touch(
      join(root, 'mnist'),
      MNIST_NAMES.map((n) => `${n}.gz`),
    );
    expect(await status('mnist', root)).toMatchObject({ found: true, path: join(root, 'mnist') });
  });

  it('says what an empty or partial folder lacks and what to do; a download would fetch 11.6 MB', async () => {
    const empty = await dirs.make();
    const none = await status('mnist', empty);
    expect(none).toMatchObject({
      found: false,
      source: null,
      path: null,
      downloadBytes: MNIST_BYTES,
      notes: [],
    });
    expect(MNIST_BYTES).toBe(11_594_722);
    expect(none.message).toContain(empty);
    expect(none.message).toContain('mnist/');
    expect(none.message).toMatch(/Copy the MNIST files there, or leave the data folder empty/);

    const partial = await touch(
      await dirs.make(),
      MNIST_NAMES.filter((n) => n !== 't10k-labels-idx1-ubyte'),
    );
    const some = await status('mnist', partial);
    expect(some.found).toBe(false);
    expect(some.message).toContain(`${partial} lacks t10k-labels-idx1-ubyte (MNIST)`);
    // Nothing was downloaded or created for the question.
    expect(existsSync(cacheDir)).toBe(false);
  });

  it('finds a partial CIFAR-10 (1 of 5 training batches) with the note training gives', async () => {
    const dir = await touch(await dirs.make(), ['data_batch_1.bin', 'test_batch.bin']);
    const s = await status('cifar10', dir);
    expect(s).toMatchObject({ found: true, source: 'folder', path: dir, downloadBytes: 0 });
    expect(s.notes).toEqual([
      `Only 1 of the 5 CIFAR-10 training batches are in ${dir} (data_batch_1.bin): training on 10000 images instead of 50000.`,
    ]);
    const full = await touch(join(await dirs.make(), 'cifar-10-batches-bin'), CIFAR_NAMES);
    expect(await status('cifar10', join(full, '..'))).toMatchObject({
      found: true,
      path: full,
      notes: [],
    });
  });

  it('a CIFAR-10 folder without the test batch, or without any training batch, is not found', async () => {
    const noTest = await touch(await dirs.make(), ['data_batch_1.bin', 'data_batch_2.bin']);
    const a = await status('cifar10', noTest);
    expect(a).toMatchObject({ found: false, downloadBytes: CIFAR_ARCHIVE_BYTES });
    expect(a.message).toContain('lacks test_batch.bin (CIFAR-10)');
    const noTrain = await touch(await dirs.make(), ['test_batch.bin']);
    const b = await status('cifar10', noTrain);
    expect(b.found).toBe(false);
    expect(b.message).toContain('lacks data_batch_1..5.bin');
  });
});

describe('datasets.status: $NETFORGE_DATA_DIR and the cache', () => {
  it('uses $NETFORGE_DATA_DIR when no folder is named; a named folder comes first', async () => {
    const env = await touch(await dirs.make(), MNIST_NAMES);
    vi.stubEnv('NETFORGE_DATA_DIR', env);
    expect(await status('mnist')).toMatchObject({ found: true, source: 'env', path: env });
    const named = await touch(await dirs.make(), MNIST_NAMES);
    expect(await status('mnist', named)).toMatchObject({ source: 'folder', path: named });

    const emptyEnv = await dirs.make();
    vi.stubEnv('NETFORGE_DATA_DIR', emptyEnv);
    const missing = await status('mnist');
    expect(missing.found).toBe(false);
    expect(missing.message).toContain(`$NETFORGE_DATA_DIR (${emptyEnv})`);
    expect(missing.message).toMatch(/unset NETFORGE_DATA_DIR/);
  });

  it('finds a complete download in the cache; a partial one would fetch only what is missing', async () => {
    const dir = await touch(join(cacheDir, 'mnist'), MNIST_NAMES.slice(0, 2));
    const partial = await status('mnist');
    expect(partial).toMatchObject({ found: false, source: null });
    expect(partial.downloadBytes).toBe(
      MNIST_FILES.testImages.gzBytes + MNIST_FILES.testLabels.gzBytes,
    );
    expect(partial.message).toMatch(/Netforge will download it \(about 1\.7 MB\)/);
    expect(partial.message).toContain(dir);

    await touch(
      dir,
      MNIST_NAMES.slice(2).map((n) => `${n}.gz`),
    );
    expect(await status('mnist')).toEqual({
      dataset: 'mnist',
      found: true,
      source: 'cache',
      path: dir,
      downloadBytes: 0,
      notes: [],
      message: null,
    });
  });

  it('CIFAR-10 is in the cache only once extracted (test batch and batch 5); else the 170 MB archive', async () => {
    const none = await status('cifar10');
    expect(none).toMatchObject({ found: false, downloadBytes: CIFAR_ARCHIVE_BYTES });
    expect(none.message).toMatch(/about 170\.1 MB/);
    const dir = await touch(join(cacheDir, 'cifar-10-batches-bin'), CIFAR_NAMES);
    expect(await status('cifar10')).toMatchObject({
      found: true,
      source: 'cache',
      path: dir,
      downloadBytes: 0,
    });
  });
});

const REAL = resolve(import.meta.dirname, '../../shared/datasets');
const haveReal = existsSync(REAL);

describe.skipIf(!haveReal)(
  haveReal ? `datasets.status on ${REAL}` : `datasets.status on real data (skipped: no ${REAL})`,
  () => {
    it('finds both real datasets, and the download sizes are the real files’ sizes', async () => {
      expect(await status('mnist', REAL)).toMatchObject({
        found: true,
        path: join(REAL, 'mnist'),
      });
      for (const f of Object.values(MNIST_FILES))
        expect((await stat(join(REAL, 'mnist', `${f.name}.gz`))).size, f.name).toBe(f.gzBytes);
      const cifar = await status('cifar10', REAL);
      expect(cifar).toMatchObject({ found: true, path: join(REAL, 'cifar-10-batches-bin') });
      expect(cifar.notes[0]).toMatch(/Only 1 of the 5 CIFAR-10 training batches/);
    });
  },
);
