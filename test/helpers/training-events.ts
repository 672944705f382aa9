// Helpers for tests that watch a training's pushed events.
import type { EventPush } from '../../src/shared/api.ts';
import type { TrainingEvent } from '../../src/shared/events.ts';

type Subscribe = (listener: (push: EventPush) => void) => () => void;

/** Resolves with the first event pushed from now on that `test` accepts. */
export const nextEvent = (subscribe: Subscribe, test: (e: TrainingEvent) => boolean) =>
  new Promise<TrainingEvent>((resolve) => {
    const off = subscribe(({ event }) => {
      if (!test(event)) return;
      off();
      resolve(event);
    });
  });

export const ended = (e: TrainingEvent): boolean => e.type === 'finished' || e.type === 'error';

export const sleep = (ms: number): Promise<unknown> => new Promise((r) => setTimeout(r, ms));

/** The event types in order, consecutive repeats merged, housekeeping events left out. */
export function outline(events: TrainingEvent[]): string[] {
  const kept = events
    .map((e) => e.type)
    .filter((t) => t !== 'checkpoint' && t !== 'dataset-progress' && t !== 'status');
  return kept.filter((t, i) => t !== kept[i - 1]);
}

/** The outline of a completed two-epoch run. */
export const TWO_EPOCH_RUN = [
  'backend',
  'run-started',
  'batch',
  'epoch',
  'batch',
  'epoch',
  'evaluation',
  'finished',
];
