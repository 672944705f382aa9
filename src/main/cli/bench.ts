// `netforge bench`: training throughput of a network on random data, in this process with tfjs
// or, with --engine torch, in a Python with PyTorch (see the README, Performance).
import { BACKENDS } from '../../shared/events.ts';
import { bench, BENCH_MODELS } from '../engine/bench.ts';
import { int, oneOf, OptionError, str, type Options } from './options.ts';

export async function benchCommand(o: Options): Promise<number> {
  const model = oneOf(o, 'model', BENCH_MODELS);
  if (!model) throw new OptionError(`bench needs --model ${BENCH_MODELS.join('|')}.`);
  const engine = oneOf(o, 'engine', ['tfjs', 'torch'] as const) ?? 'tfjs';
  if (engine === 'torch') {
    const { benchTorch } = await import('../engine/torch/bench.ts');
    const { info, ...result } = await benchTorch(model, {
      batch: int(o, 'batch'),
      samples: int(o, 'samples'),
      python: str(o, 'python') ?? null,
      device: oneOf(o, 'device', ['cpu', 'cuda', 'mps'] as const) ?? null,
    });
    if (o.json === true) console.log(JSON.stringify(result));
    else
      console.log(
        `${model}, batch ${result.batch}: ${result.samples_per_s} samples/s training on torch (${info.device}; ${info.reason}), ${result.samples} samples timed`,
      );
    return 0;
  }
  const replicas = int(o, 'replicas');
  const r = await bench(model, {
    ...(replicas ? { replicas } : {}),
    batch: int(o, 'batch'),
    samples: int(o, 'samples'),
    backend: oneOf(o, 'backend', BACKENDS) ?? null,
  });
  const { info, ...result } = r;
  if (o.json === true) console.log(JSON.stringify(result));
  else
    console.log(
      `${model}, batch ${r.batch}: ${r.samples_per_s} samples/s training on ${info.backend} (${info.device}; ${info.reason})` +
        `${r.replicas > 1 ? `, ${r.replicas} data-parallel replicas` : ''}, ${r.samples} samples timed`,
    );
  return 0;
}
