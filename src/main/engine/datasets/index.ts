// Where a dataset comes from: a folder the user names (--data-dir /
// NETFORGE_DATA_DIR), else the cache, else a checked download into the cache.
import { homedir } from 'node:os';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { DatasetName } from '../../../shared/graph/types.ts';
import {
  CIFAR_ARCHIVE,
  CIFAR_ARCHIVE_MD5,
  CIFAR_FOLDER,
  CIFAR_TEST_BATCH,
  CIFAR_TRAIN_BATCHES,
  CIFAR_URL,
  readCifar10,
} from './cifar10.ts';
import { downloadVerified, untarGz, writeAtomic, type DownloadOptions } from './download.ts';
import { DatasetError } from './errors.ts';
import { findFile } from './files.ts';
import { MNIST_FILES, MNIST_URL, readMnist, type MnistFileKey } from './mnist.ts';
import type { Dataset } from './types.ts';

export { DatasetError } from './errors.ts';
export type { Dataset, Split, DownloadProgress } from './types.ts';

/** The digests a download must match, by dataset. */
export interface DatasetDigests {
  /** SHA-256 (hex) of each MNIST .gz file, keyed like MNIST_FILES. */
  mnist: Record<MnistFileKey, string>;
  /** MD5 (hex) of the CIFAR-10 .tar.gz archive. */
  cifar10: string;
}

/** The digests of the official files. */
export const OFFICIAL_DIGESTS: DatasetDigests = {
  mnist: {
    trainImages: MNIST_FILES.trainImages.sha256,
    trainLabels: MNIST_FILES.trainLabels.sha256,
    testImages: MNIST_FILES.testImages.sha256,
    testLabels: MNIST_FILES.testLabels.sha256,
  },
  cifar10: CIFAR_ARCHIVE_MD5,
};

export interface LoadOptions extends DownloadOptions {
  /** A folder holding the files (or mnist/ and cifar-10-batches-bin/ subfolders). */
  dataDir?: string | undefined;
  /** Where downloads are kept; default ~/.cache/netforge/datasets. */
  cacheDir?: string | undefined;
  /** Base URL (a folder) of the four MNIST .gz files, replaceable for mirrors and tests. */
  mnistUrl?: string;
  /**
   * URL of the CIFAR-10 binary archive, replaceable for mirrors and tests; one ending in '/' is a
   * base to which cifar-10-binary.tar.gz is appended.
   */
  cifarUrl?: string;
  /**
   * The digests downloads must match; default OFFICIAL_DIGESTS. Only for a mirror serving other
   * files, and for tests: the official files always match the defaults.
   */
  digests?: Partial<DatasetDigests>;
}

export function defaultCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'netforge', 'datasets');
}

const SUBFOLDER: Record<DatasetName, string> = { mnist: 'mnist', cifar10: CIFAR_FOLDER };
const MARKER: Record<DatasetName, string> = {
  mnist: MNIST_FILES.trainImages.name,
  cifar10: CIFAR_TEST_BATCH,
};
const READERS: Record<DatasetName, (dir: string) => Promise<Dataset>> = {
  mnist: readMnist,
  cifar10: readCifar10,
};

/** The folder inside `root` that holds the dataset's files, or null. */
async function locate(root: string, name: DatasetName): Promise<string | null> {
  for (const dir of [join(root, SUBFOLDER[name]), root])
    if (await findFile(dir, MARKER[name])) return dir;
  return null;
}

export async function loadDataset(name: DatasetName, opts: LoadOptions = {}): Promise<Dataset> {
  const dataDir = opts.dataDir ?? process.env.NETFORGE_DATA_DIR;
  if (dataDir) {
    const dir = await locate(dataDir, name);
    if (!dir)
      throw new DatasetError(
        'E_DATA_MISSING',
        `No ${name === 'mnist' ? 'MNIST' : 'CIFAR-10'} files in ${dataDir} or ${join(dataDir, SUBFOLDER[name])} ` +
          `(looked for ${MARKER[name]}). Copy the dataset there, or leave out --data-dir to download it.`,
      );
    return READERS[name](dir);
  }
  const cache = opts.cacheDir ?? defaultCacheDir();
  const dir = join(cache, SUBFOLDER[name]);
  if (name === 'mnist') await downloadMnist(dir, opts);
  else if (!(await findFile(dir, CIFAR_TEST_BATCH)) || !(await findFile(dir, 'data_batch_5.bin')))
    await downloadCifar10(cache, dir, opts);
  return READERS[name](dir);
}

/** Fetches whichever of the four MNIST files are not in `dir` yet. */
async function downloadMnist(dir: string, opts: LoadOptions): Promise<void> {
  const sha256 = opts.digests?.mnist ?? OFFICIAL_DIGESTS.mnist;
  let base = opts.mnistUrl ?? MNIST_URL;
  if (!base.endsWith('/')) base += '/';
  for (const key of Object.keys(MNIST_FILES) as MnistFileKey[]) {
    const f = MNIST_FILES[key];
    if (await findFile(dir, f.name)) continue;
    await downloadVerified(
      `${base}${f.name}.gz`,
      join(dir, `${f.name}.gz`),
      { algorithm: 'sha256', hex: sha256[key] },
      opts,
    );
  }
}

/**
 * Fetches the CIFAR-10 archive into the cache, extracts its batches into `dir` (test_batch.bin
 * last: its presence marks a complete extraction) and deletes the archive.
 */
async function downloadCifar10(cache: string, dir: string, opts: LoadOptions): Promise<void> {
  let url = opts.cifarUrl ?? CIFAR_URL;
  if (url.endsWith('/')) url += CIFAR_ARCHIVE;
  const archive = join(cache, CIFAR_ARCHIVE);
  await downloadVerified(
    url,
    archive,
    { algorithm: 'md5', hex: opts.digests?.cifar10 ?? OFFICIAL_DIGESTS.cifar10 },
    opts,
  );
  try {
    // The batches sit directly in cifar-10-batches-bin/; nothing else is written anywhere.
    const batches = new Map<string, Uint8Array>();
    for (const [path, bytes] of untarGz(await readFile(archive), archive)) {
      const m = /^(?:\.\/)?([^/]+)\/([^/]+)$/.exec(path);
      if (m?.[1] === CIFAR_FOLDER && m[2] !== '.' && m[2] !== '..') batches.set(m[2]!, bytes);
    }
    const missing = [...CIFAR_TRAIN_BATCHES, CIFAR_TEST_BATCH].filter((f) => !batches.has(f));
    if (missing.length > 0)
      throw new DatasetError(
        'E_DATA_CORRUPT',
        `${archive} (from ${url}) lacks ${missing.map((f) => `${CIFAR_FOLDER}/${f}`).join(', ')}: it is not the CIFAR-10 binary archive. Check the URL, or download the archive yourself and use --data-dir.`,
      );
    const test = batches.get(CIFAR_TEST_BATCH)!;
    batches.delete(CIFAR_TEST_BATCH);
    for (const [file, bytes] of batches) await writeAtomic(join(dir, file), bytes);
    await writeAtomic(join(dir, CIFAR_TEST_BATCH), test);
  } finally {
    await rm(archive, { force: true });
  }
}
