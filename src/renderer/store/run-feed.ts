// The engine's pushed events into the store. Events of the run on show are folded into its
// RunView with the shared reducer; batch events come hundreds a second, so they wait and are
// folded once per frame with reduceEvents, and any other event first folds the batches before
// it, keeping their order. Events of other runs keep the runs list current, and a window that
// shows no run follows a run started elsewhere. One feed per store, made by the training slice.
import type { StateCreator } from 'zustand';
import type { EventPush } from '../../shared/api.ts';
import type { TrainingEvent } from '../../shared/events.ts';
import { reduceEvents } from '../../shared/run.ts';
import type { EngineClient } from '../engine/client.ts';
import type { Host } from '../host/host.ts';
import type { Store } from './store.ts';

export type SetStore = Parameters<StateCreator<Store>>[0];
export type GetStore = Parameters<StateCreator<Store>>[1];

export interface RunFeed {
  /** Listens to `host`'s engine from now on (once per engine; later calls do nothing). */
  listen(host: Host): void;
  /**
   * train.start has answered (runId) or failed (null): events that came meanwhile, before this
   * window knew its run's id, are folded if they are that run's.
   */
  release(runId: string | null): void;
  /** Another run is shown from now on: drops the batch events still waiting. */
  reset(): void;
}

/** The latest a waiting batch is folded when no frame comes (a hidden tab has none). */
const MAX_WAIT_MS = 250;

export function createRunFeed(set: SetStore, get: GetStore): RunFeed {
  let engine: EngineClient | null = null;
  let host: Host | null = null;
  let unsubscribe: (() => void) | null = null;
  /** Events that came while train.start was in flight. */
  let early: EventPush[] = [];
  /** Events of the run on show not folded yet: batches, waiting for the next frame. */
  let waiting: TrainingEvent[] = [];
  let scheduled = false;

  function flush(): void {
    scheduled = false;
    if (waiting.length === 0) return;
    const events = waiting;
    waiting = [];
    set((s) => (s.run ? { run: { ...s.run, view: reduceEvents(s.run.view, events) } } : {}));
  }

  function schedule(): void {
    if (scheduled) return;
    scheduled = true;
    const frame = typeof requestAnimationFrame === 'function' ? requestAnimationFrame : null;
    if (frame) frame(flush);
    setTimeout(() => {
      if (scheduled) flush();
    }, MAX_WAIT_MS);
  }

  function fold(event: TrainingEvent): void {
    waiting.push(event);
    if (event.type === 'batch') {
      schedule();
      return;
    }
    flush();
    const refresh =
      (event.type === 'status' && event.state !== 'stopping') ||
      event.type === 'finished' ||
      event.type === 'error';
    if (refresh && host) void get().refreshRuns(host);
  }

  /** A run this window is not showing (started from another window or browser tab). */
  function otherRun(push: EventPush): void {
    if (!host) return;
    const type = push.event.type;
    if (type === 'run-started' || type === 'finished' || type === 'error')
      void get().refreshRuns(host);
    if (type === 'run-started' && get().run === null)
      void get().openRun(host, push.runId, { show: false });
  }

  function receive(push: EventPush): void {
    const run = get().run;
    if (run?.pending && run.runId === null) early.push(push);
    else if (run && push.runId === run.runId && run.source === 'live') fold(push.event);
    else otherRun(push);
  }

  return {
    listen(h) {
      host = h;
      if (engine === h.engine) return;
      unsubscribe?.();
      engine = h.engine;
      unsubscribe = h.engine.onEvent(receive);
    },
    release(runId) {
      const held = early;
      early = [];
      for (const push of held) {
        if (runId !== null && push.runId === runId) fold(push.event);
        else otherRun(push);
      }
    },
    reset() {
      waiting = [];
      early = [];
    },
  };
}
