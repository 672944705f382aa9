// What the Training panel and the dashboard show of the run on show, derived from its RunView
// (shared/run.ts decides phases, endings and whether it can go on) and the requests about it.
import { canContinue, hasEnded, isActive, type RunPhase, type RunView } from '../../shared/run.ts';
import { runEngineText } from '../training/engine-field.ts';
import type { ShownRun, TrainingSlice } from './training-slice.ts';

/** 'idle' when no run is on show. */
export type ShownPhase = RunPhase | 'idle';

type WithRun = Pick<TrainingSlice, 'run'>;

/** An empty list that stays the same object, for selectors (a new [] would re-render). */
export const NONE: readonly never[] = Object.freeze([]);

export function shownPhase({ run }: WithRun): ShownPhase {
  if (!run) return 'idle';
  return run.refused !== null ? 'error' : run.view.phase;
}

/** The run on show is between its start and its end (then Start and opening runs wait). */
export function isBusy({ run }: WithRun): boolean {
  return run !== null && run.refused === null && (run.pending || isActive(run.view.phase));
}

/**
 * Pause, resume and stop can be sent: the run is in progress, this window follows it and the
 * engine has taken it (a stop before its first batch takes effect at that batch).
 */
export function canControl({ run }: WithRun): boolean {
  if (!run || run.source !== 'live' || run.runId === null || run.pending) return false;
  const phase = shownPhase({ run });
  return phase === 'starting' || phase === 'running' || phase === 'paused';
}

/** The run on show can go on from its last checkpoint (runs.continue). */
export function canContinueShown(s: WithRun): boolean {
  const { run } = s;
  return !!run?.runId && run.refused === null && !isBusy(s) && canContinue(run.view);
}

/**
 * Failures a folder holding the dataset fixes. The engine's message names the CLI's flag; in the
 * app the same thing is the Training panel's Data folder.
 */
const DATA_FIX: Record<string, string> = {
  E_DATA_MISSING: "In the app: set the Training panel's Data folder to a folder holding the files.",
  E_DATA_DOWNLOAD:
    "In the app: set the Training panel's Data folder to a folder holding the files, then Start again.",
  E_DATA_CHECKSUM:
    "In the app: set the Training panel's Data folder to a folder holding files you downloaded yourself.",
};

/** What went wrong, written for the user: a refused request, or how the run ended. */
export function runError(run: ShownRun | null): string | null {
  if (!run) return null;
  if (run.refused !== null) return run.refused;
  if (run.controlError !== null) return run.controlError;
  const v = run.view;
  if (v.error) {
    const fix = DATA_FIX[v.error.code];
    const message = fix ? `${v.error.message} ${fix}` : v.error.message;
    return v.error.checkpoint
      ? `${message} The last checkpoint is kept in ${v.error.checkpoint}.`
      : message;
  }
  if (v.phase === 'incomplete')
    return 'This run ended without a result: the app was closed or the engine stopped during it.';
  return null;
}

const megabytes = (bytes: number) => (bytes / 1e6).toFixed(1);

/** What the engine is doing before the first batch, or null once batches come. */
export function activityOf(v: RunView): string | null {
  if (v.download) {
    const d = v.download;
    const total = d.totalBytes ? ` of ${megabytes(d.totalBytes)} MB` : '';
    return `Downloading ${d.file}: ${megabytes(d.receivedBytes)} MB${total}`;
  }
  if (v.last || hasEnded(v.phase)) return null;
  return v.info ? 'Starting the first batch…' : 'Starting the engine…';
}

/**
 * The engine line: "PyTorch 1.13 on CPU, 2 threads", "TensorFlow.js (wasm) on CPU (...); why",
 * or null before the engine has said.
 */
export const backendText = (v: RunView): string | null => runEngineText(v.backend);
