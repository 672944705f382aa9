// Tiny generated data and a tiny network for the training tests: a synthetic MNIST folder
// (real IDX format, 28x28 images) in which class k is a bright 7x7 square at position k on a
// noisy background, so a one-layer convnet learns it in a few epochs.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GraphBuilder } from '../../src/shared/graph/builder.ts';
import type { GraphDoc } from '../../src/shared/graph/types.ts';
import { trainRequestSchema, type TrainRequest } from '../../src/shared/engine-protocol.ts';
import { type TrainConfigInput } from '../../src/shared/train-config.ts';
import { rng } from '../../src/main/engine/random.ts';

export const TRAIN_SAMPLES = 300;
export const TEST_SAMPLES = 100;

/** Top-left corners of the ten squares: the first ten cells of a 4x4 grid of 7x7 cells. */
const CORNERS = Array.from({ length: 10 }, (_, k): [number, number] => [
  Math.floor(k / 4) * 7,
  (k % 4) * 7,
]);

function idx(magic: number, dims: number[], data: Uint8Array): Uint8Array {
  const header = new DataView(new ArrayBuffer(4 + 4 * dims.length));
  header.setUint32(0, magic, false);
  dims.forEach((d, i) => header.setUint32(4 + 4 * i, d, false));
  const out = new Uint8Array(header.byteLength + data.byteLength);
  out.set(new Uint8Array(header.buffer), 0);
  out.set(data, header.byteLength);
  return out;
}

/** `n` images (labels cycle 0-9) with noise in 0-63 and a square of 192-255. */
function samples(n: number, seed: number): { images: Uint8Array; labels: Uint8Array } {
  const r = rng(seed);
  const images = new Uint8Array(n * 28 * 28);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const k = i % 10;
    labels[i] = k;
    const base = i * 28 * 28;
    for (let p = 0; p < 28 * 28; p++) images[base + p] = Math.floor(r() * 64);
    const [top, left] = CORNERS[k]!;
    for (let y = top; y < top + 7; y++)
      for (let x = left; x < left + 7; x++) images[base + y * 28 + x] = 192 + Math.floor(r() * 64);
  }
  return { images, labels };
}

/** Writes the four MNIST files (uncompressed) into `dir`. */
export async function writeSyntheticMnist(
  dir: string,
  train = TRAIN_SAMPLES,
  test = TEST_SAMPLES,
): Promise<string> {
  await mkdir(dir, { recursive: true });
  const tr = samples(train, 1);
  const te = samples(test, 2);
  await writeFile(join(dir, 'train-images-idx3-ubyte'), idx(2051, [train, 28, 28], tr.images));
  await writeFile(join(dir, 'train-labels-idx1-ubyte'), idx(2049, [train], tr.labels));
  await writeFile(join(dir, 't10k-images-idx3-ubyte'), idx(2051, [test, 28, 28], te.images));
  await writeFile(join(dir, 't10k-labels-idx1-ubyte'), idx(2049, [test], te.labels));
  return dir;
}

/** Input [28,28,1] -> Conv2D 4 3x3 stride 2 relu -> Flatten -> Dense 10 (logits): 6,810 parameters. */
export function tinyGraph(inputShape: number[] = [28, 28, 1]): GraphDoc {
  const g = new GraphBuilder('Tiny convnet', 'mnist');
  const input = g.input(inputShape, 'images');
  g.chain(input, [
    ['conv2d', { filters: 4, kernelSize: [3, 3], strides: [2, 2], activation: 'relu' }, 'conv'],
    ['flatten', {}, 'flatten'],
    ['dense', { units: 10 }, 'classifier'],
  ]);
  return g.build();
}

/** A complete train request for the tiny graph on the synthetic data. */
export function trainRequest(
  runDir: string,
  dataDir: string,
  config: Partial<TrainConfigInput> = {},
  extra: { resume?: boolean; graph?: GraphDoc } = {},
): TrainRequest {
  return trainRequestSchema.parse({
    graph: extra.graph ?? tinyGraph(),
    config: { dataset: 'mnist', epochs: 3, batchSize: 32, learningRate: 0.1, ...config },
    runDir,
    dataDir,
    backend: 'wasm',
    resume: extra.resume ?? false,
  });
}

/** Temporary folders made by one test file, removed by `cleanup`. */
export function tempDirs(prefix: string): { make(): Promise<string>; cleanup(): Promise<void> } {
  const made: string[] = [];
  return {
    async make() {
      const d = await mkdtemp(join(tmpdir(), `netforge-${prefix}-`));
      made.push(d);
      return d;
    },
    async cleanup() {
      await Promise.all(made.splice(0).map((d) => rm(d, { recursive: true, force: true })));
    },
  };
}
