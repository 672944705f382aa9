// MNIST: four IDX files (chapter 10.4). Digests are those of the official
// gzip files; a download must match them.
import { DatasetError } from './errors.ts';
import { findFile, readDataFile } from './files.ts';
import { parseIdx } from './idx.ts';
import type { Dataset, Split, TestSplit } from './types.ts';

/** The official files: name (without .gz), SHA-256 and size of the .gz download. */
export const MNIST_FILES = {
  trainImages: {
    name: 'train-images-idx3-ubyte',
    sha256: '440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609',
    gzBytes: 9_912_422,
  },
  trainLabels: {
    name: 'train-labels-idx1-ubyte',
    sha256: '3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c',
    gzBytes: 28_881,
  },
  testImages: {
    name: 't10k-images-idx3-ubyte',
    sha256: '8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6',
    gzBytes: 1_648_877,
  },
  testLabels: {
    name: 't10k-labels-idx1-ubyte',
    sha256: 'f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6',
    gzBytes: 4_542,
  },
} as const;
export type MnistFileKey = keyof typeof MNIST_FILES;

export const MNIST_URL = 'https://storage.googleapis.com/cvdf-datasets/mnist/';

/** The most images an MNIST file holds (the training set's 60,000), and the IDX header sizes. */
const MAX_SAMPLES = 60_000;
const IDX_HEADER = { images: 16, labels: 8 };

async function required(dir: string, name: string): Promise<string> {
  const path = await findFile(dir, name);
  if (!path)
    throw new DatasetError(
      'E_DATA_MISSING',
      `MNIST file ${name}(.gz) is missing in ${dir}. Put the four MNIST files there, or point --data-dir / NETFORGE_DATA_DIR at a folder that has them.`,
    );
  return path;
}

async function split(dir: string, images: string, labels: string): Promise<Split> {
  const ip = await required(dir, images);
  const lp = await required(dir, labels);
  const x = parseIdx(await readDataFile(ip, IDX_HEADER.images + MAX_SAMPLES * 28 * 28), 2051, ip);
  const y = parseIdx(await readDataFile(lp, IDX_HEADER.labels + MAX_SAMPLES), 2049, lp);
  if (x.dims[1] !== 28 || x.dims[2] !== 28)
    throw new DatasetError(
      'E_DATA_CORRUPT',
      `${ip} holds ${x.dims.slice(1).join('x')} images; MNIST's are 28x28.`,
    );
  if (x.dims[0] !== y.dims[0])
    throw new DatasetError(
      'E_DATA_CORRUPT',
      `${ip} has ${x.dims[0]} images but ${lp} has ${y.dims[0]} labels; the files do not belong together.`,
    );
  const bad = y.data.findIndex((l) => l > 9);
  if (bad >= 0)
    throw new DatasetError(
      'E_DATA_CORRUPT',
      `${lp} has label ${y.data[bad]} at ${bad}; MNIST labels are 0-9.`,
    );
  return { images: x.data, labels: y.data, count: x.dims[0]! };
}

const CLASS_NAMES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

/** Reads MNIST from a folder holding the four files, gzipped or not. */
export async function readMnist(dir: string): Promise<Dataset> {
  const f = MNIST_FILES;
  return {
    name: 'mnist',
    classNames: CLASS_NAMES,
    imageShape: [28, 28, 1],
    train: await split(dir, f.trainImages.name, f.trainLabels.name),
    test: await split(dir, f.testImages.name, f.testLabels.name),
    source: dir,
    notes: [],
  };
}

/** Reads only MNIST's test split (the two t10k files) from a folder. */
export async function readMnistTest(dir: string): Promise<TestSplit> {
  return {
    name: 'mnist',
    classNames: CLASS_NAMES,
    imageShape: [28, 28, 1],
    test: await split(dir, MNIST_FILES.testImages.name, MNIST_FILES.testLabels.name),
    source: dir,
  };
}
