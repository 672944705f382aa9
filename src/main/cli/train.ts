// `netforge train` and `netforge evaluate`: drive the engine in its own
// process and show its events as a progress line, or as JSON lines (--json).
import { join, resolve } from 'node:path';
import type { z } from 'zod';
import { DATASETS, type GraphDoc } from '../../shared/graph/types.ts';
import { BACKENDS, type TrainingEvent } from '../../shared/events.ts';
import { OPTIMIZERS, trainConfigSchema } from '../../shared/train-config.ts';
import { evaluateRequestSchema, trainRequestSchema } from '../../shared/engine-protocol.ts';
import { getTemplate } from '../../shared/templates/index.ts';
import { EngineHost } from '../host/engine-host.ts';
import { RunFolder } from '../runs/run-folder.ts';
import { bench, BENCH_MODELS } from '../engine/bench.ts';

export type Options = Record<string, string | boolean | undefined>;

export class OptionError extends Error {}

const int = (o: Options, name: string): number | undefined => {
  const v = o[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1)
    throw new OptionError(`--${name} must be a whole number of at least 1 (got "${v}").`);
  return n;
};
const float = (o: Options, name: string): number | undefined => {
  const v = o[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new OptionError(`--${name} must be a number (got "${v}").`);
  return n;
};
const oneOf = <T extends string>(o: Options, name: string, values: readonly T[]): T | undefined => {
  const v = o[name];
  if (v === undefined) return undefined;
  if (!values.includes(v as T))
    throw new OptionError(`--${name} must be one of ${values.join(', ')} (got "${v}").`);
  return v as T;
};
const str = (o: Options, name: string): string | undefined =>
  typeof o[name] === 'string' ? (o[name] as string) : undefined;

function fmtTime(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const m = Math.floor(s / 60);
  return m ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${s.toFixed(0)}s`;
}

/** Human-readable rendering of events: one live line on a terminal, plain lines otherwise. */
function printer(json: boolean): (e: TrainingEvent) => void {
  const tty = process.stderr.isTTY;
  let live = false;
  const line = (s: string) => {
    if (live) process.stderr.write('\n');
    live = false;
    console.log(s);
  };
  return (e) => {
    if (json) {
      console.log(JSON.stringify(e));
      return;
    }
    switch (e.type) {
      case 'backend':
        line(`Backend: ${e.backend.backend} on ${e.backend.device} (${e.backend.reason})`);
        break;
      case 'dataset-progress':
        if (tty) {
          const pct = e.totalBytes
            ? ` ${((100 * e.receivedBytes) / e.totalBytes).toFixed(0)}%`
            : '';
          process.stderr.write(
            `\rDownloading ${e.file}${pct} (${(e.receivedBytes / 1e6).toFixed(1)} MB)   `,
          );
          live = true;
        }
        break;
      case 'run-started':
        line(
          `Training ${e.totalParams.toLocaleString('en-US')} parameters on ${e.trainSamples} samples` +
            `${e.validationSamples ? ` (+${e.validationSamples} validation)` : ''}, ${e.epochs} epochs of ${e.stepsPerEpoch} steps` +
            `${e.resumedFromStep !== null ? `, resuming at step ${e.resumedFromStep}` : ''}. Run folder: ${e.runDir}`,
        );
        for (const n of e.notes) line(`Note: ${n}`);
        break;
      case 'batch': {
        const text =
          `epoch ${e.epoch} ${e.batchInEpoch}/${e.stepsPerEpoch}  loss ${e.loss?.toFixed(4) ?? 'NaN'}  acc ${e.accuracy?.toFixed(3) ?? '?'}` +
          `  ${e.samplesPerSecond.toFixed(0)} samples/s  ETA ${fmtTime(e.etaSeconds)}`;
        if (tty) {
          const width = 20;
          const done = Math.round((width * e.batchInEpoch) / e.stepsPerEpoch);
          process.stderr.write(`\r[${'#'.repeat(done)}${'.'.repeat(width - done)}] ${text}   `);
          live = true;
        }
        break;
      }
      case 'epoch':
        line(
          `epoch ${e.epoch}: loss ${e.loss?.toFixed(4)} acc ${e.accuracy?.toFixed(4)}` +
            `${e.valLoss !== null ? `  val_loss ${e.valLoss.toFixed(4)} val_acc ${e.valAccuracy?.toFixed(4)}` : ''}  lr ${e.learningRate}  ${fmtTime(e.seconds)}`,
        );
        break;
      case 'status':
        line(`(${e.state})`);
        break;
      case 'evaluation':
        line(
          `Test: loss ${e.evaluation.testLoss.toFixed(4)}, accuracy ${e.evaluation.testAccuracy.toFixed(4)} on ${e.evaluation.samples} images`,
        );
        break;
      case 'finished':
        line(
          `Finished (${e.status}) after ${e.epochs} epochs, ${e.step} steps, ${fmtTime(e.seconds)}. Test accuracy ${e.testAccuracy?.toFixed(4)}. Saved in ${e.runDir}`,
        );
        break;
      case 'error':
        line(
          `Error [${e.code}]: ${e.message}${e.checkpoint ? `\nLast good checkpoint: ${e.checkpoint}` : ''}`,
        );
        break;
      case 'checkpoint':
        break;
    }
  };
}

/** Runs one engine job and returns the exit code: 0 unless it ended in an error. */
async function runJob(send: (host: EngineHost) => Promise<void>, json: boolean): Promise<number> {
  const host = new EngineHost();
  const print = printer(json);
  let failed = false;
  host.onEvent((e) => {
    if (e.type === 'error') failed = true;
    print(e);
  });
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts === 1) {
      console.error(
        '\nStopping after this batch (saving a checkpoint); press Ctrl+C again to abort.',
      );
      void host.send({ type: 'stop' });
    } else void host.close();
  };
  process.on('SIGINT', onSigint);
  try {
    await send(host);
    await host.whenIdle();
  } finally {
    process.off('SIGINT', onSigint);
    await host.close();
  }
  return failed ? 1 : 0;
}

export async function train(
  ref: string | undefined,
  o: Options,
  loadGraph: (ref: string) => Promise<GraphDoc>,
): Promise<number> {
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
  });
  return runJob((host) => host.send({ type: 'train', request }), json);
}

export async function evaluate(runDir: string | undefined, o: Options): Promise<number> {
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
  return runJob((host) => host.send({ type: 'evaluate', request }), o.json === true);
}

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
