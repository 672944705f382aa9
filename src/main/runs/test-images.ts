// The test split of a run's dataset, for runs.images and the input of runs.featureMaps: read from
// disk only (the run's data folder, else $NETFORGE_DATA_DIR, else the download cache), never
// downloaded, and kept in memory while it is being looked at (the 10,000 MNIST test images are
// 7.8 MB, CIFAR-10's 31 MB).
import type { DatasetName } from '../../shared/graph/types.ts';
import type { RunImages } from '../../shared/api.ts';
import {
  defaultCacheDir,
  locateTestSplit,
  readTestSplit,
  type TestSplit,
} from '../engine/datasets/index.ts';
import { RunsError } from './errors.ts';

const LABEL: Record<DatasetName, string> = { mnist: 'MNIST', cifar10: 'CIFAR-10' };
/** How many test splits stay in memory (the least recently used goes first). */
const KEEP = 2;

export class TestImages {
  private readonly splits = new Map<string, Promise<TestSplit>>();

  /** `cacheDir`: the engine's download cache (default ~/.cache/netforge/datasets). */
  constructor(private readonly cacheDir: string | null = null) {}

  /**
   * The test split of `dataset`, from the first of `dataDir`, $NETFORGE_DATA_DIR and the cache
   * that holds its test files. E_DATA_MISSING if none does: this never starts a download.
   */
  async split(dataset: DatasetName, dataDir: string | null): Promise<TestSplit> {
    const roots = [dataDir, process.env['NETFORGE_DATA_DIR'], this.cacheDir ?? defaultCacheDir()];
    const tried: string[] = [];
    for (const root of roots) {
      if (!root || tried.includes(root)) continue;
      tried.push(root);
      const dir = await locateTestSplit(root, dataset);
      if (dir) return this.load(dataset, dir);
    }
    throw new RunsError(
      'E_DATA_MISSING',
      `The ${LABEL[dataset]} test images are not on this machine (looked in ${tried.join(', ')}). ` +
        `Netforge shows them from disk and does not download them for this: train on ${LABEL[dataset]} ` +
        'once (which downloads it), or put its files in a data folder.',
    );
  }

  private load(dataset: DatasetName, dir: string): Promise<TestSplit> {
    const key = `${dataset}\0${dir}`;
    let split = this.splits.get(key);
    if (split)
      this.splits.delete(key); // re-inserted below as the most recently used
    else
      // A DatasetError keeps its own code (E_DATA_CORRUPT for a damaged file) on its way out.
      split = readTestSplit(dataset, dir).catch((e: unknown) => {
        this.splits.delete(key);
        throw e;
      });
    this.splits.set(key, split);
    while (this.splits.size > KEEP) this.splits.delete(this.splits.keys().next().value!);
    return split;
  }

  /** The images at `indices` of the test split (RunImages); E_BAD_REQUEST for an index out of range. */
  async images(
    dataset: DatasetName,
    dataDir: string | null,
    indices: number[],
  ): Promise<RunImages> {
    const split = await this.split(dataset, dataDir);
    const [height, width, channels] = split.imageShape;
    const size = height * width * channels;
    return {
      width,
      height,
      channels,
      classNames: split.classNames,
      images: indices.map((index) => {
        checkIndex(split, index);
        const pixels = split.test.images.subarray(index * size, (index + 1) * size);
        return {
          index,
          label: split.test.labels[index]!,
          pixels: Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength).toString(
            'base64',
          ),
        };
      }),
    };
  }
}

/** E_BAD_REQUEST, naming the valid range, unless `index` is one of the split's test images. */
export function checkIndex(split: TestSplit, index: number): void {
  const n = split.test.count;
  if (Number.isInteger(index) && index >= 0 && index < n) return;
  throw new RunsError(
    'E_BAD_REQUEST',
    `Test image ${index} does not exist: the ${LABEL[split.name]} test set in ${split.source} has ${n} images, numbered 0 to ${n - 1}.`,
  );
}
