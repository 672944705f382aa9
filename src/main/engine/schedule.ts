import type { Schedule } from '../../shared/train-config.ts';

/** Learning rate for a (0-based) epoch. */
export function learningRateAt(
  base: number,
  schedule: Schedule,
  epoch: number,
  epochs: number,
): number {
  switch (schedule.kind) {
    case 'constant':
      return base;
    case 'step':
      return base * schedule.factor ** Math.floor(epoch / schedule.everyEpochs);
    case 'exponential':
      return base * schedule.rate ** epoch;
    case 'cosine': {
      const t = epochs > 1 ? epoch / (epochs - 1) : 0;
      return schedule.minLr + (base - schedule.minLr) * 0.5 * (1 + Math.cos(Math.PI * t));
    }
  }
}
