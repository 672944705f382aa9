// The PyTorch engine's run. The engine process stays the one process its host talks to; here it
// supervises a Python child (resources/torch/runner.py) that trains the module the one PyTorch
// generator writes for the graph (model.py in the run's torch/ folder):
// - before: the dataset is read here (downloaded if need be, with progress), which gives the
//   run-started counts and the test split, and the runner is pointed at the same folder;
// - during: the runner's JSON lines are checked and relayed as the run's own events; pause,
//   resume and stop go to its stdin; a runner that dies is E_ENGINE_DIED with the checkpoint;
// - after: its last checkpoint holds the weights in tfjs's names and layouts, so the run's TF.js
//   model is written from it here and evaluated with the tfjs engine's own evaluation (the
//   evaluation view, feature maps and exports then work as for a tfjs run); finished carries
//   the runner's own test accuracy, which must agree with it.
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { generatePytorch, type TorchEntry } from '../../../shared/codegen/pytorch.ts';
import { DATA_SOURCE } from '../../../shared/codegen/pytorch/data-source.ts';
import { CodedError } from '../../../shared/errors.ts';
import type { BackendInfo, TrainingEventOf } from '../../../shared/events.ts';
import { writeFileAtomic } from '../../runs/atomic-write.ts';
import { checkpointEngine, readCheckpointFiles } from '../../runs/checkpoint-files.ts';
import { CHECKPOINT_UNUSABLE } from '../../runs/errors.ts';
import { PACKAGE_ROOT } from '../../host/entries.ts';
import { selectBackend, tf, type Tf } from '../backend.ts';
import { compileGraph } from '../compile.ts';
import { defaultCacheDir } from '../datasets/index.ts';
import { evaluateSplit } from '../evaluate.ts';
import { saveTfjsModel } from '../save-model.ts';
import {
  loadRunDataset,
  outputsProbabilities,
  RunError,
  runSplits,
  runStartedEvent,
  type RunContext,
} from '../run.ts';
import { torchDevice, type TorchInfo } from './detect.ts';
import { superviseRunner } from './supervise.ts';

type Model = ReturnType<Tf['model']>;

/** One tfjs weight (model.weights' order) and its state_dict entry: the runner's `layout`. */
export interface LayoutEntry extends TorchEntry {
  name: string;
}

/**
 * A file of resources/torch/ (runner.py, bench.py): in the package (the sources and the bundle
 * alike), or beside a packaged app's app.asar. Python cannot read inside an asar archive, so
 * callers copy it out (into the run folder) before running it.
 */
export function torchResource(name: string): string {
  const candidates = [join(PACKAGE_ROOT, 'resources', 'torch', name)];
  const resources = (process as { resourcesPath?: string }).resourcesPath;
  if (resources) candidates.push(join(resources, 'torch', name));
  const found = candidates.find((c) => existsSync(c));
  if (!found)
    throw new CodedError(
      'E_INTERNAL',
      `Netforge's ${name} is missing (looked for ${candidates.join(', ')}). Reinstall Netforge.`,
    );
  return found;
}

/** model.weights in order, each with the state_dict entry it maps to. */
export function weightLayout(model: Model, entries: TorchEntry[]): LayoutEntry[] {
  const byName = new Map(entries.map((e) => [`${e.layer}/${e.weight}`, e]));
  return model.weights.map((w) => {
    const entry = byName.get(w.originalName);
    if (!entry || entry.tfShape.join() !== w.shape.join())
      throw new CodedError(
        'E_INTERNAL',
        `The PyTorch module has no counterpart of the tfjs weight ${w.originalName} [${w.shape}].`,
      );
    return { ...entry, name: w.originalName };
  });
}

const device = (info: TorchInfo): string => {
  const d = torchDevice(info);
  return d === 'cuda' ? `cuda (${info.cudaDevices[0]})` : d;
};

/** Checks the checkpoint to resume from against the graph, as the tfjs engine does. */
async function checkResume(ctx: RunContext, model: Model): Promise<string> {
  const dir = ctx.folder.checkpoint('last');
  if (!dir)
    throw new RunError(
      'E_NO_CHECKPOINT',
      `There is no checkpoint to resume from in ${ctx.folder.checkpointDir('last')}. Start a new run instead.`,
    );
  let data;
  try {
    data = await readCheckpointFiles(dir);
  } catch (e) {
    if (!(e instanceof CodedError)) throw e;
    const code = e.code === 'E_NOT_FOUND' ? 'E_IO' : e.code;
    throw new RunError(code, `${e.message} ${CHECKPOINT_UNUSABLE}`, { checkpointDamaged: true });
  }
  const fits =
    data.weights.length === model.weights.length &&
    model.weights.every((w, i) => data.weights[i]!.shape.join() === w.shape.join());
  if (!fits)
    throw new RunError(
      'E_NO_CHECKPOINT',
      `The checkpoint in ${dir} does not fit the run's graph: it belongs to another graph.`,
    );
  if ((await checkpointEngine(dir)) === 'tfjs')
    throw new RunError(
      'E_NO_CHECKPOINT',
      `The checkpoint in ${dir} was written by the tfjs engine: continue the run with the tfjs engine (--engine tfjs).`,
    );
  return dir;
}

/** The weights of the checkpoint in `dir` (tfjs layout, model.weights' order) into `model`. */
async function loadWeights(dir: string, model: Model): Promise<void> {
  const { weights } = await readCheckpointFiles(dir);
  model.weights.forEach((w, i) => {
    const t = tf.tensor(weights[i]!.values, weights[i]!.shape);
    w.write(t);
    t.dispose();
  });
}

export async function trainWithTorch(
  ctx: RunContext,
  choice: { torch: TorchInfo; reason: string },
): Promise<void> {
  const { req, config, graph, folder, emit } = ctx;
  const backend: BackendInfo = {
    backend: 'torch',
    device: device(choice.torch),
    reason: choice.reason,
  };
  emit({ type: 'backend', backend });
  // tfjs builds the model too: its weight names and shapes, the TF.js model written at the end
  // and the evaluation. Its backend only evaluates here.
  await selectBackend(req.backend);
  const model = compileGraph(tf, graph);
  const gen = generatePytorch(graph);
  const layout = weightLayout(model, gen.entries);
  const resumeFrom = req.resume ? await checkResume(ctx, model) : null;
  const dataset = await loadRunDataset(ctx);
  const { train, validation, test } = runSplits(dataset, config);
  if (req.resume) await ctx.beginRecording();
  else {
    await folder.writeGraph(req.graph);
    await folder.writeConfig(config);
  }
  const files = folder.torchFiles;
  await mkdir(files.dir, { recursive: true });
  await writeFileAtomic(files.model, gen.source);
  await writeFileAtomic(
    files.data,
    '# Reads MNIST and CIFAR-10 as Netforge does (generated from its data-source.ts).\n' +
      'import gzip\nimport math\nimport os\nimport struct\n\nimport torch\n' +
      'import torch.nn.functional as F\n\n' +
      DATA_SOURCE,
  );
  await copyFile(torchResource('runner.py'), files.runner);
  await copyFile(torchResource('netforge_checkpoint.py'), files.checkpoints);
  const dataDir = req.dataDir ?? process.env.NETFORGE_DATA_DIR ?? req.cacheDir ?? defaultCacheDir();
  await writeFileAtomic(
    files.job,
    JSON.stringify(
      {
        torchDir: files.dir,
        config,
        dataDir,
        device: torchDevice(choice.torch),
        layout: layout.map(({ name, key, tfShape, perm, shape }) => ({
          name,
          key,
          tfShape,
          perm,
          shape,
        })),
        checkpoints: { last: folder.checkpointDir('last'), best: folder.checkpointDir('best') },
        resumeFrom,
        batchEventsPerSecond: 20,
        replicasFile: files.replicas,
      },
      null,
      1,
    ),
  );
  emit(
    runStartedEvent(req.runDir, config, {
      backend,
      totalParams: model.countParams(),
      splits: { train, validation, test },
      resumedFromStep: resumeFrom ? await resumedStep(resumeFrom) : null,
      notes: dataset.notes,
    }),
  );

  const done = await superviseRunner(ctx, {
    python: choice.torch.python,
    args: [files.runner, files.job],
    cwd: files.dir,
    distributed: req.distributed,
  });
  await ctx.flushEvents();
  if (!done) {
    // A distributed run's other machine: rank 0's machine writes the model and the result.
    emit({
      type: 'finished',
      status: 'completed',
      runDir: req.runDir,
      epochs: config.epochs,
      step: 0,
      seconds: (performance.now() - ctx.started) / 1000,
      testAccuracy: null,
      testLoss: null,
    });
    return;
  }
  const last = folder.checkpoint('last');
  if (!last)
    throw new CodedError(
      'E_INTERNAL',
      `The PyTorch runner ended without a checkpoint in ${req.runDir}.`,
    );
  await loadWeights(last, model);
  await saveTfjsModel(tf, model, folder.modelDir);
  const evaluation = evaluateSplit(tf, model, dataset, test, outputsProbabilities(graph));
  await folder.writeEvaluation(evaluation);
  emit({ type: 'evaluation', evaluation });
  const finished: TrainingEventOf<'finished'> = {
    type: 'finished',
    status: done.status,
    runDir: req.runDir,
    epochs: done.epochs,
    step: done.step,
    seconds: (performance.now() - ctx.started) / 1000,
    // The runner's own evaluation (PyTorch); the evaluation event is tfjs's of the TF.js model.
    testAccuracy: done.testAccuracy,
    testLoss: done.testLoss,
  };
  await folder.writeResult({ ...finished, backend });
  emit(finished);
  model.dispose();
}

async function resumedStep(dir: string): Promise<number> {
  const state = JSON.parse(await readFile(join(dir, 'state.json'), 'utf8')) as { step: number };
  return state.step;
}
