// `netforge evaluate`: tests a run's trained model on the test split, in the engine's own process.
import { resolve } from 'node:path';
import { BACKENDS } from '../../shared/events.ts';
import { evaluateRequestSchema } from '../../shared/engine-protocol.ts';
import { runJob } from './engine-job.ts';
import { int, oneOf, OptionError, str, type Options } from './options.ts';

export async function evaluateCommand(runDir: string | undefined, o: Options): Promise<number> {
  if (!runDir)
    throw new OptionError(
      'evaluate needs a run folder, e.g. `netforge evaluate runs/lenet-5-...`.',
    );
  const request = evaluateRequestSchema.parse({
    runDir: resolve(runDir),
    dataDir: str(o, 'data-dir') ?? null,
    backend: oneOf(o, 'backend', BACKENDS) ?? null,
    limitTest: int(o, 'limit-test') ?? null,
  });
  return runJob((host) => host.send({ type: 'evaluate', request }), o.json === true, {
    kind: 'end',
  });
}
