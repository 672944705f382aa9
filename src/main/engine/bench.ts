// Training throughput on random data, the same networks, optimizer and loss as
// ../shared/bench/torch_reference.py, so the two can be compared in one run.
import type { BackendInfo, BackendName } from '../../shared/events.ts';
import { DATASET_INFO } from '../../shared/graph/types.ts';
import { getTemplate } from '../../shared/templates/index.ts';
import { selectBackend, tf } from './backend.ts';
import { compileGraph } from './compile.ts';
import { rng } from './random.ts';
import { trainStep, trainableVariables } from './step.ts';
import { createParallelTrainer } from './parallel/trainer.ts';

export const BENCH_MODELS = ['mlp', 'lenet5', 'vgg13', 'resnet18'] as const;
export type BenchModel = (typeof BENCH_MODELS)[number];

/** Samples per timed pass, as torch_reference.py uses. */
export const DEFAULT_SAMPLES: Record<BenchModel, number> = {
  mlp: 8192,
  lenet5: 4096,
  vgg13: 512,
  resnet18: 256,
};

export interface BenchResult {
  model: BenchModel;
  batch: number;
  backend: BackendName;
  device: string;
  samples: number;
  samples_per_s: number;
  /** Replicas training data-parallel (1 = this thread only). */
  replicas: number;
}

export async function bench(
  model: BenchModel,
  opts: { batch?: number; samples?: number; backend?: BackendName | null; replicas?: number } = {},
): Promise<BenchResult & { info: BackendInfo }> {
  const info = await selectBackend(opts.backend);
  const template = getTemplate(model)!;
  const batch = opts.batch ?? 32;
  const n = opts.samples ?? DEFAULT_SAMPLES[model];
  const [h, w, c] = DATASET_INFO[template.dataset].inputShape as [number, number, number];
  const net = compileGraph(tf, template.build());
  const optimizer = tf.train.sgd(0.01);
  const vars = trainableVariables(net);
  const r = rng(1);
  // Random inputs (roughly unit normal, like torch.randn) and labels, made once.
  const x = new Float32Array(n * h * w * c).map(() => (r() + r() + r() - 1.5) * 2);
  const labels = Array.from({ length: n }, () => Math.floor(r() * 10));
  const batches = [] as {
    xs: ReturnType<typeof tf.tensor4d>;
    ys: ReturnType<typeof tf.tensor2d>;
  }[];
  for (let i = 0; i < n; i += batch) {
    const m = Math.min(batch, n - i);
    batches.push({
      xs: tf.tensor4d(x.subarray(i * h * w * c, (i + m) * h * w * c), [m, h, w, c]),
      ys: tf.tidy(() =>
        tf.oneHot(tf.tensor1d(labels.slice(i, i + m), 'int32'), 10).toFloat(),
      ) as ReturnType<typeof tf.tensor2d>,
    });
  }
  const replicas = opts.replicas ?? 1;
  const parallel =
    replicas > 1
      ? await createParallelTrainer({
          tf,
          graph: template.build(),
          replicas,
          optimizer: { optimizer: 'sgd', learningRate: 0.01 },
          maxBatch: batch,
          model: net,
          optimizerInstance: optimizer,
          backend: info.backend,
        })
      : null;
  const pass = () => {
    for (const b of batches)
      if (parallel) parallel.step(b.xs, b.ys);
      else trainStep(tf, net, optimizer, vars, b.xs, b.ys, false);
  };
  pass(); // warm-up, as the reference does
  const t = performance.now();
  pass();
  const seconds = (performance.now() - t) / 1000;
  for (const b of batches) {
    b.xs.dispose();
    b.ys.dispose();
  }
  await parallel?.dispose();
  net.dispose();
  optimizer.dispose();
  return {
    replicas,
    info,
    model,
    batch,
    backend: info.backend,
    device: info.device,
    samples: n,
    samples_per_s: Math.round((10 * n) / seconds) / 10,
  };
}
