// Starting, pausing, resuming and stopping a run, and folding its events into the store.
import type { GraphDoc } from '../../shared/graph/types.ts';
import type { ServerPush, TrainConfigInput, TrainingEvent } from '../../shared/protocol.ts';
import { getEngine, type Engine } from '../project/engine.ts';
import { clearQueue, emptyRun, flushBatches, queueBatch, useTraining } from './training-store.ts';

let subscribed: Engine | null = null;
/** Events that came while train.start was in flight, before we knew the run's id. */
let early: ServerPush[] = [];

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

function subscribe(engine: Engine): void {
  if (subscribed === engine) return;
  subscribed = engine;
  engine.onEvent((push) => {
    const { phase, runId } = useTraining.getState();
    if (phase === 'starting' && runId === null) early.push(push);
    else if (push.runId === runId) apply(push.event);
  });
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
      set({
        backend: `${event.backend.backend} — ${event.backend.device} (${event.backend.reason})`,
      });
      break;
    case 'run-started':
      set({
        info: {
          epochs: event.epochs,
          stepsPerEpoch: event.stepsPerEpoch,
          trainSamples: event.trainSamples,
          testSamples: event.testSamples,
        },
        activity: 'Starting the first batch…',
      });
      break;
    case 'dataset-progress': {
      const total = event.totalBytes ? ` of ${(event.totalBytes / 1e6).toFixed(1)} MB` : '';
      set({
        activity: `Loading ${event.file}: ${(event.receivedBytes / 1e6).toFixed(1)} MB${total}`,
      });
      break;
    }
    case 'status':
      set((s) =>
        s.phase === 'finished' || s.phase === 'error'
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
    case 'evaluation':
      set({ evaluation: event.evaluation, activity: null });
      break;
    case 'finished':
      set({ finished: event, phase: 'finished', activity: null });
      break;
    case 'error':
      set({
        phase: 'error',
        activity: null,
        error: event.checkpoint
          ? `${event.message} (last checkpoint: ${event.checkpoint})`
          : event.message,
      });
      break;
    case 'epoch':
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
  useTraining.setState({ ...emptyRun, phase: 'starting', activity: 'Starting the engine…' });
  subscribe(engine);
  try {
    const { runId } = await engine.startTraining({ graph, config, dataDir: dataDir || null });
    const buffered = early.filter((p) => p.runId === runId);
    early = [];
    useTraining.setState((s) => ({ runId, phase: s.phase === 'starting' ? 'running' : s.phase }));
    for (const p of buffered) apply(p.event);
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
    if (action === 'pause') await engine.pauseTraining(runId);
    else if (action === 'resume') await engine.resumeTraining(runId);
    else {
      useTraining.setState({ phase: 'stopping' });
      await engine.stopTraining(runId);
    }
  } catch (e) {
    useTraining.setState({ error: message(e) });
  }
}
