// `netforge train`: trains a template or a graph file (or continues a stopped run, --resume) in the
// engine's own process and shows its progress.
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { z } from 'zod';
import { DATASETS, type GraphDoc } from '../../shared/graph/types.ts';
import { BACKENDS } from '../../shared/events.ts';
import { ENGINES, OPTIMIZERS, trainConfigSchema } from '../../shared/train-config.ts';
import { trainRequestSchema } from '../../shared/engine-protocol.ts';
import { CodedError } from '../../shared/errors.ts';
import { diskFullError } from '../runs/errors.ts';
import { RunFolder } from '../runs/run-folder.ts';
import { RunLockedError, type HeldLock } from '../runs/run-lock.ts';
import { getTemplate } from '../../shared/templates/index.ts';
import { runJob } from './engine-job.ts';
import { float, int, loadGraph, oneOf, OptionError, str, type Options } from './options.ts';

export async function trainCommand(ref: string | undefined, o: Options): Promise<number> {
  const json = o.json === true;
  const resumeDir = str(o, 'resume');
  let graph: GraphDoc;
  let config: z.input<typeof trainConfigSchema>;
  let runDir: string;
  if (resumeDir) {
    runDir = resolve(resumeDir);
    const folder = new RunFolder(runDir);
    try {
      graph = await folder.loadGraph();
      config = await folder.loadConfig();
    } catch (e) {
      throw new OptionError(
        `--resume ${resumeDir}: not a Netforge run folder, or a damaged one (${(e as Error).message}).`,
      );
    }
    const epochs = int(o, 'epochs');
    if (epochs) config = { ...config, epochs };
    const engine = oneOf(o, 'engine', ENGINES);
    if (engine) config = { ...config, engine };
  } else {
    if (!ref)
      throw new OptionError(
        'train needs a template name or a graph file, e.g. `netforge train lenet5 --dataset mnist`.',
      );
    graph = await loadGraph(ref);
    const dataset = oneOf(o, 'dataset', DATASETS) ?? graph.dataset ?? getTemplate(ref)?.dataset;
    if (!dataset)
      throw new OptionError(
        `--dataset is needed (${DATASETS.join(' or ')}): the graph does not name one.`,
      );
    const early = int(o, 'early-stopping');
    config = {
      dataset,
      epochs: int(o, 'epochs'),
      batchSize: int(o, 'batch-size'),
      optimizer: oneOf(o, 'optimizer', OPTIMIZERS),
      learningRate: float(o, 'lr'),
      momentum: float(o, 'momentum'),
      validationSplit: float(o, 'validation-split'),
      earlyStopping: early ? { patience: early } : null,
      seed: o.seed === undefined ? undefined : Number(o.seed),
      augment: o.augment === true,
      limitTrain: int(o, 'limit-train') ?? null,
      limitTest: int(o, 'limit-test') ?? null,
      replicas: int(o, 'replicas'),
      engine: oneOf(o, 'engine', ENGINES),
    };
    const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
    runDir = resolve(
      str(o, 'out') ??
        join('runs', `${graph.name.replace(/[^A-Za-z0-9]+/g, '-').toLowerCase()}-${stamp}`),
    );
  }
  const parsedConfig = trainConfigSchema.safeParse(config);
  if (!parsedConfig.success)
    throw new OptionError(
      `Bad training settings: ${parsedConfig.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  const request = trainRequestSchema.parse({
    graph,
    config: parsedConfig.data,
    runDir,
    dataDir: str(o, 'data-dir') ?? null,
    backend: oneOf(o, 'backend', BACKENDS) ?? null,
    resume: Boolean(resumeDir),
    python: str(o, 'python') ?? null,
    distributed: distributedOptions(o),
  });
  // The run folder's owner lock, as the app takes it (run-lock.ts): no other Netforge trains,
  // continues or deletes the run meanwhile. The folder is made for it if need be, and removed
  // again if the run leaves nothing in it.
  const made = resumeDir ? undefined : await mkdir(runDir, { recursive: true }).catch(() => null);
  let lock: HeldLock;
  try {
    lock = await new RunFolder(runDir).lock(randomUUID());
  } catch (e) {
    if (made) await rm(made, { recursive: true, force: true }).catch(() => undefined);
    const then = resumeDir ? 'continue the run' : 'train again';
    const error =
      e instanceof RunLockedError
        ? new CodedError('E_BUSY', `${runDir} is ${e.holder}. Wait for it to finish, then ${then}.`)
        : (diskFullError(e, runDir, then) ??
          new CodedError('E_IO', `Could not write in ${runDir} (${(e as Error).message}).`));
    const event = { type: 'error', code: error.code, message: error.message, checkpoint: null };
    console.log(json ? JSON.stringify(event) : `Error [${error.code}]: ${error.message}`);
    return 1;
  }
  try {
    return await runJob((host) => host.send({ type: 'train', request }), json, {
      kind: 'stop',
      runDir,
    });
  } finally {
    await lock.release();
    if (made && (await readdir(runDir).catch(() => [])).length === 0)
      await rm(made, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** --nproc-per-node N [--nnodes M --node-rank R --master ADDR:PORT], or null without them. */
function distributedOptions(o: Options) {
  const nprocPerNode = int(o, 'nproc-per-node');
  const nnodes = int(o, 'nnodes');
  const nodeRank = o['node-rank'] === undefined ? undefined : Number(o['node-rank']);
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
