// `netforge bench`: training throughput of a network on random data, in this process (see the
// README, Performance).
import { BACKENDS } from '../../shared/events.ts';
import { bench, BENCH_MODELS } from '../engine/bench.ts';
import { int, oneOf, OptionError, type Options } from './options.ts';

export async function benchCommand(o: Options): Promise<number> {
  const model = oneOf(o, 'model', BENCH_MODELS);
  if (!model) throw new OptionError(`bench needs --model ${BENCH_MODELS.join('|')}.`);
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
