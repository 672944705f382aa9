// Where a dataset comes from: a folder the user names (--data-dir /
// NETFORGE_DATA_DIR), else the cache, else a checked download into the cache.
import { homedir } from 'node:os';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { DatasetName } from '../../../shared/graph/types.ts';
import type { DatasetStatus } from '../../../shared/api.ts';
import {
  CIFAR_ARCHIVE,
  CIFAR_ARCHIVE_BYTES,
  CIFAR_ARCHIVE_MD5,
  CIFAR_FOLDER,
  CIFAR_IMAGES_PER_BATCH,
  CIFAR_TEST_BATCH,
  CIFAR_TRAIN_BATCHES,
  CIFAR_URL,
  partialNote,
  readCifar10,
  readCifar10Test,
} from './cifar10.ts';
import { downloadVerified, untarGz, writeAtomic, type DownloadOptions } from './download.ts';
import { DatasetError } from './errors.ts';
import { findFile } from './files.ts';
import { MNIST_FILES, MNIST_URL, readMnist, readMnistTest, type MnistFileKey } from './mnist.ts';
import type { Dataset, TestSplit } from './types.ts';

export { DatasetError } from './errors.ts';
export type { Dataset, Split, DownloadProgress, TestSplit } from './types.ts';

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

// ---- Finding a dataset on disk without reading or downloading it (datasets.status, runs.images) ----

const LABEL: Record<DatasetName, string> = { mnist: 'MNIST', cifar10: 'CIFAR-10' };
const MNIST_NAMES = Object.values(MNIST_FILES).map((f) => f.name);

/** Where a dataset was looked for: a folder the user named, $NETFORGE_DATA_DIR or the cache. */
export type DatasetSource = 'folder' | 'env' | 'cache';

export interface DatasetSearch {
  /** Training would find every file it needs without a download. */
  found: boolean;
  source: DatasetSource;
  /** The folder looked in: the named one, $NETFORGE_DATA_DIR, or the cache. */
  root: string;
  /** The folder holding the dataset's files (root or its mnist/ or cifar-10-batches-bin/), if any. */
  dir: string | null;
  /** Files training needs that are not there (names without .gz). */
  missing: string[];
  /** Anything the user should know, e.g. a partial CIFAR-10 (the notes training would give). */
  notes: string[];
  /** When not found: what is missing and what to do, written for the user. */
  message: string | null;
}

const megabytes = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;

/** Of the files training reads from `dir`, those present (paths) and missing (names). */
async function filesIn(
  dir: string,
  name: DatasetName,
): Promise<{ present: string[]; train: string[]; missing: string[] }> {
  const present: string[] = [];
  const missing: string[] = [];
  const train: string[] = [];
  const names = name === 'mnist' ? MNIST_NAMES : [...CIFAR_TRAIN_BATCHES, CIFAR_TEST_BATCH];
  for (const file of names) {
    const path = await findFile(dir, file);
    if (path) present.push(path);
    else missing.push(file);
    if (path && CIFAR_TRAIN_BATCHES.includes(file)) train.push(path);
  }
  return { present, train, missing };
}

/**
 * Where `name` would be read from, mirroring loadDataset's order (the named folder, else
 * $NETFORGE_DATA_DIR, else the cache) but only checking that files exist: nothing is read or
 * downloaded. A named folder (or $NETFORGE_DATA_DIR) that lacks the files is not found: training
 * would fail there rather than download.
 */
export async function findDataset(
  name: DatasetName,
  opts: { dataDir?: string | null; cacheDir?: string | null } = {},
): Promise<DatasetSearch> {
  const env = process.env.NETFORGE_DATA_DIR;
  const named = opts.dataDir || env || null;
  const label = LABEL[name];
  if (!named) {
    const root = opts.cacheDir ?? defaultCacheDir();
    const dir = join(root, SUBFOLDER[name]);
    const { train, missing } = await filesIn(dir, name);
    // loadDataset downloads again unless these are there (see its CIFAR-10 condition).
    const found =
      name === 'mnist'
        ? missing.length === 0
        : !missing.includes(CIFAR_TEST_BATCH) && !missing.includes('data_batch_5.bin');
    const size = await downloadBytes(name, root);
    return {
      found,
      source: 'cache',
      root,
      dir: found ? dir : null,
      missing: found ? [] : missing,
      notes: found && name === 'cifar10' ? cifarNotes(dir, train) : [],
      message: found
        ? null
        : `${label} is not on this machine yet: Netforge will download it (about ${megabytes(size)}) into ${dir} when a training starts. ` +
          `On a machine without internet, name a folder that holds the files instead.`,
    };
  }
  const source: DatasetSource = opts.dataDir ? 'folder' : 'env';
  const where = source === 'env' ? `$NETFORGE_DATA_DIR (${named})` : named;
  const fix =
    source === 'env'
      ? `Copy the ${label} files there, or unset NETFORGE_DATA_DIR to let Netforge download ${label}.`
      : `Copy the ${label} files there, or leave the data folder empty to let Netforge download ${label}.`;
  // The folder loadDataset would read; without its marker file, the one holding the most files
  // (only to say what is missing).
  const located = await locate(named, name);
  let best: { dir: string; files: Awaited<ReturnType<typeof filesIn>> } | null = null;
  for (const dir of located ? [located] : [join(named, SUBFOLDER[name]), named]) {
    const files = await filesIn(dir, name);
    if (!best || files.present.length > best.files.present.length) best = { dir, files };
  }
  if (!best || best.files.present.length === 0)
    return {
      found: false,
      source,
      root: named,
      dir: null,
      missing: best?.files.missing ?? [],
      notes: [],
      message: `No ${label} files in ${where} or its ${SUBFOLDER[name]}/ subfolder. ${fix}`,
    };
  const { dir, files } = best;
  // Training needs all four MNIST files; CIFAR-10 needs the test batch and one training batch.
  const needed =
    name === 'mnist'
      ? files.missing
      : [
          ...files.missing.filter((f) => f === CIFAR_TEST_BATCH),
          ...(files.train.length === 0 ? ['data_batch_1..5.bin'] : []),
        ];
  const found = needed.length === 0;
  return {
    found,
    source,
    root: named,
    dir,
    missing: needed,
    notes: found && name === 'cifar10' ? cifarNotes(dir, files.train) : [],
    message: found ? null : `${dir} lacks ${needed.join(', ')} (${label}). ${fix}`,
  };
}

const cifarNotes = (dir: string, train: string[]): string[] =>
  partialNote(dir, train, train.length * CIFAR_IMAGES_PER_BATCH);

/** What a download of `name` into the cache would fetch now: the files it still lacks. */
export async function downloadBytes(name: DatasetName, cacheDir?: string | null): Promise<number> {
  const dir = join(cacheDir ?? defaultCacheDir(), SUBFOLDER[name]);
  if (name === 'cifar10')
    return (await findFile(dir, CIFAR_TEST_BATCH)) && (await findFile(dir, 'data_batch_5.bin'))
      ? 0
      : CIFAR_ARCHIVE_BYTES;
  let bytes = 0;
  for (const f of Object.values(MNIST_FILES))
    if (!(await findFile(dir, f.name))) bytes += f.gzBytes;
  return bytes;
}

/** The answer to datasets.status: where `name` is, or why it is not found (no data is read). */
export async function datasetStatus(
  name: DatasetName,
  opts: { dataDir?: string | null; cacheDir?: string | null } = {},
): Promise<DatasetStatus> {
  const search = await findDataset(name, opts);
  return {
    dataset: name,
    found: search.found,
    source: search.found ? search.source : null,
    path: search.found ? search.dir : null,
    downloadBytes: search.found ? 0 : await downloadBytes(name, opts.cacheDir),
    notes: search.notes,
    message: search.message,
  };
}

const TEST_FILES: Record<DatasetName, string[]> = {
  mnist: [MNIST_FILES.testImages.name, MNIST_FILES.testLabels.name],
  cifar10: [CIFAR_TEST_BATCH],
};

/** The folder in `root` (or its dataset subfolder) holding the test split's files, or null. */
export async function locateTestSplit(root: string, name: DatasetName): Promise<string | null> {
  for (const dir of [join(root, SUBFOLDER[name]), root]) {
    let all = true;
    for (const f of TEST_FILES[name]) if (!(await findFile(dir, f))) all = false;
    if (all) return dir;
  }
  return null;
}

/** Reads only the test split from a folder locateTestSplit returned. */
export function readTestSplit(name: DatasetName, dir: string): Promise<TestSplit> {
  return name === 'mnist' ? readMnistTest(dir) : readCifar10Test(dir);
}
