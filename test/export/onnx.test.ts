// The ONNX export, checked by what opens it: ONNX Runtime (onnxruntime-node, CPU) runs the
// exported templates on real test images and a graph of every convolution variant and matches
// tfjs within 1e-4, and the onnx package's checker (full_check) accepts every file written.
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type * as Ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { selectBackend, tf } from '../../src/main/engine/backend.ts';
import { compileGraph } from '../../src/main/engine/compile.ts';
import { onnxWriter } from '../../src/main/engine/export/onnx.ts';
import { designSource, type ExportSource } from '../../src/main/engine/export/source.ts';
import { staged } from '../../src/main/engine/export/writer.ts';
import { loadTfjsModel } from '../../src/main/engine/load-model.ts';
import { saveTfjsModel } from '../../src/main/engine/save-model.ts';
import { checkExport, formatInfo } from '../../src/shared/export/index.ts';
import { ONNX_KINDS } from '../../src/shared/export/onnx.ts';
import { GraphBuilder } from '../../src/shared/graph/builder.ts';
import { flattenNetwork } from '../../src/shared/graph/layers.ts';
import { LAYERS } from '../../src/shared/layers/registry.ts';
import { getTemplate, TEMPLATES } from '../../src/shared/templates/index.ts';
import { trainConfigSchema } from '../../src/shared/train-config.ts';
import { tempDirs } from '../engine/fixtures.ts';
import {
  convVariantsGraph,
  cutAt,
  haveRealData,
  maxAbsDiff,
  pythonWith,
  randomInputs,
  realImages,
  REAL_DATA,
  softmaxRows,
  varyWeights,
} from './helpers.ts';

const ort = createRequire(import.meta.url)('onnxruntime-node') as typeof Ort;
const dirs = tempDirs('export-onnx');
/** Every file the tests wrote, for the checker at the end. */
const written: string[] = [];
const python = pythonWith('onnx');

beforeAll(async () => {
  await selectBackend('wasm');
});
afterAll(() => dirs.cleanup());

interface Inputs {
  data: Float32Array;
  shape: number[];
}

async function exportOnnx(source: ExportSource): Promise<string> {
  const file = join(await dirs.make(), 'model.onnx');
  const files = await staged(file, 'file', (path) =>
    onnxWriter.write(tf, source, path, {}, () => {}),
  );
  expect(files).toEqual(['model.onnx']);
  written.push(file);
  return file;
}

/** ONNX Runtime's output for `x` (the graph's one NHWC input). */
async function runOnnx(file: string, x: Inputs): Promise<{ values: Float32Array; dims: number[] }> {
  const session = await ort.InferenceSession.create(file, { executionProviders: ['cpu'] });
  try {
    expect(session.inputNames).toHaveLength(1);
    const result = await session.run({
      [session.inputNames[0]!]: new ort.Tensor('float32', x.data, x.shape),
    });
    const y = result[session.outputNames[0]!]!;
    return { values: y.data as Float32Array, dims: [...y.dims] };
  } finally {
    await session.release();
  }
}

function tfjsPredict(source: ExportSource, x: Inputs): Float32Array {
  return tf.tidy(() => {
    const y = source.model.predict(tf.tensor(x.data, x.shape), { batchSize: 50 });
    return (y as ReturnType<typeof tf.tensor>).dataSync() as Float32Array;
  });
}

describe('onnx export: declarations', () => {
  it('has an emitter for every primitive layer kind, so every template can be exported', () => {
    const primitive = LAYERS.filter((l) => !l.expand).map((l) => l.kind);
    expect([...ONNX_KINDS].sort()).toEqual(primitive.sort());
    for (const t of TEMPLATES) expect(checkExport(t.build(), 'onnx'), t.id).toEqual([]);
    expect(checkExport(convVariantsGraph(), 'onnx')).toEqual([]);
  });

  it('refuses a kind it has no translation for, naming it', () => {
    const layer = flattenNetwork(convVariantsGraph()).layers.find((l) => l.name === 'even')!;
    const mystery = { ...layer, kind: 'mystery', spec: { ...layer.spec, label: 'Mystery' } };
    expect(formatInfo('onnx').unsupported(layer)).toBeNull();
    expect(formatInfo('onnx').unsupported(mystery)).toMatch(/no translation for Mystery/);
  });
});

describe.skipIf(!haveRealData)(
  haveRealData
    ? 'onnx export: ONNX Runtime matches tfjs on 100 real test images'
    : `onnx export on real images (skipped: ${REAL_DATA} does not exist)`,
  () => {
    it.each(['lenet5', 'resnet18', 'densenet', 'inception'])(
      '%s',
      async (id) => {
        const template = getTemplate(id)!;
        const source = designSource(tf, template.build());
        try {
          varyWeights(tf, source.model, 21);
          const file = await exportOnnx(source);
          const x = await realImages(template.dataset, 100);
          const onnx = await runOnnx(file, x);
          expect(onnx.dims).toEqual([100, 10]);
          const ours = tfjsPredict(source, x);
          expect(maxAbsDiff(ours.subarray(0, 10), ours.subarray(10, 20))).toBeGreaterThan(1e-3);
          const diff = maxAbsDiff(onnx.values, ours);
          const soft = maxAbsDiff(softmaxRows(onnx.values, 10), softmaxRows(ours, 10));
          console.log(`onnx ${id}: max |output difference| = ${diff}, of softmax = ${soft}`);
          expect(diff).toBeLessThan(1e-4);
        } finally {
          source.model.dispose();
        }
      },
      300_000,
    );
  },
);

describe('onnx export: every convolution variant', () => {
  it("a finished run's model, cut after each of its layers: ONNX Runtime matches tfjs", async () => {
    const design = designSource(tf, convVariantsGraph());
    varyWeights(tf, design.model, 8);
    const runModel = await dirs.make();
    await saveTfjsModel(tf, design.model, runModel);
    design.model.dispose();
    // As runSource reads a run: the saved model, with Netforge's classes registered.
    const source = { ...design, model: await loadTfjsModel(tf, runModel), trained: true };
    try {
      const x = { data: randomInputs([20, 32, 32, 3], 4), shape: [20, 32, 32, 3] };
      const diffs: Record<string, number> = {};
      for (const layer of source.network.layers.slice(1)) {
        const cut = cutAt(tf, source, layer.name);
        const onnx = await runOnnx(await exportOnnx(cut), x);
        // The output in the model's own layout (NHWC for images).
        expect(onnx.dims, layer.name).toEqual([20, ...layer.outputShape]);
        diffs[layer.name] = maxAbsDiff(onnx.values, tfjsPredict(cut, x));
      }
      const worst = Math.max(...Object.values(diffs));
      console.log(`onnx conv variants: max |difference| over every layer's output = ${worst}`);
      expect(Object.entries(diffs).filter(([, d]) => !(d < 1e-4))).toEqual([]);
    } finally {
      source.model.dispose();
    }
  }, 180_000);
});

describe('onnx export: tensors that are not images keep their own axis order', () => {
  it('BatchNorm and Concatenate on an input of [rows, columns] (no channels), then Dense', async () => {
    const g = new GraphBuilder('Rows', undefined);
    const x = g.input([6, 5]);
    const bn = g.layer('batchNormalization', {}, x, 'bn_rows');
    const cat = g.layer('concatenate', { axis: 1 }, [bn, x], 'cat_rows');
    g.chain(cat, [['flatten'], ['dense', { units: 4 }, 'out']]);
    const doc = g.build();
    const model = compileGraph(tf, doc);
    const source: ExportSource = {
      graph: doc,
      network: flattenNetwork(doc),
      model,
      config: trainConfigSchema.parse({ dataset: 'mnist' }),
      runDir: null,
      trained: false,
    };
    try {
      varyWeights(tf, model, 9);
      const input = { data: randomInputs([7, 6, 5], 6), shape: [7, 6, 5] };
      const onnx = await runOnnx(await exportOnnx(source), input);
      expect(onnx.dims).toEqual([7, 4]);
      expect(maxAbsDiff(onnx.values, tfjsPredict(source, input))).toBeLessThan(1e-4);
    } finally {
      model.dispose();
    }
  });
});

describe.skipIf(!python)(
  python
    ? `onnx export: the onnx checker (${python}, full_check) accepts every file written`
    : 'onnx checker (skipped: python3 has no onnx)',
  () => {
    it('check_model(full_check=True), opset 13, NHWC input', async () => {
      expect(written.length).toBeGreaterThan(0);
      const script = [
        'import sys, onnx',
        'for path in sys.argv[1:]:',
        '    model = onnx.load(path)',
        '    onnx.checker.check_model(model, full_check=True)',
        '    dims = [d.dim_param or d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim]',
        '    print(model.opset_import[0].version, dims)',
      ].join('\n');
      const { stdout } = await promisify(execFile)(python!, ['-c', script, ...written]);
      const lines = stdout.trim().split('\n');
      expect(lines).toHaveLength(written.length);
      for (const line of lines) expect(line).toMatch(/^13 \['batch', \d+, \d+(, [13])?\]$/);
    }, 120_000);
  },
);
