import type { DatasetName } from '../../../shared/graph/types.ts';

/** Images as bytes, HWC per image, one after another; floats only once a batch is formed. */
export interface Split {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
}

export interface Dataset {
  name: DatasetName;
  classNames: string[];
  imageShape: [number, number, number];
  train: Split;
  test: Split;
  /** Where the files came from, and anything a user should know (e.g. a partial CIFAR-10). */
  source: string;
  notes: string[];
}

export interface DownloadProgress {
  file: string;
  receivedBytes: number;
  totalBytes: number | null;
}

/** A dataset's test split alone, for showing its images without reading the training set. */
export type TestSplit = Pick<Dataset, 'name' | 'classNames' | 'imageShape' | 'test' | 'source'>;
