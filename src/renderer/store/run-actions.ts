// The training slice's actions that talk to the engine: start, pause, resume, stop and continue
// a run; the runs list; reopening a saved run or following one in progress (after a reload, or
// started in another window); the comparison; deleting a run. Each takes the Host whose engine
// it uses; failures end up in the store as messages written for the user.
import type { RunDetail, RunEntry } from '../../shared/api.ts';
import type { GraphDoc } from '../../shared/graph/types.ts';
import { emptyRunView, reopenRun } from '../../shared/run.ts';
import { trainConfigSchema, type TrainConfigInput } from '../../shared/train-config.ts';
import type { Host } from '../host/host.ts';
import type { GetStore, RunFeed, SetStore } from './run-feed.ts';
import { canContinueShown, isBusy } from './training-selectors.ts';
import type { ShownRun } from './training-slice.ts';

export interface RunActions {
  /** Starts training `graph` and shows it in the dashboard. */
  startRun: (
    host: Host,
    graph: GraphDoc,
    config: TrainConfigInput,
    dataDir: string,
  ) => Promise<void>;
  /** Sends pause, resume or stop for the run on show; a refusal shows as its error. */
  controlRun: (host: Host, action: 'pause' | 'resume' | 'stop') => Promise<void>;
  /** Continues the run on show from its last checkpoint: its curves so far stay. */
  continueRun: (host: Host) => Promise<void>;
  /** Reloads the runs list; failures show in the list. */
  refreshRuns: (host: Host) => Promise<void>;
  /**
   * Shows a saved run, or follows one in progress, in the dashboard (not while this window's
   * run is in progress); `show: false` leaves the centre on the canvas if it is there.
   */
  openRun: (host: Host, runId: string, options?: { show?: boolean }) => Promise<void>;
  /**
   * At start-up: lists the runs and follows one in progress, if any, with its curves so far;
   * asks which engines can train here.
   */
  attachToRuns: (host: Host) => Promise<void>;
  /** Ticks or unticks a run in the comparison; a finished run's curves are fetched once. */
  toggleCompare: (host: Host, runId: string) => Promise<void>;
  /** Deletes a finished run after asking; the dashboard stops showing it if it did. */
  deleteRun: (host: Host, runId: string) => Promise<void>;
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

const shown = (
  run: Omit<ShownRun, 'pending' | 'refused' | 'controlError'>,
  pending = false,
): ShownRun => ({ ...run, pending, refused: null, controlError: null });

/** A legend label that tells runs of the same network apart: its name and start time. */
function compareName(d: RunDetail): string {
  const t = new Date(d.entry.startedAt);
  return Number.isNaN(t.getTime())
    ? d.entry.runId
    : `${d.entry.name} ${t.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' })}`;
}

/** The run is training in this Netforge (one running in another shows, but is not followed). */
const inProgress = (entry: Pick<RunEntry, 'status' | 'owner'> | undefined) =>
  (entry?.status === 'running' || entry?.status === 'paused') && entry.owner !== 'other';

export function createRunActions(set: SetStore, get: GetStore, feed: RunFeed): RunActions {
  /** Changes the run on show, if there still is one. */
  const update = (change: Partial<ShownRun>) =>
    set((s) => (s.run ? { run: { ...s.run, ...change } } : {}));

  return {
    async startRun(host, graph, config, dataDir) {
      feed.reset();
      feed.listen(host);
      const parsed = trainConfigSchema.safeParse(config);
      set({
        run: shown(
          {
            runId: null,
            source: 'live',
            name: graph.name,
            graph: null,
            config: parsed.success ? parsed.data : null,
            view: emptyRunView,
          },
          true,
        ),
        centre: 'dashboard',
      });
      try {
        const { runId } = await host.engine.call('train.start', {
          graph,
          config,
          dataDir: dataDir || null,
        });
        update({ runId, pending: false });
        feed.release(runId);
        void get().refreshRuns(host);
      } catch (e) {
        update({ pending: false, refused: message(e) });
        feed.release(null);
      }
    },

    async controlRun(host, action) {
      const runId = get().run?.runId;
      if (!runId) return;
      try {
        await host.engine.call(`train.${action}`, { runId });
      } catch (e) {
        if (get().run?.runId === runId) update({ controlError: message(e) });
      }
    },

    async continueRun(host) {
      const s = get();
      const run = s.run;
      if (!run?.runId || !canContinueShown(s)) return;
      const runId = run.runId;
      feed.reset();
      feed.listen(host);
      // Its curves and settings stay; its old ending goes.
      set({ run: shown({ ...run, source: 'live', view: reopenRun(run.view) }, true) });
      try {
        await host.engine.call('runs.continue', { runId });
        update({ pending: false });
        void get().refreshRuns(host);
      } catch (e) {
        update({ pending: false, refused: message(e) });
      }
    },

    async refreshRuns(host) {
      if (host.engine.transport === 'none') return;
      try {
        set({ runs: await host.engine.call('runs.list', {}), runsError: null });
      } catch (e) {
        set({ runsError: message(e) });
      }
    },

    async openRun(host, runId, options = {}) {
      if (isBusy(get())) return;
      let detail: RunDetail;
      try {
        detail = await host.engine.call('runs.get', { runId });
      } catch (e) {
        set({ runsError: message(e) });
        return;
      }
      // A run started here while the request was out takes precedence.
      if (isBusy(get())) return;
      const active = inProgress(detail.entry);
      if (active) feed.listen(host);
      feed.reset();
      set({
        run: shown({
          runId: detail.entry.runId,
          source: active ? 'live' : 'saved',
          name: detail.entry.name,
          graph: detail.graph,
          config: detail.config,
          view: detail.view,
        }),
        runExports: { ...get().runExports, [detail.entry.runId]: detail.exports },
        ...(options.show === false ? {} : { centre: 'dashboard' as const }),
      });
    },

    async attachToRuns(host) {
      if (host.engine.transport !== 'none') {
        feed.listen(host);
        // The server's own data folder (`netforge serve --data-dir`), used when the field is empty.
        host.engine.call('hello', {}).then(
          (hello) => set({ serverDataDir: hello.dataDir ?? null }),
          () => undefined,
        );
        // For the Engine field. Not awaited: finding PyTorch can take seconds on a cold start
        // (the server caches it), and the form works without it.
        host.engine.call('engines.status', {}).then(
          (enginesStatus) => set({ enginesStatus }),
          () => undefined,
        );
      }
      await get().refreshRuns(host);
      const active = get().runs.find((r) => inProgress(r));
      if (active && !isBusy(get())) await get().openRun(host, active.runId);
    },

    async toggleCompare(host, runId) {
      const { compare, compareData, runs } = get();
      if (compare.includes(runId)) {
        set({ compare: compare.filter((r) => r !== runId) });
        return;
      }
      set({ compare: [...compare, runId] });
      const entry = runs.find((r) => r.runId === runId);
      // A finished run's curves do not change; a running one's are fetched again each time.
      if (compareData[runId] && entry?.status !== 'running' && entry?.status !== 'paused') return;
      try {
        const d = await host.engine.call('runs.get', { runId });
        set((s) => ({
          compareData: {
            ...s.compareData,
            [runId]: {
              runId,
              name: compareName(d),
              batches: d.view.batches,
              epochs: d.view.epochs,
            },
          },
        }));
      } catch (e) {
        set((s) => ({ compare: s.compare.filter((r) => r !== runId), runsError: message(e) }));
      }
    },

    async deleteRun(host, runId) {
      const entry = get().runs.find((r) => r.runId === runId);
      const label = entry ? `${entry.name} (${runId})` : runId;
      const sure = await host.confirm(
        `Delete the run ${label} with its checkpoints and model? This cannot be undone.`,
      );
      if (!sure) return;
      try {
        await host.engine.call('runs.delete', { runId });
      } catch (e) {
        set({ runsError: message(e) });
        return;
      }
      set((s) => {
        const { [runId]: _gone, ...compareData } = s.compareData;
        return {
          ...(s.run?.runId === runId && !isBusy(s) ? { run: null } : {}),
          compare: s.compare.filter((r) => r !== runId),
          compareData,
        };
      });
      await get().refreshRuns(host);
    },
  };
}
