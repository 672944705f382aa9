// Starting, pausing, resuming and stopping a run and folding its events into the store; the
// runs list, reopening a saved run, re-attaching to a run in progress after a reload, and the
// runs overlaid for comparison.
import type { GraphDoc } from '../../shared/graph/types.ts';
import { trainConfigSchema, type TrainConfigInput } from '../../shared/train-config.ts';
import { type RunDetail, type EventPush } from '../../shared/api.ts';
import { type TrainingEvent } from '../../shared/events.ts';
import { newProject } from '../../shared/project.ts';
import { canContinue } from '../../shared/run.ts';
import { confirmDiscard } from '../project/actions.ts';
import { getEngine, type Engine } from '../project/engine.ts';
import { forgetAutosave } from '../project/persistence.ts';
import { useStore } from '../store/store.ts';
import { toForm } from './config.ts';
import {
  clearQueue,
  emptyRun,
  flushBatches,
  isBusy,
  queueBatch,
  useTraining,
  type Phase,
} from './training-store.ts';

let subscribed: Engine | null = null;
/** Events that came while train.start was in flight, before we knew the run's id. */
let early: EventPush[] = [];

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

const backendText = (b: { backend: string; device: string; reason: string }): string =>
  `${b.backend} — ${b.device} (${b.reason})`;

function subscribe(engine: Engine): void {
  if (subscribed === engine) return;
  subscribed = engine;
  engine.onEvent((push) => {
    const { phase, runId, source } = useTraining.getState();
    if (phase === 'starting' && runId === null) early.push(push);
    else if (push.runId === runId && source === 'live') apply(push.event);
    else otherRun(push);
  });
}

/**
 * A run this window is not showing (started from another window or browser tab): the runs list
 * follows its start and end, and a window showing no run at all follows the run itself.
 */
function otherRun(push: EventPush): void {
  const type = push.event.type;
  if (type === 'run-started' || type === 'finished' || type === 'error') void refreshRuns();
  const { phase, runId } = useTraining.getState();
  if (type === 'run-started' && runId === null && phase === 'idle')
    void openRun(push.runId, { show: false });
}

export function apply(event: TrainingEvent): void {
  const set = useTraining.setState;
  if (event.type === 'batch') {
    queueBatch(event);
    return;
  }
  flushBatches(); // keep the order: batches before what follows them
  switch (event.type) {
    case 'backend':
      set({ backend: backendText(event.backend) });
      break;
    case 'run-started':
      if (event.resumedFromStep !== null) {
        // Continued from a checkpoint: what came after it is trained again.
        const at = event.resumedFromStep;
        set((s) => ({
          batches: s.batches.filter((b) => b.step <= at),
          epochs: s.epochs.filter((p) => p.step <= at),
        }));
      }
      set({
        info: {
          epochs: event.epochs,
          stepsPerEpoch: event.stepsPerEpoch,
          trainSamples: event.trainSamples,
          validationSamples: event.validationSamples,
          testSamples: event.testSamples,
        },
        download: null,
        activity: 'Starting the first batch…',
      });
      break;
    case 'dataset-progress': {
      const total = event.totalBytes ? ` of ${(event.totalBytes / 1e6).toFixed(1)} MB` : '';
      set({
        download: {
          file: event.file,
          receivedBytes: event.receivedBytes,
          totalBytes: event.totalBytes,
        },
        activity: `Downloading ${event.file}: ${(event.receivedBytes / 1e6).toFixed(1)} MB${total}`,
      });
      break;
    }
    case 'status':
      if (event.state !== 'stopping') void refreshRuns();
      set((s) =>
        !isBusy(s.phase)
          ? {}
          : {
              phase:
                event.state === 'paused'
                  ? 'paused'
                  : event.state === 'resumed'
                    ? 'running'
                    : 'stopping',
            },
      );
      break;
    case 'epoch': {
      const { type: _type, ...point } = event;
      set((s) => ({ epochs: [...s.epochs, point] }));
      break;
    }
    case 'evaluation':
      // The model is saved before the test set is evaluated.
      set({ evaluation: event.evaluation, hasModel: true, activity: null });
      break;
    case 'finished':
      // A stopped run keeps its last checkpoint and can go on from it.
      set({
        finished: event,
        phase: 'finished',
        activity: null,
        canContinue: event.status === 'stopped',
      });
      void refreshRuns();
      break;
    case 'error':
      set({
        phase: 'error',
        activity: null,
        download: null,
        canContinue: event.checkpoint !== null,
        error: event.checkpoint
          ? `${event.message} The last checkpoint is kept in ${event.checkpoint}.`
          : event.message,
      });
      void refreshRuns();
      break;
    case 'checkpoint':
      break;
  }
}

export async function startRun(
  graph: GraphDoc,
  config: TrainConfigInput,
  dataDir: string,
): Promise<void> {
  const engine = await getEngine();
  if (!engine) {
    useTraining.setState({
      ...emptyRun,
      phase: 'error',
      error: "Netforge's engine is not available.",
    });
    return;
  }
  clearQueue();
  early = [];
  const parsed = trainConfigSchema.safeParse(config);
  useTraining.setState({
    ...emptyRun,
    phase: 'starting',
    runName: graph.name,
    runConfig: parsed.success ? parsed.data : null,
    activity: 'Starting the engine…',
    view: 'dashboard',
  });
  subscribe(engine);
  try {
    const { runId } = await engine.call('train.start', { graph, config, dataDir: dataDir || null });
    const buffered = early.filter((p) => p.runId === runId);
    early = [];
    useTraining.setState((s) => ({ runId, phase: s.phase === 'starting' ? 'running' : s.phase }));
    for (const p of buffered) apply(p.event);
    void refreshRuns();
  } catch (e) {
    early = [];
    useTraining.setState({ phase: 'error', activity: null, error: message(e) });
  }
}

/** Sends pause, resume or stop for the run in progress; failures show as the panel's error. */
export async function control(action: 'pause' | 'resume' | 'stop'): Promise<void> {
  const { runId } = useTraining.getState();
  const engine = await getEngine();
  if (!runId || !engine) return;
  try {
    if (action === 'pause') await engine.call('train.pause', { runId });
    else if (action === 'resume') await engine.call('train.resume', { runId });
    else {
      useTraining.setState({ phase: 'stopping' });
      await engine.call('train.stop', { runId });
    }
  } catch (e) {
    useTraining.setState({ error: message(e) });
  }
}

// ---- Runs ----

/** Reloads the runs list; failures show in the list. */
export async function refreshRuns(): Promise<void> {
  const engine = await getEngine();
  if (!engine || engine.transport === 'none') return;
  try {
    useTraining.setState({ runs: await engine.call('runs.list', {}), runsError: null });
  } catch (e) {
    useTraining.setState({ runsError: message(e) });
  }
}

/** The store's view of a run read back from its folder. */
function shownFrom(detail: RunDetail, source: 'live' | 'saved') {
  const e = detail.entry;
  const v = detail.view;
  return {
    ...emptyRun,
    source,
    phase: (v.phase === 'starting' ? 'running' : v.phase) as Phase,
    runId: e.runId,
    runName: e.name,
    backend: v.backend ? backendText(v.backend) : null,
    info: v.info,
    batches: v.batches,
    epochs: v.epochs,
    evaluation: v.evaluation,
    hasModel: v.hasModel,
    runGraph: detail.graph,
    runConfig: detail.config,
    canContinue: canContinue(v),
    error: v.error
      ? v.error.checkpoint
        ? `${v.error.message} The last checkpoint is kept in ${v.error.checkpoint}.`
        : v.error.message
      : v.phase === 'incomplete'
        ? 'This run ended without a result: the app was closed or the engine stopped during it.'
        : null,
    finished: v.finished,
    last: v.last,
  };
}

/**
 * Shows a saved run, or follows one in progress, in the dashboard (not while this window's own
 * run is in progress); `show: false` leaves the centre on the canvas if it is there.
 */
export async function openRun(runId: string, options: { show?: boolean } = {}): Promise<void> {
  if (isBusy(useTraining.getState().phase)) return;
  const engine = await getEngine();
  if (!engine) return;
  try {
    const detail = await engine.call('runs.get', { runId });
    const active = detail.entry.status === 'running' || detail.entry.status === 'paused';
    if (active) subscribe(engine);
    clearQueue();
    useTraining.setState({
      ...shownFrom(detail, active ? 'live' : 'saved'),
      ...(options.show === false ? {} : { view: 'dashboard' as const }),
    });
  } catch (e) {
    useTraining.setState({ runsError: message(e) });
  }
}

/**
 * After a reload: lists the runs and, if one is in progress (started by this or another window),
 * shows it with the curves so far and follows its events.
 */
export async function attachToRuns(): Promise<void> {
  const engine = await getEngine();
  if (engine && engine.transport !== 'none') subscribe(engine);
  await refreshRuns();
  const { runs, phase } = useTraining.getState();
  const active = runs.find((r) => r.status === 'running' || r.status === 'paused');
  if (active && !isBusy(phase)) await openRun(active.runId);
}

/** A legend label that tells runs of the same network apart: its name and start time. */
function compareName(d: RunDetail): string {
  const t = new Date(d.entry.startedAt);
  return Number.isNaN(t.getTime())
    ? d.entry.runId
    : `${d.entry.name} ${t.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' })}`;
}

/** Ticks or unticks a run in the comparison; its curves are fetched once. */
export async function toggleCompare(runId: string): Promise<void> {
  const { compare, compareData } = useTraining.getState();
  if (compare.includes(runId)) {
    useTraining.setState({ compare: compare.filter((r) => r !== runId) });
    return;
  }
  useTraining.setState({ compare: [...compare, runId] });
  const entry = useTraining.getState().runs.find((r) => r.runId === runId);
  // A finished run's curves do not change; a running one's are fetched again each time.
  if (compareData[runId] && entry?.status !== 'running' && entry?.status !== 'paused') return;
  const engine = await getEngine();
  if (!engine) return;
  try {
    const d = await engine.call('runs.get', { runId });
    useTraining.setState((s) => ({
      compareData: {
        ...s.compareData,
        [runId]: { runId, name: compareName(d), batches: d.view.batches, epochs: d.view.epochs },
      },
    }));
  } catch (e) {
    useTraining.setState((s) => ({
      compare: s.compare.filter((r) => r !== runId),
      runsError: message(e),
    }));
  }
}

/**
 * Opens the reopened run's network as a new project and puts its settings in the Training panel,
 * to change and train again (asks first if the open project has unsaved changes).
 */
export function editRunAgain(): boolean {
  const { runGraph, runConfig, form } = useTraining.getState();
  if (!runGraph || !confirmDiscard()) return false;
  const editor = useStore.getState();
  // The run trained on config.dataset, whatever the graph named then.
  const graph = runConfig ? { ...runGraph, dataset: runConfig.dataset } : runGraph;
  editor.openProject(newProject(graph), null);
  forgetAutosave(false);
  useTraining.setState({
    view: 'canvas',
    ...(runConfig ? { form: { ...toForm(runConfig, form), dataDir: form.dataDir } } : {}),
  });
  editor.notify(
    'info',
    `Opened the network of run ${useTraining.getState().runId ?? ''} with its settings.`,
  );
  return true;
}

/** Deletes a finished run after asking; the dashboard stops showing it if it did. */
export async function deleteRun(runId: string): Promise<void> {
  const entry = useTraining.getState().runs.find((r) => r.runId === runId);
  const label = entry ? `${entry.name} (${runId})` : runId;
  if (
    !window.confirm(
      `Delete the run ${label} with its checkpoints and model? This cannot be undone.`,
    )
  )
    return;
  const engine = await getEngine();
  if (!engine) return;
  try {
    await engine.call('runs.delete', { runId });
  } catch (e) {
    useTraining.setState({ runsError: message(e) });
    return;
  }
  useTraining.setState((s) => {
    const { [runId]: _gone, ...compareData } = s.compareData;
    return {
      ...(s.runId === runId && !isBusy(s.phase) ? emptyRun : {}),
      compare: s.compare.filter((r) => r !== runId),
      compareData,
    };
  });
  await refreshRuns();
}

/**
 * Continues the reopened run from its last checkpoint: it becomes the live run, its curves so
 * far stay and the new points follow them.
 */
export async function continueShownRun(): Promise<void> {
  const { runId, canContinue, phase } = useTraining.getState();
  if (!runId || !canContinue || isBusy(phase)) return;
  const engine = await getEngine();
  if (!engine) return;
  clearQueue();
  early = [];
  // Keep what the run has so far (curves, settings); drop its old end.
  useTraining.setState({
    phase: 'starting',
    source: 'live',
    canContinue: false,
    evaluation: null,
    finished: null,
    error: null,
    hasModel: false,
    activity: 'Starting the engine…',
  });
  subscribe(engine);
  try {
    await engine.call('runs.continue', { runId });
    const buffered = early.filter((p) => p.runId === runId);
    early = [];
    useTraining.setState((s) => ({ phase: s.phase === 'starting' ? 'running' : s.phase }));
    for (const p of buffered) apply(p.event);
    void refreshRuns();
  } catch (e) {
    early = [];
    useTraining.setState({ phase: 'error', activity: null, error: message(e) });
  }
}
