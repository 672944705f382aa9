// The dataset loaders: formats on tiny generated files, downloads from a local HTTP server, and
// the real data in ../shared/datasets when that folder exists. No real data is copied anywhere.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseCifarBatches, readCifar10 } from '../../src/main/engine/datasets/cifar10.ts';
import { untarGz } from '../../src/main/engine/datasets/download.ts';
import {
  DatasetError,
  loadDataset,
  OFFICIAL_DIGESTS,
  type DatasetDigests,
  type DownloadProgress,
} from '../../src/main/engine/datasets/index.ts';
import { MNIST_FILES, readMnist, type MnistFileKey } from '../../src/main/engine/datasets/mnist.ts';

// ---------------------------------------------------------------------------------------------
// Helpers

const tempDirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'netforge-datasets-'));
  tempDirs.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(tempDirs.map((d) => rm(d, { recursive: true, force: true })));
});

// A user's NETFORGE_DATA_DIR must not redirect the cache and download tests.
beforeEach(() => {
  vi.stubEnv('NETFORGE_DATA_DIR', undefined);
});
afterEach(() => {
  vi.unstubAllEnvs();
});

const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.byteLength;
  }
  return out;
};

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const md5 = (b: Uint8Array): string => createHash('md5').update(b).digest('hex');

/** Rejects with a DatasetError of `code` whose message matches every one of `mentions`. */
async function expectDatasetError(
  promise: Promise<unknown>,
  code: DatasetError['code'],
  ...mentions: (string | RegExp)[]
): Promise<DatasetError> {
  const error = await promise.then(
    () => {
      throw new Error(`expected a DatasetError ${code}, but it succeeded`);
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DatasetError);
  const e = error as DatasetError;
  expect(e.code, e.message).toBe(code);
  for (const m of mentions) expect(e.message).toMatch(m);
  return e;
}

/** Files left in `dir` (recursively), as paths relative to it; [] if it does not exist. */
async function listFiles(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

// --- MNIST IDX -------------------------------------------------------------------------------

/** An IDX file: big-endian magic, dimensions, then the bytes. */
function idx(magic: number, dims: number[], data: Uint8Array): Uint8Array {
  const header = new Uint8Array(4 + 4 * dims.length);
  const view = new DataView(header.buffer);
  view.setUint32(0, magic);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  return concat(header, data);
}

/** Pixel p of image i, and its label: patterns that differ from image to image. */
const mnistPixel = (i: number, p: number): number => (i * 31 + p * 7) & 0xff;
const mnistLabel = (i: number): number => (i * 3 + 1) % 10;

function mnistImages(count: number, announced = count): Uint8Array {
  const data = new Uint8Array(count * 784);
  for (let i = 0; i < count; i++)
    for (let p = 0; p < 784; p++) data[i * 784 + p] = mnistPixel(i, p);
  return idx(2051, [announced, 28, 28], data);
}

function mnistLabels(count: number): Uint8Array {
  return idx(
    2049,
    [count],
    Uint8Array.from({ length: count }, (_, i) => mnistLabel(i)),
  );
}

type MnistSet = Record<MnistFileKey, Uint8Array>;

/** The four MNIST files (uncompressed), `train` and `test` images. */
const mnistSet = (train = 20, test = 10): MnistSet => ({
  trainImages: mnistImages(train),
  trainLabels: mnistLabels(train),
  testImages: mnistImages(test),
  testLabels: mnistLabels(test),
});

/** Writes the files under their MNIST names, gzipped (name.gz) or not. */
async function writeMnist(dir: string, files: Partial<MnistSet>, gzip: boolean): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const [key, bytes] of Object.entries(files) as [MnistFileKey, Uint8Array][]) {
    const name = MNIST_FILES[key].name;
    await writeFile(join(dir, gzip ? `${name}.gz` : name), gzip ? gzipSync(bytes) : bytes);
  }
}

function expectMnistSplit(
  split: { images: Uint8Array; labels: Uint8Array; count: number },
  count: number,
): void {
  expect(split.count).toBe(count);
  expect(split.images.byteLength).toBe(count * 784);
  expect(split.labels.byteLength).toBe(count);
  expect(Array.from(split.labels)).toEqual(Array.from({ length: count }, (_, i) => mnistLabel(i)));
  for (let i = 0; i < count; i++)
    for (let p = 0; p < 784; p += 97) expect(split.images[i * 784 + p]).toBe(mnistPixel(i, p));
  // The last pixel of the last image: nothing of the header shifted the data.
  expect(split.images[count * 784 - 1]).toBe(mnistPixel(count - 1, 783));
}

// --- CIFAR-10 binary -------------------------------------------------------------------------

const RECORD = 3073;
/** Channel c (0 R, 1 G, 2 B) of pixel p (row-major) of image i: different in every channel. */
const cifarValue = (i: number, c: number, p: number): number => (i * 17 + c * 85 + p * 3) & 0xff;

/** CIFAR-10 records for `labels`, images numbered from `first`. */
function cifarBatch(labels: number[], first = 0): Uint8Array {
  const out = new Uint8Array(labels.length * RECORD);
  labels.forEach((label, k) => {
    const r = k * RECORD;
    out[r] = label;
    for (let c = 0; c < 3; c++)
      for (let p = 0; p < 1024; p++) out[r + 1 + c * 1024 + p] = cifarValue(first + k, c, p);
  });
  return out;
}

const CLASSES = ['plane', 'car', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

/** The files of a CIFAR-10 folder: `batches` training batches of `perBatch` images, a test batch. */
function cifarSet(batches: number[], perBatch = 2, testCount = 3): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  for (const b of batches) {
    const first = (b - 1) * perBatch;
    const labels = Array.from({ length: perBatch }, (_, k) => (first + k) % 10);
    files.set(`data_batch_${b}.bin`, cifarBatch(labels, first));
  }
  files.set(
    'test_batch.bin',
    cifarBatch(
      Array.from({ length: testCount }, (_, k) => 9 - (k % 10)),
      1000,
    ),
  );
  files.set('batches.meta.txt', new TextEncoder().encode(CLASSES.join('\n') + '\n\n'));
  return files;
}

async function writeFiles(dir: string, files: Map<string, Uint8Array>): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const [name, bytes] of files) await writeFile(join(dir, name), bytes);
}

// --- A minimal tar writer --------------------------------------------------------------------

/**
 * One tar entry: a 512-byte header and the data padded to 512. POSIX ustar by default (paths over
 * 100 characters are split into prefix and name); `gnu` writes an old GNU header instead, whose
 * bytes 345.. hold an access time rather than a prefix.
 */
function tarEntry(path: string, data: Uint8Array | null, gnu = false): Uint8Array {
  const header = new Uint8Array(512);
  const put = (s: string, o: number): void => header.set(new TextEncoder().encode(s), o);
  const octal = (n: number, width: number): string => n.toString(8).padStart(width - 1, '0') + '\0';
  let name = path;
  let prefix = '';
  if (path.length > 100) {
    const cut = path.lastIndexOf('/', 155);
    prefix = path.slice(0, cut);
    name = path.slice(cut + 1);
  }
  const size = data?.byteLength ?? 0;
  put(name, 0);
  put(octal(data ? 0o644 : 0o755, 8), 100);
  put(octal(0, 8), 108);
  put(octal(0, 8), 116);
  put(octal(size, 12), 124);
  put(octal(1_700_000_000, 12), 136);
  put(data ? '0' : '5', 156);
  if (gnu) {
    put('ustar  \0', 257);
    put(octal(1_700_000_000, 12), 345); // atime, where POSIX has the prefix
  } else {
    put('ustar\0', 257);
    put('00', 263);
    put(prefix, 345);
  }
  put('        ', 148);
  const sum = header.reduce((a, b) => a + b, 0);
  put(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  const body = new Uint8Array(Math.ceil(size / 512) * 512);
  if (data) body.set(data);
  return concat(header, body);
}

/** A .tar.gz of the entries (data null = a folder), ended by two zero blocks. */
function tarGz(entries: [string, Uint8Array | null][], gnu = false): Uint8Array {
  return gzipSync(concat(...entries.map(([p, d]) => tarEntry(p, d, gnu)), new Uint8Array(1024)));
}

/** A CIFAR-10 archive as the official one is laid out, holding `files`. */
const cifarArchive = (files: Map<string, Uint8Array>): Uint8Array =>
  tarGz([
    ['cifar-10-batches-bin/', null],
    ...[...files].map(([n, b]): [string, Uint8Array] => [`cifar-10-batches-bin/${n}`, b]),
    ['cifar-10-batches-bin/readme.html', new TextEncoder().encode('<p>readme</p>')],
  ]);

// --- A local HTTP server ---------------------------------------------------------------------

interface Route {
  body: Uint8Array;
  status?: number;
  /** Send the headers (full content-length) and half the body, then drop the connection. */
  cut?: boolean;
}

interface TestServer {
  /** Base URL, ending in '/'. */
  url: string;
  /** Paths requested, in order. */
  hits: string[];
  routes: Map<string, Route>;
  close(): Promise<void>;
}

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function startServer(routes: Record<string, Route> = {}): Promise<TestServer> {
  const table = new Map(Object.entries(routes));
  const hits: string[] = [];
  const server = createServer((req, res) => {
    const path = req.url ?? '';
    hits.push(path);
    const route = table.get(path);
    if (!route) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(route.status ?? 200, {
      'content-type': 'application/octet-stream',
      'content-length': String(route.body.byteLength),
    });
    if (route.cut) {
      res.write(route.body.subarray(0, route.body.byteLength >> 1));
      setTimeout(() => res.destroy(), 50);
    } else res.end(route.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const s: TestServer = {
    url: `http://127.0.0.1:${port}/`,
    hits,
    routes: table,
    close: () => {
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
  servers.push(s);
  return s;
}

/** The MNIST files gzipped, served under their official names, and their digests. */
function serveMnist(set: MnistSet): {
  routes: Record<string, Route>;
  gz: Record<MnistFileKey, Uint8Array>;
  digests: DatasetDigests['mnist'];
} {
  const gz = {} as Record<MnistFileKey, Uint8Array>;
  const digests = {} as DatasetDigests['mnist'];
  const routes: Record<string, Route> = {};
  for (const key of Object.keys(MNIST_FILES) as MnistFileKey[]) {
    gz[key] = gzipSync(set[key]);
    digests[key] = sha256(gz[key]);
    routes[`/${MNIST_FILES[key].name}.gz`] = { body: gz[key] };
  }
  return { routes, gz, digests };
}

// ---------------------------------------------------------------------------------------------
// MNIST files

describe('MNIST IDX files', () => {
  it('parses uncompressed files: counts, pixels and labels', async () => {
    const dir = await tempDir();
    await writeMnist(dir, mnistSet(20, 10), false);
    const ds = await loadDataset('mnist', { dataDir: dir });
    expect(ds.name).toBe('mnist');
    expect(ds.imageShape).toEqual([28, 28, 1]);
    expect(ds.classNames).toHaveLength(10);
    expect(ds.source).toBe(dir);
    expect(ds.notes).toEqual([]);
    expectMnistSplit(ds.train, 20);
    expectMnistSplit(ds.test, 10);
  });

  it('parses .gz files, in an mnist/ subfolder of the data folder', async () => {
    const root = await tempDir();
    await writeMnist(join(root, 'mnist'), mnistSet(20, 10), true);
    const ds = await loadDataset('mnist', { dataDir: root });
    expect(ds.source).toBe(join(root, 'mnist'));
    expectMnistSplit(ds.train, 20);
    expectMnistSplit(ds.test, 10);
  });

  it('goes by the content, not the name: gzip without .gz, and inflated data named .gz', async () => {
    const dir = await tempDir();
    const set = mnistSet(20, 10);
    const names = (k: MnistFileKey): string => join(dir, MNIST_FILES[k].name);
    await writeFile(names('trainImages'), gzipSync(set.trainImages));
    await writeFile(names('trainLabels'), set.trainLabels);
    await writeFile(`${names('testImages')}.gz`, set.testImages);
    await writeFile(`${names('testLabels')}.gz`, gzipSync(set.testLabels));
    const ds = await readMnist(dir);
    expectMnistSplit(ds.train, 20);
    expectMnistSplit(ds.test, 10);
  });

  it('a missing file is E_DATA_MISSING naming it', async () => {
    const dir = await tempDir();
    const { testLabels: _, ...three } = mnistSet();
    await writeMnist(dir, three, true);
    await expectDatasetError(
      loadDataset('mnist', { dataDir: dir }),
      'E_DATA_MISSING',
      't10k-labels-idx1-ubyte',
      dir,
      /--data-dir/,
    );
  });

  it('a data folder without MNIST is E_DATA_MISSING naming the folder and the file', async () => {
    const dir = await tempDir();
    await expectDatasetError(
      loadDataset('mnist', { dataDir: dir }),
      'E_DATA_MISSING',
      dir,
      'train-images-idx3-ubyte',
    );
  });

  it('a truncated IDX file (the header announces more) is E_DATA_CORRUPT', async () => {
    const dir = await tempDir();
    await writeMnist(dir, { ...mnistSet(), trainImages: mnistImages(19, 20) }, false);
    await expectDatasetError(
      readMnist(dir),
      'E_DATA_CORRUPT',
      join(dir, 'train-images-idx3-ubyte'),
      /truncated/,
    );
  });

  it('a file shorter than its header is E_DATA_CORRUPT', async () => {
    const dir = await tempDir();
    await writeMnist(dir, { ...mnistSet(), testLabels: new Uint8Array([0, 0, 8]) }, false);
    await expectDatasetError(readMnist(dir), 'E_DATA_CORRUPT', 't10k-labels-idx1-ubyte');
  });

  it('a wrong magic number is E_DATA_CORRUPT', async () => {
    const dir = await tempDir();
    // An images file where the labels belong.
    await writeMnist(dir, { ...mnistSet(), trainLabels: mnistImages(20) }, false);
    await expectDatasetError(
      readMnist(dir),
      'E_DATA_CORRUPT',
      'train-labels-idx1-ubyte',
      /magic number 2051, expected 2049/,
    );
  });

  it('a truncated .gz file is E_DATA_CORRUPT naming it', async () => {
    const dir = await tempDir();
    await writeMnist(dir, mnistSet(), true);
    const file = join(dir, 't10k-images-idx3-ubyte.gz');
    const gz = await readFile(file);
    await writeFile(file, gz.subarray(0, gz.byteLength >> 1));
    await expectDatasetError(readMnist(dir), 'E_DATA_CORRUPT', file, /download it again/);
  });

  it('a gzip bomb is refused once it inflates past what MNIST can hold, in bounded memory', async () => {
    const dir = await tempDir();
    await writeMnist(dir, mnistSet(), true);
    // 256 MiB of zeros in well under 1 MB: five times the largest MNIST file.
    const bomb = gzipSync(Buffer.alloc(256 * 1024 * 1024), { level: 9 });
    expect(bomb.byteLength).toBeLessThan(1024 * 1024);
    const file = join(dir, 'train-images-idx3-ubyte.gz');
    await writeFile(file, bomb);
    global.gc?.();
    const before = process.memoryUsage().arrayBuffers;
    await expectDatasetError(readMnist(dir), 'E_DATA_CORRUPT', file, /inflates to more than/);
    // At most the format's own bound (47 MB) was ever allocated for it.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(100 * 1024 * 1024);
  });

  it('a folder where a file should be is E_DATA_CORRUPT naming it', async () => {
    const dir = await tempDir();
    await writeMnist(dir, mnistSet(), false);
    const file = join(dir, 't10k-labels-idx1-ubyte');
    await rm(file);
    await mkdir(file);
    await expectDatasetError(readMnist(dir), 'E_DATA_CORRUPT', file, /is a folder/);
  });

  it('images and labels of different counts are E_DATA_CORRUPT', async () => {
    const dir = await tempDir();
    await writeMnist(dir, { ...mnistSet(), trainLabels: mnistLabels(19) }, false);
    await expectDatasetError(
      readMnist(dir),
      'E_DATA_CORRUPT',
      /20 images but .*train-labels-idx1-ubyte has 19 labels/,
    );
  });

  it('a label above 9 is E_DATA_CORRUPT', async () => {
    const dir = await tempDir();
    const labels = mnistLabels(10);
    labels[8 + 4] = 12;
    await writeMnist(dir, { ...mnistSet(), testLabels: labels }, false);
    await expectDatasetError(readMnist(dir), 'E_DATA_CORRUPT', /label 12 at 4/);
  });

  it('images that are not 28x28 are E_DATA_CORRUPT', async () => {
    const dir = await tempDir();
    const odd = idx(2051, [20, 27, 29], new Uint8Array(20 * 27 * 29));
    await writeMnist(dir, { ...mnistSet(), trainImages: odd }, false);
    await expectDatasetError(readMnist(dir), 'E_DATA_CORRUPT', /27x29/);
  });
});

// ---------------------------------------------------------------------------------------------
// CIFAR-10 files

describe('CIFAR-10 binary batches', () => {
  it('puts R, G and B of each pixel at [h, w, 0..2] (HWC)', () => {
    const bytes = cifarBatch([3, 7]);
    // One pixel set by hand: image 1, row 5, column 9.
    const p = 5 * 32 + 9;
    bytes[RECORD + 1 + p] = 200;
    bytes[RECORD + 1 + 1024 + p] = 100;
    bytes[RECORD + 1 + 2048 + p] = 50;
    const split = parseCifarBatches([{ file: 'b.bin', bytes }]);
    expect(split.count).toBe(2);
    expect(Array.from(split.labels)).toEqual([3, 7]);
    expect(split.images.byteLength).toBe(2 * 32 * 32 * 3);
    const at = (i: number, h: number, w: number, c: number): number =>
      split.images[i * 3072 + (h * 32 + w) * 3 + c]!;
    expect([at(1, 5, 9, 0), at(1, 5, 9, 1), at(1, 5, 9, 2)]).toEqual([200, 100, 50]);
    for (let i = 0; i < 2; i++)
      for (let h = 0; h < 32; h++)
        for (let w = 0; w < 32; w++) {
          if (i === 1 && h === 5 && w === 9) continue;
          for (let c = 0; c < 3; c++) expect(at(i, h, w, c)).toBe(cifarValue(i, c, h * 32 + w));
        }
  });

  it('reads a full folder: five batches in order, the test batch, class names', async () => {
    const dir = await tempDir();
    await writeFiles(dir, cifarSet([1, 2, 3, 4, 5], 2, 3));
    const ds = await loadDataset('cifar10', { dataDir: dir });
    expect(ds.name).toBe('cifar10');
    expect(ds.imageShape).toEqual([32, 32, 3]);
    expect(ds.classNames).toEqual(CLASSES);
    expect(ds.notes).toEqual([]);
    expect(ds.train.count).toBe(10);
    expect(Array.from(ds.train.labels)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // The first pixel of image 7 (batch 4): images follow the batch order.
    expect(Array.from(ds.train.images.subarray(7 * 3072, 7 * 3072 + 3))).toEqual([
      cifarValue(7, 0, 0),
      cifarValue(7, 1, 0),
      cifarValue(7, 2, 0),
    ]);
    expect(ds.test.count).toBe(3);
    expect(Array.from(ds.test.labels)).toEqual([9, 8, 7]);
  });

  it('a partial set (some training batches) loads with a note', async () => {
    const root = await tempDir();
    await writeFiles(join(root, 'cifar-10-batches-bin'), cifarSet([1, 3], 2, 3));
    const ds = await loadDataset('cifar10', { dataDir: root });
    expect(ds.source).toBe(join(root, 'cifar-10-batches-bin'));
    expect(ds.train.count).toBe(4);
    expect(ds.notes).toHaveLength(1);
    expect(ds.notes[0]).toMatch(/Only 2 of the 5 CIFAR-10 training batches/);
    expect(ds.notes[0]).toMatch(/data_batch_1\.bin, data_batch_3\.bin/);
    expect(ds.notes[0]).toMatch(/training on 4 images/);
  });

  it('without batches.meta.txt the class names are the standard ones', async () => {
    const dir = await tempDir();
    const files = cifarSet([1]);
    files.delete('batches.meta.txt');
    await writeFiles(dir, files);
    const ds = await readCifar10(dir);
    expect(ds.classNames[0]).toBe('airplane');
    expect(ds.classNames).toHaveLength(10);
  });

  it('a missing test batch is E_DATA_MISSING naming it', async () => {
    const dir = await tempDir();
    const files = cifarSet([1, 2, 3, 4, 5]);
    files.delete('test_batch.bin');
    await writeFiles(dir, files);
    await expectDatasetError(readCifar10(dir), 'E_DATA_MISSING', 'test_batch.bin', dir);
    await expectDatasetError(
      loadDataset('cifar10', { dataDir: dir }),
      'E_DATA_MISSING',
      'test_batch.bin',
    );
  });

  it('a folder with no training batch is E_DATA_MISSING', async () => {
    const dir = await tempDir();
    await writeFiles(dir, cifarSet([]));
    await expectDatasetError(readCifar10(dir), 'E_DATA_MISSING', /data_batch_1\.\.5\.bin/);
  });

  it('a file that is not a whole number of 3073-byte records is E_DATA_CORRUPT', async () => {
    const dir = await tempDir();
    const files = cifarSet([1, 2]);
    files.set('data_batch_2.bin', files.get('data_batch_2.bin')!.subarray(0, 2 * RECORD - 5));
    await writeFiles(dir, files);
    await expectDatasetError(
      readCifar10(dir),
      'E_DATA_CORRUPT',
      join(dir, 'data_batch_2.bin'),
      /6141 bytes/,
    );
  });

  it('an empty batch is E_DATA_CORRUPT', async () => {
    const dir = await tempDir();
    const files = cifarSet([1]);
    files.set('test_batch.bin', new Uint8Array(0));
    await writeFiles(dir, files);
    await expectDatasetError(readCifar10(dir), 'E_DATA_CORRUPT', 'test_batch.bin');
  });

  it('label 11 is E_DATA_CORRUPT', async () => {
    const dir = await tempDir();
    const files = cifarSet([1], 2, 3);
    files.get('test_batch.bin')![2 * RECORD] = 11;
    await writeFiles(dir, files);
    await expectDatasetError(readCifar10(dir), 'E_DATA_CORRUPT', 'test_batch.bin', /label 11/);
  });

  it('reads gzipped batches too', async () => {
    const dir = await tempDir();
    const files = cifarSet([1, 2, 3, 4, 5]);
    await writeFiles(dir, new Map([...files].map(([n, b]) => [`${n}.gz`, gzipSync(b)])));
    const ds = await readCifar10(dir);
    expect(ds.train.count).toBe(10);
    expect(ds.test.count).toBe(3);
  });
});

// ---------------------------------------------------------------------------------------------
// tar

describe('untarGz', () => {
  it('reads POSIX ustar entries, joining a long path from prefix and name', () => {
    const long = `${'d'.repeat(60)}/${'e'.repeat(60)}/file.bin`;
    const files = untarGz(
      tarGz([
        ['top/', null],
        ['top/a.txt', new TextEncoder().encode('hello')],
        [long, new Uint8Array(700).fill(7)],
        ['top/empty', new Uint8Array(0)],
      ]),
      'x.tar.gz',
    );
    expect([...files.keys()]).toEqual(['top/a.txt', long, 'top/empty']);
    expect(new TextDecoder().decode(files.get('top/a.txt'))).toBe('hello');
    expect(Uint8Array.from(files.get(long)!)).toEqual(new Uint8Array(700).fill(7));
    expect(files.get('top/empty')!.byteLength).toBe(0);
  });

  it('does not read the access time of old GNU headers as a path prefix', () => {
    const files = untarGz(tarGz([['top/a.bin', new Uint8Array([1, 2, 3])]], true), 'x.tar.gz');
    expect([...files.keys()]).toEqual(['top/a.bin']);
  });

  it('a cut-short archive is E_DATA_CORRUPT', async () => {
    const tar = concat(tarEntry('a.bin', new Uint8Array(4096)));
    const cut = gzipSync(tar.subarray(0, 2048));
    await expectDatasetError(
      Promise.resolve().then(() => untarGz(cut, 'x.tar.gz')),
      'E_DATA_CORRUPT',
      /x\.tar\.gz.*cut short/,
    );
    const broken = tarGz([['a.bin', new Uint8Array(10)]]).subarray(0, 30);
    await expectDatasetError(
      Promise.resolve().then(() => untarGz(broken, 'y.tar.gz')),
      'E_DATA_CORRUPT',
      'y.tar.gz',
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Downloads

describe('MNIST download into the cache', () => {
  it('downloads the four files with progress, then uses the cache without a request', async () => {
    const set = mnistSet(20, 10);
    const { routes, gz, digests } = serveMnist(set);
    const server = await startServer(routes);
    const cacheDir = await tempDir();
    const progress: DownloadProgress[] = [];
    const ds = await loadDataset('mnist', {
      cacheDir,
      mnistUrl: server.url,
      digests: { mnist: digests },
      onProgress: (p) => progress.push(p),
    });
    expectMnistSplit(ds.train, 20);
    expectMnistSplit(ds.test, 10);
    expect(ds.source).toBe(join(cacheDir, 'mnist'));
    expect(server.hits).toHaveLength(4);

    const names = Object.values(MNIST_FILES).map((f) => `${f.name}.gz`);
    expect(await listFiles(cacheDir)).toEqual(names.map((n) => join('mnist', n)).sort());
    for (const key of Object.keys(MNIST_FILES) as MnistFileKey[]) {
      const file = `${MNIST_FILES[key].name}.gz`;
      expect(await readFile(join(cacheDir, 'mnist', file))).toEqual(Buffer.from(gz[key]));
      const mine = progress.filter((p) => p.file === file);
      expect(mine.length, file).toBeGreaterThan(0);
      expect(mine.at(-1)).toEqual({
        file,
        receivedBytes: gz[key].byteLength,
        totalBytes: gz[key].byteLength,
      });
      for (const p of mine) expect(p.receivedBytes).toBeGreaterThan(0);
    }

    progress.length = 0;
    const again = await loadDataset('mnist', {
      cacheDir,
      mnistUrl: server.url,
      digests: { mnist: digests },
      onProgress: (p) => progress.push(p),
    });
    expect(server.hits).toHaveLength(4);
    expect(progress).toEqual([]);
    expectMnistSplit(again.train, 20);
  });

  it('accepts a base URL without the trailing slash', async () => {
    const { routes, digests } = serveMnist(mnistSet(20, 10));
    const server = await startServer(routes);
    const ds = await loadDataset('mnist', {
      cacheDir: await tempDir(),
      mnistUrl: server.url.slice(0, -1),
      digests: { mnist: digests },
    });
    expect(ds.train.count).toBe(20);
  });

  it('a checksum mismatch is E_DATA_CHECKSUM and leaves no file; a rerun fetches only the rest', async () => {
    const { routes, digests } = serveMnist(mnistSet(20, 10));
    const server = await startServer(routes);
    const cacheDir = await tempDir();
    const wrong = { ...digests, trainLabels: '0'.repeat(64) };
    await expectDatasetError(
      loadDataset('mnist', { cacheDir, mnistUrl: server.url, digests: { mnist: wrong } }),
      'E_DATA_CHECKSUM',
      'train-labels-idx1-ubyte.gz',
      digests.trainLabels,
      /Run again/,
    );
    // The file before it stays; the bad one is neither under its name nor as a .partial.
    expect(await listFiles(cacheDir)).toEqual([join('mnist', 'train-images-idx3-ubyte.gz')]);

    server.hits.length = 0;
    const ds = await loadDataset('mnist', {
      cacheDir,
      mnistUrl: server.url,
      digests: { mnist: digests },
    });
    expect(ds.train.count).toBe(20);
    expect(server.hits).toEqual([
      '/train-labels-idx1-ubyte.gz',
      '/t10k-images-idx3-ubyte.gz',
      '/t10k-labels-idx1-ubyte.gz',
    ]);
  });

  it('the official digests reject other files', async () => {
    const { routes } = serveMnist(mnistSet(20, 10));
    const server = await startServer(routes);
    const cacheDir = await tempDir();
    await expectDatasetError(
      loadDataset('mnist', { cacheDir, mnistUrl: server.url }),
      'E_DATA_CHECKSUM',
      OFFICIAL_DIGESTS.mnist.trainImages,
    );
    expect(await listFiles(cacheDir)).toEqual([]);
  });

  it('HTTP 404 is E_DATA_DOWNLOAD naming the file and URL', async () => {
    const server = await startServer({});
    const cacheDir = await tempDir();
    await expectDatasetError(
      loadDataset('mnist', { cacheDir, mnistUrl: server.url }),
      'E_DATA_DOWNLOAD',
      /HTTP 404/,
      `${server.url}train-images-idx3-ubyte.gz`,
      /--data-dir/,
    );
    expect(await listFiles(cacheDir)).toEqual([]);
  });

  it('a refused connection is E_DATA_DOWNLOAD saying to check the connection or use --data-dir', async () => {
    // A port that was just free: nothing listens there any more.
    const closed = await startServer({});
    const url = closed.url;
    await closed.close();
    servers.splice(servers.indexOf(closed), 1);
    const cacheDir = await tempDir();
    await expectDatasetError(
      loadDataset('mnist', { cacheDir, mnistUrl: url }),
      'E_DATA_DOWNLOAD',
      'train-images-idx3-ubyte.gz',
      /ECONNREFUSED/,
      /Check the internet connection/,
      /--data-dir/,
    );
    expect(await listFiles(cacheDir)).toEqual([]);
  });

  it('a connection dropped mid-body is E_DATA_DOWNLOAD and leaves no file', async () => {
    const { routes, digests } = serveMnist(mnistSet(200, 10));
    routes['/train-images-idx3-ubyte.gz']!.cut = true;
    const server = await startServer(routes);
    const cacheDir = await tempDir();
    await expectDatasetError(
      loadDataset('mnist', { cacheDir, mnistUrl: server.url, digests: { mnist: digests } }),
      'E_DATA_DOWNLOAD',
      'train-images-idx3-ubyte.gz',
      /broke off after [1-9]\d* bytes/,
      /Run again/,
    );
    expect(await listFiles(cacheDir)).toEqual([]);
    expect(server.hits).toEqual(['/train-images-idx3-ubyte.gz']);
  });
});

describe('CIFAR-10 download into the cache', () => {
  it('downloads the archive, extracts the batches, deletes the archive, then uses the cache', async () => {
    const files = cifarSet([1, 2, 3, 4, 5], 2, 3);
    const archive = cifarArchive(files);
    const server = await startServer({ '/cifar-10-binary.tar.gz': { body: archive } });
    const cacheDir = await tempDir();
    const progress: DownloadProgress[] = [];
    const opts = {
      cacheDir,
      cifarUrl: server.url, // a base URL: the archive name is appended
      digests: { cifar10: md5(archive) },
      onProgress: (p: DownloadProgress) => progress.push(p),
    };
    const ds = await loadDataset('cifar10', opts);
    expect(ds.source).toBe(join(cacheDir, 'cifar-10-batches-bin'));
    expect(ds.notes).toEqual([]);
    expect(ds.classNames).toEqual(CLASSES);
    expect(ds.train.count).toBe(10);
    expect(ds.test.count).toBe(3);
    expect(Array.from(ds.test.labels)).toEqual([9, 8, 7]);
    expect(ds.train.images[9 * 3072 + 33 * 3 + 2]).toBe(cifarValue(9, 2, 33));
    expect(progress.at(-1)).toEqual({
      file: 'cifar-10-binary.tar.gz',
      receivedBytes: archive.byteLength,
      totalBytes: archive.byteLength,
    });
    expect(await listFiles(cacheDir)).toEqual(
      [...files.keys(), 'readme.html'].map((n) => join('cifar-10-batches-bin', n)).sort(),
    );
    for (const [name, bytes] of files)
      expect(await readFile(join(cacheDir, 'cifar-10-batches-bin', name))).toEqual(
        Buffer.from(bytes),
      );

    const again = await loadDataset('cifar10', {
      ...opts,
      cifarUrl: `${server.url}cifar-10-binary.tar.gz`,
    });
    expect(server.hits).toEqual(['/cifar-10-binary.tar.gz']);
    expect(again.train.count).toBe(10);
  });

  it('takes a full archive URL too', async () => {
    const archive = cifarArchive(cifarSet([1, 2, 3, 4, 5]));
    const server = await startServer({ '/mirror/c10.tgz': { body: archive } });
    const ds = await loadDataset('cifar10', {
      cacheDir: await tempDir(),
      cifarUrl: `${server.url}mirror/c10.tgz`,
      digests: { cifar10: md5(archive) },
    });
    expect(ds.train.count).toBe(10);
  });

  it('a wrong MD5 is E_DATA_CHECKSUM and extracts nothing', async () => {
    const archive = cifarArchive(cifarSet([1, 2, 3, 4, 5]));
    const server = await startServer({ '/cifar-10-binary.tar.gz': { body: archive } });
    const cacheDir = await tempDir();
    await expectDatasetError(
      loadDataset('cifar10', { cacheDir, cifarUrl: server.url }),
      'E_DATA_CHECKSUM',
      'cifar-10-binary.tar.gz',
      OFFICIAL_DIGESTS.cifar10,
    );
    expect(await listFiles(cacheDir)).toEqual([]);
  });

  it('an archive without the batches is E_DATA_CORRUPT, and is deleted', async () => {
    const files = cifarSet([1, 2, 3, 4, 5]);
    files.delete('test_batch.bin');
    const archive = cifarArchive(files);
    const server = await startServer({ '/cifar-10-binary.tar.gz': { body: archive } });
    const cacheDir = await tempDir();
    await expectDatasetError(
      loadDataset('cifar10', {
        cacheDir,
        cifarUrl: server.url,
        digests: { cifar10: md5(archive) },
      }),
      'E_DATA_CORRUPT',
      'cifar-10-batches-bin/test_batch.bin',
    );
    expect(await listFiles(cacheDir)).toEqual([]);
  });

  it('a half-extracted cache (no test batch) is downloaded again', async () => {
    const files = cifarSet([1, 2, 3, 4, 5]);
    const archive = cifarArchive(files);
    const server = await startServer({ '/cifar-10-binary.tar.gz': { body: archive } });
    const cacheDir = await tempDir();
    const partial = new Map(files);
    partial.delete('test_batch.bin');
    await writeFiles(join(cacheDir, 'cifar-10-batches-bin'), partial);
    const ds = await loadDataset('cifar10', {
      cacheDir,
      cifarUrl: server.url,
      digests: { cifar10: md5(archive) },
    });
    expect(server.hits).toHaveLength(1);
    expect(ds.test.count).toBe(3);
  });
});

// ---------------------------------------------------------------------------------------------
// The real data, when this machine has it

const REAL = resolve(import.meta.dirname, '../../../shared/datasets');
const haveReal = existsSync(REAL);

describe.skipIf(!haveReal)(
  haveReal ? `real datasets in ${REAL}` : `real datasets (skipped: ${REAL} does not exist)`,
  () => {
    it('MNIST: 60000 train and 10000 test images, the known first labels', async () => {
      const ds = await loadDataset('mnist', { dataDir: REAL });
      expect(ds.train.count).toBe(60000);
      expect(ds.test.count).toBe(10000);
      expect(ds.train.images.byteLength).toBe(60000 * 784);
      expect(ds.test.images.byteLength).toBe(10000 * 784);
      expect(Array.from(ds.train.labels.subarray(0, 5))).toEqual([5, 0, 4, 1, 9]);
      expect(Array.from(ds.test.labels.subarray(0, 5))).toEqual([7, 2, 1, 0, 4]);
    });

    it('MNIST: the .gz files have the official SHA-256', async () => {
      for (const f of Object.values(MNIST_FILES))
        expect(sha256(await readFile(join(REAL, 'mnist', `${f.name}.gz`))), f.name).toBe(f.sha256);
    });

    it('CIFAR-10: 10000 train (1 of 5 batches, noted) and 10000 test images', async () => {
      const ds = await loadDataset('cifar10', { dataDir: REAL });
      expect(ds.train.count).toBe(10000);
      expect(ds.test.count).toBe(10000);
      expect(ds.train.images.byteLength).toBe(10000 * 3072);
      expect(ds.notes).toHaveLength(1);
      expect(ds.notes[0]).toMatch(/Only 1 of the 5 CIFAR-10 training batches/);
      expect(ds.classNames[0]).toBe('airplane');
      expect(ds.classNames[9]).toBe('truck');
      const perClass = new Array<number>(10).fill(0);
      for (const l of ds.test.labels) perClass[l]!++;
      expect(perClass).toEqual(new Array<number>(10).fill(1000));
    });
  },
);
