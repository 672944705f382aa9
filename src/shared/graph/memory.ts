// A rough estimate of training memory (chapter 10.1 sizes the MLP's GPU
// memory): weights, their gradients and optimizer slots, plus every layer's
// activations and their gradients for one batch, all float32. A block counts the activations of
// every layer inside it, as the engine builds it: the same network gives the same estimate
// whether its blocks are drawn collapsed or expanded.
import { LayerError, type Shape } from '../layers/spec.ts';
import type { GraphAnalysis, NodeAnalysis } from './analyze.ts';
import { blockLayers } from './layers.ts';

export const OPTIMIZER_SLOTS = { sgd: 0, momentum: 1, adagrad: 1, rmsprop: 1, adam: 2 } as const;

export interface MemoryEstimate {
  parameterBytes: number;
  activationBytes: number;
  totalBytes: number;
}

export function estimateTrainingMemory(
  a: GraphAnalysis,
  batchSize: number,
  optimizer: keyof typeof OPTIMIZER_SLOTS = 'sgd',
): MemoryEstimate {
  const params = a.totals.total;
  const parameterBytes = params * 4 * (2 + OPTIMIZER_SLOTS[optimizer]);
  let values = 0;
  for (const n of a.nodes.values()) values += activationValues(n);
  const activationBytes = values * batchSize * 4 * 2;
  return { parameterBytes, activationBytes, totalBytes: parameterBytes + activationBytes };
}

const size = (shape: Shape): number => shape.reduce((x, y) => x * y, 1);

/** Values a node's forward pass keeps per sample: its output, or all its layers' for a block. */
export function activationValues(n: NodeAnalysis): number {
  if (!n.outputShape) return 0;
  const input = n.inputShapes[0];
  if (!n.spec?.expand || !n.params || n.inputShapes.length !== 1 || !input)
    return size(n.outputShape);
  try {
    const parts = blockLayers(n.name, n.spec, n.params, 'input', input, n.id);
    return parts.layers.reduce((sum, l) => sum + size(l.outputShape), 0);
  } catch (e) {
    // The block's own shape check passed, so its parts fit; count the output if one does not.
    if (e instanceof LayerError) return size(n.outputShape);
    throw e;
  }
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}
