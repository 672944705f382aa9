// Training parity: from identical weights, two steps of Netforge's tfjs trainer (step.ts, with
// the optimizer optimizer.ts makes) and two steps of the generated module with model.py's
// make_optimizer and loss_fn give the same weights within 1e-4, BatchNorm's moving statistics
// included. Two steps, so that the momentum and moment estimates carry over once.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { tf } from '../../src/main/engine/backend.ts';
import { compileGraph } from '../../src/main/engine/compile.ts';
import { torchStateDict } from '../../src/main/engine/export/pytorch.ts';
import { torchSave } from '../../src/main/engine/export/torch-save.ts';
import { makeOptimizer } from '../../src/main/engine/optimizer.ts';
import { trainStep, trainableVariables } from '../../src/main/engine/step.ts';
import { GraphBuilder } from '../../src/shared/graph/builder.ts';
import { flattenNetwork } from '../../src/shared/graph/layers.ts';
import { trainConfigSchema, type TrainConfigInput } from '../../src/shared/train-config.ts';
import { jsonLines, runPython, torchPython, torchTitle } from '../helpers/torch-python.ts';
import { f32bytes, randomizeWeights, writeModule } from './torch-cases.ts';

const TOLERANCE = 1e-4;
const STEPS = 2;

interface Case {
  name: string;
  config: Partial<TrainConfigInput>;
  softmax?: boolean;
}

const CASES: Case[] = [
  { name: 'SGD with momentum 0.9', config: { optimizer: 'sgd', learningRate: 0.1, momentum: 0.9 } },
  { name: 'SGD', config: { optimizer: 'sgd', learningRate: 0.1 } },
  { name: 'Adam', config: { optimizer: 'adam', learningRate: 0.01 } },
  {
    name: 'Adam, softmax output',
    config: { optimizer: 'adam', learningRate: 0.01 },
    softmax: true,
  },
  { name: 'RMSprop', config: { optimizer: 'rmsprop', learningRate: 0.01 } },
  { name: 'Adagrad', config: { optimizer: 'adagrad', learningRate: 0.1 } },
];

/**
 * Conv (uneven 'same' pads, ReLU) -> BatchNorm -> Flatten -> Dense 10. Not a conv's bias right
 * before a BatchNorm: its gradient is zero but for rounding noise, which Adam's normalisation
 * would blow up to steps of about the learning rate in either framework.
 */
function graph(softmax: boolean) {
  const g = new GraphBuilder('step');
  g.chain(g.input([8, 8, 2]), [
    [
      'conv2d',
      { filters: 4, kernelSize: [3, 3], strides: [2, 2], padding: 'same', activation: 'relu' },
    ],
    ['batchNormalization'],
    ['flatten'],
    ['dense', { units: 10, activation: softmax ? 'softmax' : 'linear' }],
  ]);
  return g.build();
}

const CHECK_STEPS = `
import importlib.util, json, sys, torch
for d in sys.argv[1:]:
    meta = json.load(open(d + "/meta.json"))
    spec = importlib.util.spec_from_file_location("model_" + str(abs(hash(d))), d + "/model.py")
    m = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(m)
    net = m.Net()
    net.load_state_dict(torch.load(d + "/weights.pt"))
    net.train()
    x = torch.frombuffer(bytearray(open(d + "/x.bin", "rb").read()), dtype=torch.float32).reshape(meta["x"])
    labels = torch.tensor(meta["labels"])
    opt = m.make_optimizer(net.parameters(), meta["optimizer"], meta["lr"], meta["momentum"])
    losses = []
    for _ in range(meta["steps"]):
        loss = m.loss_fn(net(x), labels)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    expected = torch.load(d + "/expected.pt")
    diffs = {k: (v.float() - expected[k].float()).abs().max().item() for k, v in net.state_dict().items()
             if not k.endswith("num_batches_tracked")}
    moved = max((expected[k] - v).abs().max().item() for k, v in torch.load(d + "/weights.pt").items()
                if not k.endswith("num_batches_tracked"))
    print(json.dumps({"dir": d, "diffs": diffs, "losses": losses, "moved": moved}), flush=True)
`;

interface StepResult {
  dir: string;
  diffs: Record<string, number>;
  losses: number[];
  moved: number;
}

describe.skipIf(!torchPython())(
  torchTitle('one training step: tfjs vs the generated module'),
  () => {
    let root = '';
    const results = new Map<string, StepResult>();
    const tfjsLosses = new Map<string, number[]>();

    beforeAll(async () => {
      await tf.setBackend('cpu');
      root = await mkdtemp(join(tmpdir(), 'netforge-torch-steps-'));
      for (const [i, c] of CASES.entries()) {
        const doc = graph(c.softmax ?? false);
        const model = compileGraph(tf, doc);
        randomizeWeights(tf, model, 10 * i);
        const dir = join(root, String(i));
        const gen = await writeModule(dir, model, flattenNetwork(doc));
        const x = tf.randomNormal([8, 8, 8, 2], 0, 1, 'float32', i);
        const labels = Array.from({ length: 8 }, (_, k) => (k * 7 + i) % 10);
        const ys = tf.oneHot(tf.tensor1d(labels, 'int32'), 10).toFloat();
        const config = trainConfigSchema.parse({ dataset: 'mnist', ...c.config });
        const optimizer = makeOptimizer(tf, config);
        const vars = trainableVariables(model);
        const losses: number[] = [];
        for (let s = 0; s < STEPS; s++)
          losses.push(trainStep(tf, model, optimizer, vars, x, ys, gen.probabilities).loss);
        tfjsLosses.set(dir, losses);
        await writeFile(join(dir, 'expected.pt'), torchSave(torchStateDict(model, gen)));
        await writeFile(join(dir, 'x.bin'), f32bytes(x));
        const meta = {
          x: x.shape,
          labels,
          steps: STEPS,
          optimizer: config.optimizer,
          lr: config.learningRate,
          momentum: config.momentum,
        };
        await writeFile(join(dir, 'meta.json'), JSON.stringify(meta));
        optimizer.dispose();
        model.dispose();
      }
      const r = await runPython(
        CHECK_STEPS,
        CASES.map((_, i) => join(root, String(i))),
      );
      if (r.code !== 0) throw new Error(`python3 failed: ${r.stderr}`);
      for (const line of jsonLines<StepResult>(r.stdout)) results.set(line.dir, line);
    }, 300_000);

    afterAll(async () => {
      const worst = [...results.values()].flatMap((r) => Object.values(r.diffs));
      console.log(
        `PyTorch training steps: ${results.size} optimizers, max |tfjs - torch| over the weights = ${Math.max(...worst).toExponential(2)}`,
      );
      if (root) await rm(root, { recursive: true, force: true });
    });

    it.each(CASES.map((c, i) => [c.name, i] as const))('%s', (_name, i) => {
      const dir = join(root, String(i));
      const r = results.get(dir)!;
      // The steps moved the weights by far more than the tolerance, so a match means something.
      expect(r.moved).toBeGreaterThan(100 * TOLERANCE);
      for (const [s, loss] of tfjsLosses.get(dir)!.entries())
        expect(Math.abs(r.losses[s]! - loss), `loss of step ${s + 1}`).toBeLessThan(TOLERANCE);
      for (const [key, diff] of Object.entries(r.diffs))
        expect(diff, `${key} after ${STEPS} steps`).toBeLessThan(TOLERANCE);
    });
  },
);
