// What an export is made from: a graph, its layers as the engines build them, and a tfjs model
// holding the weights: a finished run's trained model, or for an untrained design the initial
// weights a run would start from (seeded as training seeds them).
import { flattenNetwork, type FlatNetwork } from '../../../shared/graph/layers.ts';
import type { GraphDoc } from '../../../shared/graph/types.ts';
import { trainConfigSchema, type TrainConfig } from '../../../shared/train-config.ts';
import { RunFolder } from '../../runs/run-folder.ts';
import type { Tf } from '../backend.ts';
import { compileGraph } from '../compile.ts';
import { loadTfjsModel } from '../load-model.ts';
import { preflight } from '../preflight.ts';
import { seedKernels } from '../run.ts';

export interface ExportSource {
  graph: GraphDoc;
  network: FlatNetwork;
  model: ReturnType<Tf['model']>;
  /** The run's settings, or the defaults for the graph's dataset (scripts that train use them). */
  config: TrainConfig;
  /** The run folder it came from; null for an untrained design. */
  runDir: string | null;
  /** True when the weights are a trained run's. */
  trained: boolean;
}

/** A finished run's trained model (E_NO_MODEL if it has none yet). */
export async function runSource(tf: Tf, runDir: string): Promise<ExportSource> {
  const folder = new RunFolder(runDir);
  const graph = await folder.loadGraph();
  const config = await folder.loadConfig();
  const model = await loadTfjsModel(tf, folder.modelDir);
  const trainedGraph = { ...graph, dataset: config.dataset };
  return {
    graph: trainedGraph,
    network: flattenNetwork(trainedGraph),
    model,
    config,
    runDir,
    trained: true,
  };
}

/** An untrained design: the weights a run with `config`'s seed would start from. */
export function designSource(tf: Tf, graph: GraphDoc, config?: Partial<TrainConfig>): ExportSource {
  const settings = trainConfigSchema.parse({ dataset: graph.dataset ?? 'mnist', ...config });
  const doc = { ...graph, dataset: settings.dataset };
  preflight(doc, settings);
  const model = compileGraph(tf, doc);
  seedKernels(tf, model, settings.seed);
  return {
    graph: doc,
    network: flattenNetwork(doc),
    model,
    config: settings,
    runDir: null,
    trained: false,
  };
}
