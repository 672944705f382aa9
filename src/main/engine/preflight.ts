// Checks a graph and its settings before anything is written or allocated for a run: the graph's
// problems (the same analysis as the canvas), its depth (tfjs builds a model recursively, and a
// chain of some thousands of layers overflows the stack), and whether training it fits in this
// machine's memory (the estimate the summary shows). Each failure is an E_GRAPH / E_CONFIG
// naming the layer or the setting and what to change.
import { totalmem } from 'node:os';

import { CodedError } from '../../shared/errors.ts';
import { analyzeGraph, type GraphAnalysis } from '../../shared/graph/analyze.ts';
import { estimateTrainingMemory, formatBytes } from '../../shared/graph/memory.ts';
import { incomingEdges } from '../../shared/graph/topology.ts';
import type { GraphDoc } from '../../shared/graph/types.ts';
import type { TrainConfig } from '../../shared/train-config.ts';

/**
 * The deepest network (in layers, blocks counted by their parts) the engine builds. tfjs's model
 * construction recursed past Node's stack between 2,000 and 5,000 chained Dense layers when
 * measured; ResNet-152, the deepest template, is 514 layers deep.
 */
export const MAX_DEPTH = 2000;
/** The share of the machine's memory a training may plan to use. */
const MEMORY_SHARE = 0.75;

export interface PreflightOptions {
  /** The memory training may use (default: this machine's). */
  memoryBytes?: number;
}

/** Throws a CodedError if `graph` cannot be trained with `config` here; returns its analysis. */
export function preflight(
  graph: GraphDoc,
  config: Pick<TrainConfig, 'batchSize' | 'optimizer' | 'momentum'>,
  options: PreflightOptions = {},
): GraphAnalysis {
  if (graph.nodes.length === 0)
    throw new CodedError(
      'E_GRAPH',
      `The graph "${graph.name}" is empty. Add an Input layer and the layers after it, or start from a template.`,
    );
  const a = analyzeGraph(graph);
  if (!a.valid || !a.inputId || !a.outputId) {
    const listed = a.issues.slice(0, 5).map((i) => `[${i.code}] ${i.message}`);
    const more = a.issues.length > 5 ? ` (and ${a.issues.length - 5} more)` : '';
    throw new CodedError(
      'E_GRAPH',
      `The graph "${graph.name}" cannot be trained: ${listed.join(' ') || 'it has no input or no output layer.'}${more}`,
    );
  }
  const depth = depthOf(graph, a);
  if (depth > MAX_DEPTH)
    throw new CodedError(
      'E_GRAPH',
      `The graph "${graph.name}" is ${depth.toLocaleString('en')} layers deep; Netforge trains networks up to ${MAX_DEPTH.toLocaleString('en')} layers deep. Remove layers or use blocks with fewer repeats.`,
    );
  const optimizer =
    config.optimizer === 'sgd' ? (config.momentum > 0 ? 'momentum' : 'sgd') : config.optimizer;
  const memory = estimateTrainingMemory(a, config.batchSize, optimizer);
  const available = (options.memoryBytes ?? totalmem()) * MEMORY_SHARE;
  if (!Number.isFinite(memory.totalBytes) || memory.totalBytes > available) {
    const biggest = [...a.nodes.values()].reduce((x, n) =>
      n.paramCount.trainable + n.paramCount.nonTrainable >
      x.paramCount.trainable + x.paramCount.nonTrainable
        ? n
        : x,
    );
    throw new CodedError(
      'E_CONFIG',
      `Training "${graph.name}" at batch size ${config.batchSize} needs about ${formatBytes(memory.totalBytes)} ` +
        `(${formatBytes(memory.parameterBytes)} for ${a.totals.total.toLocaleString('en')} parameters, the largest layer being ${biggest.name}), ` +
        `more than the ${formatBytes(available)} this machine can give it. Lower the batch size or make the layers smaller.`,
    );
  }
  return a;
}

/** The longest input-to-output path, a block counting as the layers it expands to. */
function depthOf(graph: GraphDoc, a: GraphAnalysis): number {
  const incoming = incomingEdges(graph);
  const depth = new Map<string, number>();
  let deepest = 0;
  for (const id of a.order) {
    const node = a.nodes.get(id)!;
    const own = node.spec?.expand && node.params ? node.spec.expand(node.params).nodes.length : 1;
    const before = Math.max(0, ...(incoming.get(id) ?? []).map((e) => depth.get(e.source) ?? 0));
    const d = before + own;
    depth.set(id, d);
    if (d > deepest) deepest = d;
  }
  return deepest;
}
