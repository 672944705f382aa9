// The PyTorch export of trained runs: LeNet-5 (MNIST), ResNet18 (BatchNorm, Add) and the
// DenseNet template (Concatenate) are trained briefly by Netforge on the real data, exported
// from their run folders, and python3 with torch (torch.load + model.py, train.py's own data
// reading and normalisation) reproduces Netforge's outputs on 100 real test images within 1e-4.
import { existsSync } from 'node:fs';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { tf } from '../../src/main/engine/backend.ts';
import { makeBatch } from '../../src/main/engine/batches.ts';
import { loadDataset } from '../../src/main/engine/datasets/index.ts';
import { PYTORCH_FILES, pytorchWriter } from '../../src/main/engine/export/pytorch.ts';
import { runSource } from '../../src/main/engine/export/source.ts';
import { staged } from '../../src/main/engine/export/writer.ts';
import { runTraining } from '../../src/main/engine/run.ts';
import { checkExport, formatInfo } from '../../src/shared/export/index.ts';
import type { TrainingEvent } from '../../src/shared/events.ts';
import { TEMPLATES, getTemplate } from '../../src/shared/templates/index.ts';
import { tempDirs, trainRequest } from '../engine/fixtures.ts';
import { jsonLines, runPython, torchPython, torchTitle } from '../helpers/torch-python.ts';
import { f32bytes } from '../codegen/torch-cases.ts';

const REAL = resolve(import.meta.dirname, '../../../shared/datasets');
const haveReal = existsSync(REAL);
const IMAGES = 100;
const TOLERANCE = 1e-4;
const dirs = tempDirs('torch-export');
afterAll(() => dirs.cleanup());

describe('the pytorch format', () => {
  it('expresses every template', () => {
    for (const t of TEMPLATES) expect(checkExport(t.build(), 'pytorch'), t.id).toEqual([]);
    expect(formatInfo('pytorch').output).toBe('folder');
  });
});

/** Trained briefly: LeNet-5 for an epoch of 512 images, the CIFAR-10 nets for one step. */
const RUNS = [
  { id: 'lenet5', limitTrain: 512 },
  { id: 'resnet18', limitTrain: 32 },
  { id: 'densenet', limitTrain: 32 },
];

const CHECK = `
import importlib, json, sys, torch
def check(folder, data_dir, dataset, n):
    sys.path.insert(0, folder)
    for name in ("model", "train"):
        sys.modules.pop(name, None)
    model, train = importlib.import_module("model"), importlib.import_module("train")
    sys.path.pop(0)
    net = model.Net()
    net.load_state_dict(torch.load(folder + "/weights.pt", weights_only=True))
    net.eval()
    _, (test_x, test_y) = train.load_dataset(dataset, data_dir)
    x = train.normaliser(dataset)(test_x[:n])
    with torch.no_grad():
        out = net(x)
    def read(name, shape):
        return torch.frombuffer(bytearray(open(folder + "/" + name, "rb").read()), dtype=torch.float32).reshape(shape)
    xs, ys = read("netforge-x.bin", x.shape), read("netforge-y.bin", out.shape)
    return {
        "maxDiff": (out - ys).abs().max().item(),
        "maxAbs": ys.abs().max().item(),
        "softmaxDiff": (out.softmax(-1) - ys.softmax(-1)).abs().max().item(),
        "inputDiff": (x - xs).abs().max().item(),
        "sameClass": (out.argmax(-1) == ys.argmax(-1)).sum().item(),
        "labels": test_y[:n].tolist(),
    }
args = sys.argv[1:]
for i in range(0, len(args), 4):
    result = check(args[i], args[i + 1], args[i + 2], int(args[i + 3]))
    print(json.dumps({"folder": args[i], **result}), flush=True)
`;

interface Check {
  maxDiff: number;
  maxAbs: number;
  softmaxDiff: number;
  inputDiff: number;
  sameClass: number;
  labels: number[];
}

describe.skipIf(!haveReal || !torchPython())(
  !haveReal ? `PyTorch export (skipped: ${REAL} does not exist)` : torchTitle('PyTorch export'),
  () => {
    const checks = new Map<string, Check>();
    const progress = new Map<string, number[]>();
    const outs = new Map<string, string>();
    const labels = new Map<string, number[]>();

    beforeAll(async () => {
      const args: string[] = [];
      for (const { id, limitTrain } of RUNS) {
        const template = getTemplate(id)!;
        const runDir = await dirs.make();
        const events: TrainingEvent[] = [];
        const config = { dataset: template.dataset, epochs: 1, limitTrain, limitTest: 10 };
        await runTraining(trainRequest(runDir, REAL, config, { graph: template.build() }), (e) =>
          events.push(e),
        );
        const failed = events.find((e) => e.type === 'error');
        if (failed) throw new Error(`training ${id} failed: ${JSON.stringify(failed)}`);
        const source = await runSource(tf, runDir);
        const out = join(await dirs.make(), `${id}-pytorch`);
        const seen: number[] = [];
        await staged(out, 'folder', (p) =>
          pytorchWriter.write(tf, source, p, {}, (f) => seen.push(f)),
        );
        progress.set(id, seen);
        outs.set(id, out);
        // Netforge's predictions on the first test images, as its evaluation computes them.
        const ds = await loadDataset(template.dataset, { dataDir: REAL });
        const batch = makeBatch(
          tf,
          ds,
          ds.test,
          Uint32Array.from({ length: IMAGES }, (_, i) => i),
        );
        const y = source.model.predict(batch.xs) as ReturnType<typeof tf.tensor>;
        await writeFile(join(out, 'netforge-x.bin'), f32bytes(batch.xs));
        await writeFile(join(out, 'netforge-y.bin'), f32bytes(y));
        labels.set(id, Array.from(ds.test.labels.subarray(0, IMAGES)));
        y.dispose();
        batch.xs.dispose();
        batch.ys.dispose();
        args.push(out, REAL, template.dataset, String(IMAGES));
      }
      const r = await runPython(CHECK, args);
      if (r.code !== 0) throw new Error(`python3 failed: ${r.stderr}`);
      for (const c of jsonLines<Check & { folder: string }>(r.stdout))
        checks.set(RUNS.find((run) => outs.get(run.id) === c.folder)!.id, c);
    }, 900_000);

    afterAll(() => {
      const rows = [...checks].map(
        ([id, c]) =>
          `${id} ${c.maxDiff.toExponential(2)} (softmax ${c.softmaxDiff.toExponential(2)})`,
      );
      console.log(
        `PyTorch export, max |Netforge - torch| on ${IMAGES} test images: ${rows.join(', ')}`,
      );
    });

    it.each(RUNS.map((r) => r.id))('%s: torch reproduces Netforge on real test images', (id) => {
      const c = checks.get(id)!;
      expect(c.inputDiff, "train.py's images vs Netforge's").toBe(0);
      expect(c.labels).toEqual(labels.get(id));
      expect(c.maxDiff, `outputs up to ${c.maxAbs}`).toBeLessThan(TOLERANCE);
      expect(c.softmaxDiff).toBeLessThan(TOLERANCE);
      expect(c.sameClass).toBe(IMAGES);
    });

    it('writes the four files, all-or-nothing, telling its progress', async () => {
      for (const [id, out] of outs) {
        const files = (await readdir(out)).filter((f) => !f.startsWith('netforge-'));
        expect(files.sort(), id).toEqual([...PYTORCH_FILES].sort());
        expect(progress.get(id)!.at(-1)).toBe(1);
        const readme = await readFile(join(out, 'README.txt'), 'utf8');
        expect(readme).toMatch(/the trained weights of the run/);
        expect(readme).toMatch(/torchrun --nproc-per-node 2 train.py/);
        // No staging folder is left beside the export.
        expect((await readdir(resolve(out, '..'))).filter((f) => f.includes('.partial-'))).toEqual(
          [],
        );
      }
    });
  },
);
