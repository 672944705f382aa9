// CIFAR-10 binary batches: records of 1 label byte and 3072 pixel bytes
// (1024 R, then G, then B, each 32x32 row-major).
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { DatasetError } from './errors.ts';
import { findFile, readDataFile } from './files.ts';
import type { Dataset, Split, TestSplit } from './types.ts';

export const CIFAR_URL = 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz';
/** MD5 of the official archive, as published with it. */
export const CIFAR_ARCHIVE_MD5 = 'c32a1d4ab5d03f1284b67883e8d87530';
/** Size of the official archive, to tell the user what a download will fetch. */
export const CIFAR_ARCHIVE_BYTES = 170_052_171;
export const CIFAR_FOLDER = 'cifar-10-batches-bin';
/** The official archive's file name, also its name in the cache while it is being extracted. */
export const CIFAR_ARCHIVE = 'cifar-10-binary.tar.gz';
export const CIFAR_TEST_BATCH = 'test_batch.bin';
const RECORD = 1 + 32 * 32 * 3;
/** Images in each official batch file. */
export const CIFAR_IMAGES_PER_BATCH = 10_000;
/** A binary batch's size: the most readDataFile takes for one. */
const BATCH_BYTES = CIFAR_IMAGES_PER_BATCH * RECORD;
export const CIFAR_TRAIN_BATCHES = [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`);
const DEFAULT_CLASSES = [
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
];

/** Parses records into HWC bytes, checking sizes and labels. */
export function parseCifarBatches(buffers: { file: string; bytes: Uint8Array }[]): Split {
  let count = 0;
  for (const { file, bytes } of buffers) {
    if (bytes.byteLength === 0 || bytes.byteLength % RECORD !== 0)
      throw new DatasetError(
        'E_DATA_CORRUPT',
        `${file} has ${bytes.byteLength} bytes, not a whole number of ${RECORD}-byte CIFAR-10 records (truncated?). Replace it with the original file.`,
      );
    count += bytes.byteLength / RECORD;
  }
  const images = new Uint8Array(count * 3072);
  const labels = new Uint8Array(count);
  let i = 0;
  for (const { file, bytes } of buffers) {
    for (let r = 0; r < bytes.byteLength; r += RECORD, i++) {
      const label = bytes[r]!;
      if (label > 9)
        throw new DatasetError(
          'E_DATA_CORRUPT',
          `${file}: record ${r / RECORD} has label ${label}; CIFAR-10 labels are 0-9.`,
        );
      labels[i] = label;
      const out = i * 3072;
      for (let p = 0; p < 1024; p++) {
        images[out + 3 * p] = bytes[r + 1 + p]!;
        images[out + 3 * p + 1] = bytes[r + 1 + 1024 + p]!;
        images[out + 3 * p + 2] = bytes[r + 1 + 2048 + p]!;
      }
    }
  }
  return { images, labels, count };
}

/**
 * The note for a folder with fewer than 5 training batches (`trainPaths` are the ones there),
 * training on `images` images; none for a full set.
 */
export function partialNote(dir: string, trainPaths: string[], images: number): string[] {
  if (trainPaths.length >= CIFAR_TRAIN_BATCHES.length) return [];
  const have = trainPaths.map((p) => basename(p)).join(', ');
  return [
    `Only ${trainPaths.length} of the 5 CIFAR-10 training batches are in ${dir} (${have}): training on ${images} images instead of 50000.`,
  ];
}

/** batches.meta.txt's class names if it holds ten, else the standard ones. */
async function classNamesIn(dir: string): Promise<string[]> {
  try {
    const names = (await readFile(join(dir, 'batches.meta.txt'), 'utf8'))
      .split(/\r?\n/)
      .map((s) => s.trim())
      .filter(Boolean);
    if (names.length === 10) return names;
  } catch {
    // batches.meta.txt is optional: the class names are fixed.
  }
  return DEFAULT_CLASSES;
}

/** Reads CIFAR-10 from a folder of binary batches (all five training batches, or as many as are there). */
export async function readCifar10(dir: string): Promise<Dataset> {
  const testPath = await findFile(dir, CIFAR_TEST_BATCH);
  const trainPaths = (await Promise.all(CIFAR_TRAIN_BATCHES.map((n) => findFile(dir, n)))).filter(
    (p): p is string => p !== null,
  );
  if (!testPath || trainPaths.length === 0)
    throw new DatasetError(
      'E_DATA_MISSING',
      `CIFAR-10 ${!testPath ? 'test_batch.bin is' : 'every training batch (data_batch_1..5.bin) is'} missing in ${dir}. Put the binary batches ` +
        `(${CIFAR_FOLDER} from cifar-10-binary.tar.gz) there, or point --data-dir / NETFORGE_DATA_DIR at them.`,
    );
  const load = async (file: string) => ({ file, bytes: await readDataFile(file, BATCH_BYTES) });
  const train = parseCifarBatches(await Promise.all(trainPaths.map(load)));
  const test = parseCifarBatches([await load(testPath)]);
  const notes = partialNote(dir, trainPaths, train.count);
  return {
    name: 'cifar10',
    classNames: await classNamesIn(dir),
    imageShape: [32, 32, 3],
    train,
    test,
    source: dir,
    notes,
  };
}

/** Reads only CIFAR-10's test batch from a folder (to show its images; no training batch needed). */
export async function readCifar10Test(dir: string): Promise<TestSplit> {
  const testPath = await findFile(dir, CIFAR_TEST_BATCH);
  if (!testPath)
    throw new DatasetError(
      'E_DATA_MISSING',
      `CIFAR-10 test_batch.bin is missing in ${dir}. Put the binary batches (${CIFAR_FOLDER} from cifar-10-binary.tar.gz) there, or point --data-dir / NETFORGE_DATA_DIR at them.`,
    );
  return {
    name: 'cifar10',
    classNames: await classNamesIn(dir),
    imageShape: [32, 32, 3],
    test: parseCifarBatches([{ file: testPath, bytes: await readDataFile(testPath, BATCH_BYTES) }]),
    source: dir,
  };
}
