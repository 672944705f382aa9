// train.py prepares images as Netforge's batches.ts does: the same floats from the same bytes
// (MNIST / 255, CIFAR-10 to [-1, 1]), and the same CIFAR-10 augmentation for the same shifts
// and flips (those of makeBatch's seeded draws, replayed here).
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import { tf } from '../../src/main/engine/backend.ts';
import { makeBatch } from '../../src/main/engine/batches.ts';
import type { Dataset } from '../../src/main/engine/datasets/index.ts';
import { pytorchWriter } from '../../src/main/engine/export/pytorch.ts';
import { designSource } from '../../src/main/engine/export/source.ts';
import { rng } from '../../src/main/engine/random.ts';
import type { DatasetName } from '../../src/shared/graph/types.ts';
import { getTemplate } from '../../src/shared/templates/index.ts';
import { f32bytes } from '../codegen/torch-cases.ts';
import { tempDirs } from '../engine/fixtures.ts';
import { jsonLines, runPython, torchPython, torchTitle } from '../helpers/torch-python.ts';

const dirs = tempDirs('torch-data');
afterAll(() => dirs.cleanup());
const N = 12;

/** N random images of `name`'s shape as a dataset's training split. */
function dataset(name: DatasetName, seed: number): Dataset {
  const shape: [number, number, number] = name === 'mnist' ? [28, 28, 1] : [32, 32, 3];
  const r = rng(seed);
  const images = Uint8Array.from({ length: N * shape[0] * shape[1] * shape[2] }, () =>
    Math.floor(r() * 256),
  );
  const split = { images, labels: new Uint8Array(N), count: N };
  return {
    name,
    classNames: [...'0123456789'],
    imageShape: shape,
    train: split,
    test: split,
    source: '',
    notes: [],
  };
}

const CHECK = `
import json, sys, torch
folder, dataset, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
sys.path.insert(0, folder)
import train
meta = json.load(open(folder + "/meta.json"))
def read(name, dtype, shape):
    return torch.frombuffer(bytearray(open(folder + "/" + name, "rb").read()), dtype=dtype).reshape(shape)
shape = meta["shape"]
images = read("images.bin", torch.uint8, [n] + shape)
normalise = train.normaliser(dataset)
x = normalise(images)
result = {"plain": (x - read("plain.bin", torch.float32, [n] + shape)).abs().max().item()}
if "shifts" in meta:
    black = normalise(torch.zeros(1, dtype=torch.uint8)).item()
    aug = train.shift_and_flip(x, black, meta["shifts"], meta["flips"])
    result["augmented"] = (aug - read("augmented.bin", torch.float32, [n] + shape)).abs().max().item()
    result["changed"] = (aug - x).abs().max().item()
print(json.dumps(result))
`;

describe.skipIf(!torchPython())(torchTitle("train.py's images vs Netforge's batches"), () => {
  it.each(['mnist', 'cifar10'] as const)(
    '%s',
    async (name) => {
      await tf.setBackend('cpu');
      const template = name === 'mnist' ? 'lenet5' : 'cifar-small';
      const folder = await dirs.make();
      const source = designSource(tf, getTemplate(template)!.build(), { dataset: name });
      await pytorchWriter.write(tf, source, folder, {}, () => {});
      const ds = dataset(name, 5);
      const all = Uint32Array.from({ length: N }, (_, i) => i);
      const plain = makeBatch(tf, ds, ds.train, all);
      await writeFile(join(folder, 'images.bin'), ds.train.images);
      await writeFile(join(folder, 'plain.bin'), f32bytes(plain.xs));
      const meta: Record<string, unknown> = { shape: ds.imageShape };
      if (name === 'cifar10') {
        const seed = 1234;
        const augmented = makeBatch(tf, ds, ds.train, all, { augmentSeed: seed });
        await writeFile(join(folder, 'augmented.bin'), f32bytes(augmented.xs));
        // makeBatch draws dy, dx and the flip, in that order, for each image.
        const r = rng(seed);
        const draws = Array.from({ length: N }, () => {
          const dy = Math.floor(r() * 9) - 4;
          const dx = Math.floor(r() * 9) - 4;
          return { shift: [dy, dx], flip: r() < 0.5 };
        });
        meta.shifts = draws.map((d) => d.shift);
        meta.flips = draws.map((d) => d.flip);
        expect(draws.some((d) => d.flip) && draws.some((d) => !d.flip)).toBe(true);
      }
      await writeFile(join(folder, 'meta.json'), JSON.stringify(meta));
      const r = await runPython(CHECK, [folder, name, String(N)]);
      expect(r.code, r.stderr).toBe(0);
      const result = jsonLines<{ plain: number; augmented?: number; changed?: number }>(
        r.stdout,
      )[0]!;
      expect(result.plain).toBe(0);
      if (name === 'cifar10') {
        expect(result.augmented).toBe(0);
        expect(result.changed).toBeGreaterThan(0.5);
      }
    },
    120_000,
  );
});
