// The tfjs export, checked by what opens it: a fresh Node process with stock @tensorflow/tfjs
// alone (tfjs-load.mjs, no Netforge module) loads the files and reproduces Netforge's
// predictions, for templates on real test images and for every convolution variant.
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { selectBackend, tf } from '../../src/main/engine/backend.ts';
import { tfjsWriter } from '../../src/main/engine/export/tfjs.ts';
import { designSource, type ExportSource } from '../../src/main/engine/export/source.ts';
import { staged } from '../../src/main/engine/export/writer.ts';
import { loadTfjsModel } from '../../src/main/engine/load-model.ts';
import { saveTfjsModel } from '../../src/main/engine/save-model.ts';
import { checkExport, formatInfo } from '../../src/shared/export/index.ts';
import { flattenNetwork } from '../../src/shared/graph/layers.ts';
import { getTemplate, TEMPLATES } from '../../src/shared/templates/index.ts';
import { tempDirs } from '../engine/fixtures.ts';
import {
  convVariantsGraph,
  cutAt,
  haveRealData,
  maxAbsDiff,
  randomInputs,
  realImages,
  REAL_DATA,
  softmaxRows,
  varyWeights,
} from './helpers.ts';

const LOADER = join(import.meta.dirname, 'tfjs-load.mjs');
const dirs = tempDirs('export-tfjs');

beforeAll(async () => {
  await selectBackend('wasm');
});
afterAll(() => dirs.cleanup());

interface Inputs {
  data: Float32Array;
  shape: number[];
}

async function exportTfjs(source: ExportSource): Promise<{ dir: string; files: string[] }> {
  const dir = join(await dirs.make(), 'model-tfjs');
  const files = await staged(dir, 'folder', (path) =>
    tfjsWriter.write(tf, source, path, {}, () => {}),
  );
  return { dir, files };
}

/** What stock TF.js in a process of its own predicts from the files in `dir`. */
async function stockPredict(
  dir: string,
  x: Inputs,
  backend: 'cpu' | 'wasm',
): Promise<{ values: Float32Array; classes: string[] }> {
  const scratch = await dirs.make();
  const [inputs, out] = [join(scratch, 'x.f32'), join(scratch, 'y.f32')];
  await writeFile(inputs, new Uint8Array(x.data.buffer, x.data.byteOffset, x.data.byteLength));
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [LOADER, dir, inputs, JSON.stringify(x.shape), backend, out],
    { maxBuffer: 1 << 24 },
  );
  const bytes = await readFile(out);
  const values = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  return { values, classes: (JSON.parse(stdout) as { classes: string[] }).classes };
}

/** The source model's own predictions, in this process. */
function netforgePredict(source: ExportSource, x: Inputs): Float32Array {
  return tf.tidy(() => {
    const y = source.model.predict(tf.tensor(x.data, x.shape), { batchSize: 50 });
    return (y as ReturnType<typeof tf.tensor>).dataSync() as Float32Array;
  });
}

/** Softmax over the classes, for networks that end in logits; as they are for softmax ones. */
function probabilities(source: ExportSource, values: Float32Array): Float32Array {
  const out = source.network.output;
  if (out.spec.producesSoftmax(out.params)) return values;
  return softmaxRows(values, out.outputShape[0]!);
}

describe('tfjs export: declarations', () => {
  it('every template and every convolution variant can be exported', () => {
    for (const t of TEMPLATES) expect(checkExport(t.build(), 'tfjs'), t.id).toEqual([]);
    expect(checkExport(convVariantsGraph(), 'tfjs')).toEqual([]);
  });

  it('a layer needing a Netforge class without a stock equivalent is refused, by name', () => {
    const layer = flattenNetwork(convVariantsGraph()).layers.find((l) => l.name === 'even')!;
    const mystery = {
      ...layer,
      kind: 'mystery',
      spec: { ...layer.spec, label: 'Mystery', needsCustomClass: () => true },
    };
    expect(formatInfo('tfjs').unsupported(layer)).toBeNull();
    expect(formatInfo('tfjs').unsupported(mystery)).toMatch(/Mystery .*stock TensorFlow\.js/);
  });
});

describe.skipIf(!haveRealData)(
  haveRealData
    ? 'tfjs export: stock TF.js reproduces the templates on 100 real test images'
    : `tfjs export on real images (skipped: ${REAL_DATA} does not exist)`,
  () => {
    it.each(['lenet5', 'resnet18', 'densenet'])(
      '%s',
      async (id) => {
        const template = getTemplate(id)!;
        const source = designSource(tf, template.build());
        try {
          varyWeights(tf, source.model, 12);
          const { dir, files } = await exportTfjs(source);
          expect(files).toEqual(['model.json', 'weights.bin']);
          expect(await readFile(join(dir, 'model.json'), 'utf8')).not.toMatch(/Netforge[A-Z]/);
          const x = await realImages(template.dataset, 100);
          // wasm in both processes: the same kernels, and seconds instead of minutes.
          const stock = await stockPredict(dir, x, 'wasm');
          const ours = netforgePredict(source, x);
          // Images tell apart: the comparison is not between two constant outputs.
          expect(maxAbsDiff(ours.subarray(0, 10), ours.subarray(10, 20))).toBeGreaterThan(1e-3);
          const diff = maxAbsDiff(probabilities(source, stock.values), probabilities(source, ours));
          console.log(`tfjs ${id}: max |softmax difference| over 100 images = ${diff}`);
          expect(diff).toBeLessThan(1e-5);
        } finally {
          source.model.dispose();
        }
      },
      300_000,
    );
  },
);

describe('tfjs export: layers that need a Netforge class in the run become stock layers', () => {
  it('a finished run of every convolution variant: its own files need Netforge, the export does not', async () => {
    await tf.setBackend('cpu'); // the same kernels as the stock process's cpu backend
    const design = designSource(tf, convVariantsGraph());
    varyWeights(tf, design.model, 5);
    const runModel = await dirs.make();
    await saveTfjsModel(tf, design.model, runModel);
    design.model.dispose();
    // As runSource reads a run: the saved model, with Netforge's classes registered.
    const source = { ...design, model: await loadTfjsModel(tf, runModel), trained: true };
    try {
      const x = { data: randomInputs([20, 32, 32, 3], 3), shape: [20, 32, 32, 3] };
      await expect(stockPredict(runModel, x, 'cpu')).rejects.toThrow(
        /Unknown layer: Netforge(Conv2DTranspose|SeparableConv2D)/,
      );
      const { dir } = await exportTfjs(source);
      const stock = await stockPredict(dir, x, 'cpu');
      expect(stock.classes.filter((c) => c.startsWith('Netforge'))).toEqual([]);
      expect(stock.classes).toEqual(
        expect.arrayContaining([
          'Conv2DTranspose',
          'Cropping2D',
          'ZeroPadding2D',
          'SeparableConv2D',
        ]),
      );
      const diffs: Record<string, number> = {
        [source.network.output.name]: maxAbsDiff(stock.values, netforgePredict(source, x)),
      };
      // The layers whose Netforge class the export replaces, each compared where it ends.
      for (const name of ['up_padded', 'separable', 'up_sized']) {
        const cut = cutAt(tf, source, name);
        const stockCut = await stockPredict((await exportTfjs(cut)).dir, x, 'cpu');
        diffs[name] = maxAbsDiff(stockCut.values, netforgePredict(cut, x));
      }
      const worst = Math.max(...Object.values(diffs));
      console.log(
        `tfjs conv variants: max |difference| (replaced layers, softmax output) = ${worst}`,
      );
      expect(Object.entries(diffs).filter(([, d]) => !(d < 1e-5))).toEqual([]);
    } finally {
      source.model.dispose();
      await selectBackend('wasm');
    }
  }, 120_000);
});
