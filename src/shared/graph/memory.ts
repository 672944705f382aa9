// A rough estimate of training memory (chapter 10.1 sizes the MLP's GPU
// memory): weights, their gradients and optimizer slots, plus every layer's
// activations and their gradients for one batch, all float32.
import type { GraphAnalysis } from './analyze.ts';

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
  for (const n of a.nodes.values())
    if (n.outputShape) values += n.outputShape.reduce((x, y) => x * y, 1);
  const activationBytes = values * batchSize * 4 * 2;
  return { parameterBytes, activationBytes, totalBytes: parameterBytes + activationBytes };
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
