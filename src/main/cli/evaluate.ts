// `netforge evaluate`: tests a run's trained model on the test split, in the engine's own process.
// Unless told otherwise (--data-dir, --limit-test), with the run's own data folder (run-data.ts)
// and test limit (its config.json): the numbers then compare with the run's own evaluation.
import { resolve } from 'node:path';
import { BACKENDS } from '../../shared/events.ts';
import { evaluateRequestSchema } from '../../shared/engine-protocol.ts';
import { RunFolder } from '../runs/run-folder.ts';
import { runJob } from './engine-job.ts';
import { dataDirOfRun } from './run-data.ts';
import { int, oneOf, OptionError, type Options } from './options.ts';

export async function evaluateCommand(runDir: string | undefined, o: Options): Promise<number> {
  if (!runDir)
    throw new OptionError(
      'evaluate needs a run folder, e.g. `netforge evaluate ~/Netforge/runs/lenet-5-...`.',
    );
  const folder = new RunFolder(resolve(runDir));
  // A folder that is no run has no config: the engine then says so (E_NOT_FOUND, naming it).
  const config = await folder.readConfig();
  const request = evaluateRequestSchema.parse({
    runDir: folder.dir,
    dataDir: await dataDirOfRun(folder, o),
    backend: oneOf(o, 'backend', BACKENDS) ?? null,
    limitTest: int(o, 'limit-test') ?? config?.limitTest ?? null,
  });
  return runJob((host) => host.send({ type: 'evaluate', request }), o.json === true, {
    kind: 'end',
  });
}
