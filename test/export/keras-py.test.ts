// keras-py export: the generated Keras script. Python compiles it (every template, with and
// without --distribute, and every optimizer, schedule and data option); its build_model(), run
// against stand-ins for keras.layers (keras_script_check.py), makes the layers, arguments and
// wiring of the Keras table; its learning_rate() gives Netforge's schedule; golden files pin the
// whole script for LeNet-5 (Sequential) and ResNet18 (functional).
//
// After an intended change to the generator, regenerate the golden files and review the diff:
//   UPDATE_GOLDEN=1 npx vitest run --project unit test/export/keras-py.test.ts
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { tf } from '../../src/main/engine/backend.ts';
import { WRITERS } from '../../src/main/engine/export/index.ts';
import { designSource } from '../../src/main/engine/export/source.ts';
import { staged } from '../../src/main/engine/export/writer.ts';
import { learningRateAt } from '../../src/main/engine/schedule.ts';
import { KERAS_DEFAULTS } from '../../src/shared/codegen/keras-config.ts';
import { kerasModel } from '../../src/shared/codegen/keras-layers.ts';
import { kerasScript, POSITIONAL } from '../../src/shared/codegen/keras.ts';
import { GraphBuilder } from '../../src/shared/graph/builder.ts';
import { flattenNetwork } from '../../src/shared/graph/layers.ts';
import type { GraphDoc } from '../../src/shared/graph/types.ts';
import { getTemplate, TEMPLATES } from '../../src/shared/templates/index.ts';
import { trainConfigSchema, type TrainConfigInput } from '../../src/shared/train-config.ts';
import { tempDirs } from '../engine/fixtures.ts';
import { pythonWith, runPythonJson } from './keras-python.ts';

const GOLDEN = resolve(import.meta.dirname, 'golden');
const CHECK = resolve(import.meta.dirname, 'keras_script_check.py');
const python = pythonWith([]);
const dirs = tempDirs('keras-py');
afterAll(() => dirs.cleanup());

const config = (c: Partial<TrainConfigInput> & Pick<TrainConfigInput, 'dataset'>) =>
  trainConfigSchema.parse(c);

/** The golden scripts: LeNet-5 with the chapter's recipe, ResNet18 with most options on. */
const GOLDENS = [
  {
    file: 'lenet5.py',
    template: 'lenet5',
    config: config({ dataset: 'mnist' }),
    distribute: false,
  },
  {
    file: 'resnet18.py',
    template: 'resnet18',
    config: config({
      dataset: 'cifar10',
      epochs: 50,
      batchSize: 128,
      optimizer: 'sgd',
      learningRate: 0.1,
      momentum: 0.9,
      schedule: { kind: 'step', everyEpochs: 20, factor: 0.1 },
      validationSplit: 0.1,
      earlyStopping: { patience: 5, minDelta: 0.001 },
      augment: true,
    }),
    distribute: true,
  },
] as const;

describe('keras-py: golden scripts', () => {
  it.each(GOLDENS.map((g) => [g.file, g] as const))('%s', async (file, g) => {
    const script = kerasScript(getTemplate(g.template)!.build(), g.config, {
      distribute: g.distribute,
    });
    const path = join(GOLDEN, file);
    if (process.env.UPDATE_GOLDEN) await writeFile(path, script);
    if (!existsSync(path))
      throw new Error(
        `No golden file ${path}: run with UPDATE_GOLDEN=1 to write it, then review it.`,
      );
    expect(script).toBe(await readFile(path, 'utf8'));
  });

  it('LeNet-5 is a Sequential model, ResNet18 uses the functional API', async () => {
    const lenet = await readFile(join(GOLDEN, 'lenet5.py'), 'utf8');
    expect(lenet).toMatch(/return keras\.Sequential\(/);
    expect(lenet).toMatch(/layers\.Conv2D\(6, kernel_size=3, name='conv2d'\)/);
    expect(lenet).toMatch(/x_train\.reshape\(\(-1, 28, 28, 1\)\)\.astype\('float32'\) \/ 255\.0/);
    const resnet = await readFile(join(GOLDEN, 'resnet18.py'), 'utf8');
    expect(resnet).toMatch(/return keras\.Model\(inputs=inputs, outputs=dense, name='resnet18'\)/);
    expect(resnet).toMatch(
      /with strategy\.scope\(\):\n {8}model = build_model\(\)\n {8}model\.compile\(/,
    );
    expect(resnet).toMatch(/MultiWorkerMirroredStrategy/);
    expect(resnet).toMatch(/TF_CONFIG/);
    expect(resnet).toMatch(/\/ 127\.5 - 1\.0/);
  });
});

/** A graph with the layers whose Keras form differs most from tfjs's: explicit padding, relu6, ... */
function oddLayers(): GraphDoc {
  const g = new GraphBuilder('Odd layers: 1', 'mnist');
  const input = g.input([28, 28, 1], 'lambda');
  const a = g.chain(input, [
    [
      'conv2d',
      {
        filters: 4,
        kernelSize: [3, 4],
        padding: [
          [1, 2],
          [0, 1],
        ],
        activation: 'relu6',
      },
      'class',
    ],
    [
      'conv2dTranspose',
      { filters: 2, kernelSize: [3, 3], strides: [2, 2], outputSize: [60, 54] },
      'up',
    ],
    ['activation', { fn: 'leakyRelu', alpha: 0.2 }, 'layers'],
    ['globalAveragePooling2d', {}, 'gap'],
  ]);
  const b = g.chain(input, [
    ['flatten', {}, 'flat'],
    ['dense', { units: 2 }, 'dense.1'],
  ]);
  g.chain(g.layer('concatenate', {}, [a, b], 'joined'), [
    ['dense', { units: 10, activation: 'softmax' }, 'out'],
  ]);
  return g.build();
}

describe.skipIf(!python)(
  python ? 'keras-py: Python' : 'keras-py: Python (skipped: no python3)',
  () => {
    const settings: Partial<TrainConfigInput>[] = [
      {},
      { optimizer: 'sgd', momentum: 0.9, schedule: { kind: 'exponential', rate: 0.9 } },
      { optimizer: 'adam', schedule: { kind: 'cosine', minLr: 0.001 }, epochs: 7 },
      { optimizer: 'rmsprop', schedule: { kind: 'cosine' }, epochs: 1 },
      { optimizer: 'adagrad', schedule: { kind: 'step', everyEpochs: 3, factor: 0.5 }, epochs: 9 },
      {
        validationSplit: 0.2,
        earlyStopping: { patience: 2 },
        augment: true,
        limitTrain: 1000,
        limitTest: 200,
      },
    ];
    const cases = [
      ...TEMPLATES.flatMap((t) =>
        [false, true].map((distribute) => ({
          doc: t.build(),
          c: config({ dataset: t.dataset }),
          distribute,
        })),
      ),
      ...settings.flatMap((s, i) =>
        ['lenet5', 'cifar-small'].map((id) => {
          const t = getTemplate(id)!;
          return {
            doc: t.build(),
            c: config({ dataset: t.dataset, ...s }),
            distribute: i % 2 === 1,
          };
        }),
      ),
      { doc: oddLayers(), c: config({ dataset: 'mnist' }), distribute: false },
    ];

    it('python3 -m py_compile accepts every script', async () => {
      const dir = await dirs.make();
      const files = await Promise.all(
        cases.map(async ({ doc, c, distribute }, i) => {
          const file = join(dir, `script_${i}.py`);
          await writeFile(file, kerasScript(doc, c, { distribute }));
          return file;
        }),
      );
      const r = spawnSync(
        python!,
        ['-m', 'py_compile', ...files, ...GOLDENS.map((g) => join(GOLDEN, g.file))],
        // The compiled files go to the temporary folder, not beside the golden files.
        { encoding: 'utf8', env: { ...process.env, PYTHONPYCACHEPREFIX: join(dir, 'pycache') } },
      );
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    });

    it("build_model() makes the Keras table's layers, arguments and wiring; learning_rate() is Netforge's schedule", async () => {
      const dir = await dirs.make();
      const files = await Promise.all(
        cases.map(async ({ doc, c, distribute }, i) => {
          const file = join(dir, `script_${i}.py`);
          await writeFile(file, kerasScript(doc, c, { distribute }));
          return file;
        }),
      );
      const reports = runPythonJson<
        {
          layers: {
            class_name: string;
            args: unknown[];
            kwargs: Record<string, unknown>;
            inbound: string[];
          }[];
          model: { model: string; output: string };
          learning_rates: number[] | null;
        }[]
      >(python!, [CHECK, ...files]);
      for (const [i, { doc, c }] of cases.entries()) {
        const got = reports[i]!;
        const net = flattenNetwork(doc);
        const keras = kerasModel(net);
        expect(got.model.model).toBe(keras.sequential ? 'Sequential' : 'Model');
        expect(got.model.output).toBe(keras.output.name);
        expect(got.layers.map((l) => [l.class_name, l.kwargs.name, l.inbound])).toEqual(
          keras.layers.map((l) => [l.className, l.name, l.inputs]),
        );
        for (const [j, l] of keras.layers.entries()) {
          const { args, kwargs } = got.layers[j]!;
          const defaults = KERAS_DEFAULTS[l.className] ?? {};
          for (const [key, want] of Object.entries(l.args)) {
            // Written by name, first without a name, or left to Keras's default.
            let value =
              key in kwargs
                ? kwargs[key]
                : POSITIONAL[l.className] === key
                  ? args[0]
                  : defaults[key];
            if (typeof value === 'number' && Array.isArray(want)) value = [value, value];
            expect(value, `${l.name}.${key}`).toEqual(want);
          }
        }
        if (c.schedule.kind === 'constant') expect(got.learning_rates).toBeNull();
        else
          got.learning_rates!.forEach((lr, epoch) =>
            expect(lr).toBeCloseTo(learningRateAt(c.learningRate, c.schedule, epoch, c.epochs), 12),
          );
      }
    });
  },
);

describe('keras-py writer', () => {
  beforeAll(() => tf.setBackend('cpu'));
  it('writes the script for the source graph and settings, --distribute included', async () => {
    const dir = await dirs.make();
    const doc = getTemplate('lenet5')!.build();
    const source = designSource(tf, doc, { epochs: 3 });
    const out = join(dir, 'lenet5.py');
    await staged(out, 'file', (p) =>
      WRITERS['keras-py']!.write(tf, source, p, { distribute: true }, () => {}),
    );
    expect(await readFile(out, 'utf8')).toBe(kerasScript(doc, source.config, { distribute: true }));
    expect(await readdir(dir)).toEqual(['lenet5.py']);
  });

  it('both Keras writers refuse a layer Keras cannot express, naming it, and leave nothing', async () => {
    const g = new GraphBuilder('Refused', 'mnist');
    g.chain(g.input([28, 28, 1]), [
      [
        'conv2dTranspose',
        { filters: 2, kernelSize: [2, 3], strides: [2, 2], padding: 'same', outputPadding: [1, 0] },
        'up',
      ],
      ['flatten'],
      ['dense', { units: 10 }],
    ]);
    const source = designSource(tf, g.build());
    const dir = await dirs.make();
    for (const format of ['keras-h5', 'keras-py'] as const)
      await expect(
        staged(join(dir, `out.${format}`), 'file', (p) =>
          WRITERS[format]!.write(tf, source, p, {}, () => {}),
        ),
      ).rejects.toMatchObject({
        code: 'E_EXPORT_UNSUPPORTED',
        message: expect.stringMatching(/as keras-(h5|py): up: Keras's Conv2DTranspose/),
      });
    expect(await readdir(dir)).toEqual([]);
  });
});
