// `netforge train`: trains a design (a template, a project file or a graph file: design.ts) or
// continues a stopped run (--resume) in the engine's own process and shows its progress. A new
// run's folder is made by run-target.ts; a resumed run keeps its own data folder (run-data.ts).
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import type { z } from 'zod';
import type { GraphDoc } from '../../shared/graph/types.ts';
import { BACKENDS } from '../../shared/events.ts';
import { trainConfigSchema } from '../../shared/train-config.ts';
import { trainRequestSchema } from '../../shared/engine-protocol.ts';
import { CodedError } from '../../shared/errors.ts';
import { diskFullError } from '../runs/errors.ts';
import { RunFolder } from '../runs/run-folder.ts';
import { RunLockedError, type HeldLock } from '../runs/run-lock.ts';
import { defaultRunsDir } from '../runs/runs-dir.ts';
import { DESIGN_KINDS, loadDesign } from './design.ts';
import { runJob } from './engine-job.ts';
import { configErrorMessage, configFromFlags, RESUME_FLAGS } from './flags.ts';
import { dataDirOfRun, namedDataDir } from './run-data.ts';
import { discardIfUnused, makeRunTarget, type RunTarget } from './run-target.ts';
import { int, oneOf, OptionError, str, type Options } from './options.ts';

type ConfigInput = z.input<typeof trainConfigSchema>;

interface Prepared {
  graph: GraphDoc;
  config: ConfigInput;
  dataDir: string | null;
}

/** A new run: the design, its project's settings under the flags, and the data folder named. */
async function prepareNew(ref: string | undefined, o: Options): Promise<Prepared> {
  if (!ref)
    throw new OptionError(
      `train needs ${DESIGN_KINDS}, e.g. \`netforge train lenet5 --dataset mnist\`.`,
    );
  const design = await loadDesign(ref);
  const flags = configFromFlags(o);
  const dataset = flags.dataset ?? design.dataset;
  if (!dataset)
    throw new OptionError('--dataset is needed (mnist or cifar10): the design does not name one.');
  return {
    graph: design.graph,
    config: { ...design.training, ...flags, dataset },
    dataDir: namedDataDir(o),
  };
}

/** A stopped run: its own graph, settings and data folder; the flags it allows win. */
async function prepareResume(runDir: string, o: Options): Promise<Prepared> {
  const refused = Object.keys(o).filter((k) => o[k] !== undefined && !RESUME_FLAGS.includes(k));
  if (refused.length)
    throw new OptionError(
      `--${refused[0]} cannot be changed when continuing a run: --resume goes on with the run's ` +
        `own settings (it takes ${RESUME_FLAGS.filter((f) => f !== 'resume')
          .map((f) => `--${f}`)
          .join(', ')}). To train with other settings, start a new run.`,
    );
  const folder = new RunFolder(runDir);
  let graph: GraphDoc;
  let config: ConfigInput;
  try {
    graph = await folder.loadGraph();
    config = await folder.loadConfig();
  } catch (e) {
    throw new OptionError(
      `--resume ${runDir}: not a Netforge run folder, or a damaged one (${(e as Error).message}).`,
    );
  }
  const epochs = int(o, 'epochs');
  const limitTest = int(o, 'limit-test');
  if (epochs) config = { ...config, epochs };
  if (limitTest) config = { ...config, limitTest };
  return { graph, config, dataDir: await dataDirOfRun(folder, o) };
}

export async function trainCommand(ref: string | undefined, o: Options): Promise<number> {
  const json = o.json === true;
  const resumeDir = str(o, 'resume');
  const prepared = resumeDir
    ? await prepareResume(resolve(resumeDir), o)
    : await prepareNew(ref, o);
  const parsedConfig = trainConfigSchema.safeParse(prepared.config);
  if (!parsedConfig.success) throw new OptionError(configErrorMessage(parsedConfig.error));
  const backend = oneOf(o, 'backend', BACKENDS) ?? null;
  const instance = randomUUID();
  const fail = (error: CodedError): number => {
    const event = { type: 'error', code: error.code, message: error.message, checkpoint: null };
    console.log(json ? JSON.stringify(event) : `Error [${error.code}]: ${error.message}`);
    return 1;
  };

  // The run folder's owner lock, as the app takes it (run-lock.ts): no other Netforge trains,
  // continues or deletes the run meanwhile.
  let runDir: string;
  let lock: HeldLock;
  let target: RunTarget | null = null;
  if (resumeDir) {
    runDir = resolve(resumeDir);
    try {
      lock = await new RunFolder(runDir).lock(instance);
    } catch (e) {
      return fail(
        e instanceof RunLockedError
          ? new CodedError(
              'E_BUSY',
              `${runDir} is ${e.holder}. Wait for it to finish, then continue the run.`,
            )
          : (diskFullError(e, runDir, 'continue the run') ??
              new CodedError('E_IO', `Could not write in ${runDir} (${(e as Error).message}).`)),
      );
    }
  } else {
    const start = {
      name: prepared.graph.name,
      startedAt: new Date().toISOString(),
      dataDir: prepared.dataDir,
    };
    const where = {
      out: str(o, 'out'),
      runsDir: resolve(str(o, 'runs-dir') ?? defaultRunsDir()),
      force: o.force === true,
    };
    try {
      target = await makeRunTarget(where, start, instance);
    } catch (e) {
      if (e instanceof CodedError) return fail(e);
      throw e;
    }
    ({ runDir, lock } = target);
    if (target.replaced && !json)
      console.error(`--force: the run that was in ${runDir} is now in ${target.replaced}.`);
  }

  const request = trainRequestSchema.parse({
    graph: prepared.graph,
    config: parsedConfig.data,
    runDir,
    dataDir: prepared.dataDir,
    backend,
    resume: Boolean(resumeDir),
    python: str(o, 'python') ?? null,
    distributed: distributedOptions(o),
  });
  try {
    return await runJob((host) => host.send({ type: 'train', request }), json, {
      kind: 'stop',
      runDir,
    });
  } finally {
    await lock.release();
    if (target && (await discardIfUnused(target)) && target.replaced && !json)
      console.error(`The run in ${target.replaced} is back in ${runDir}.`);
  }
}

/** --nproc-per-node N [--nnodes M --node-rank R --master ADDR:PORT], or null without them. */
function distributedOptions(o: Options) {
  const nprocPerNode = int(o, 'nproc-per-node');
  const nnodes = int(o, 'nnodes');
  const rawRank = str(o, 'node-rank');
  const nodeRank = rawRank === undefined ? undefined : Number(rawRank);
  if (nodeRank !== undefined && (!Number.isInteger(nodeRank) || nodeRank < 0))
    throw new OptionError(`--node-rank must be a whole number from 0 (got "${rawRank}").`);
  if (nodeRank !== undefined && nodeRank >= (nnodes ?? 1))
    throw new OptionError(
      `--node-rank ${nodeRank} is out of range for --nnodes ${nnodes ?? 1}: ranks go from 0 to ${(nnodes ?? 1) - 1}.`,
    );
  const master = str(o, 'master') ?? null;
  if (!nprocPerNode) {
    if (nnodes || nodeRank !== undefined || master)
      throw new OptionError('--nnodes, --node-rank and --master go with --nproc-per-node N.');
    return null;
  }
  if (o.engine !== undefined && o.engine !== 'torch')
    throw new OptionError('--nproc-per-node trains with PyTorch: use --engine torch.');
  if (master && !/^[^\s:]+(:[^\s:]+)*:\d+$/.test(master))
    throw new OptionError(`--master ${master}: give ADDR:PORT, e.g. 10.0.0.1:29500.`);
  if ((nnodes ?? 1) > 1 && !master)
    throw new OptionError("--nnodes above 1 needs --master ADDR:PORT (node 0's address).");
  return { nprocPerNode, nnodes: nnodes ?? 1, nodeRank: nodeRank ?? 0, master };
}
