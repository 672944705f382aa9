// The dashboard over the canvas: the run on show (live or reopened) with its curves, its
// evaluation and feature maps; the runs list and the comparison of several runs beside it.
import { useMemo, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { EngineClient } from '../engine/client.ts';
import { ExportHistory } from '../export/ExportHistory.tsx';
import { useHost } from '../host/HostContext.tsx';
import { editRunAgain } from '../project/actions.ts';
import { useStore } from '../store/store.ts';
import {
  canContinueShown,
  isBusy,
  NONE,
  runError,
  shownPhase,
} from '../store/training-selectors.ts';
import type { CompareMetric } from '../store/training-slice.ts';
import { CompareChart } from './charts/CompareChart.tsx';
import { TrainingCharts } from './charts/TrainingCharts.tsx';
import { EvaluationPanel } from './evaluation/EvaluationPanel.tsx';
import { FeatureMapsView } from './evaluation/FeatureMapsView.tsx';
import type { RunInspector } from './evaluation/types.ts';
import { runEngineText } from './engine-field.ts';
import { settingsLine } from './settings-line.ts';
import { RunFolder } from './RunFolder.tsx';
import { RunsList, useRunLabels } from './RunsList.tsx';
import './dashboard.css';

const STATUS: Record<string, string> = {
  idle: 'no run',
  starting: 'starting',
  running: 'running',
  paused: 'paused',
  stopping: 'stopping',
  finished: 'finished',
  error: 'failed',
  incomplete: 'incomplete',
};

const METRICS: { value: CompareMetric; label: string }[] = [
  { value: 'loss', label: 'Loss' },
  { value: 'accuracy', label: 'Accuracy' },
  { value: 'valLoss', label: 'Validation loss' },
  { value: 'valAccuracy', label: 'Validation accuracy' },
];

/** Test images and feature maps of one run, through the engine. */
function inspectorFor(engine: EngineClient, runId: string): RunInspector {
  return {
    images: (indices) => engine.call('runs.images', { runId, indices }),
    featureMaps: (layer, index) => engine.call('runs.featureMaps', { runId, layer, index }),
  };
}

function RunHeader() {
  const host = useHost();
  const name = useStore((s) => s.run?.name ?? null);
  const phase = useStore(shownPhase);
  const busy = useStore(isBusy);
  const source = useStore((s) => s.run?.source);
  const runId = useStore((s) => s.run?.runId ?? null);
  const finished = useStore((s) => s.run?.view.finished ?? null);
  const error = useStore((s) => runError(s.run));
  const canEdit = useStore((s) => s.run?.source === 'saved' && s.run.graph !== null);
  const config = useStore((s) => s.run?.config ?? null);
  // What trained it, from its backend event: live, or replayed for a reopened run.
  const engineLine = useStore((s) =>
    s.run ? runEngineText(s.run.view.backend, s.run.config?.engine) : null,
  );
  const canContinue = useStore(canContinueShown);
  const canExport = useStore((s) => (s.run?.view.hasModel ?? false) && !isBusy(s));
  const labels = useRunLabels();
  const status = finished
    ? finished.status === 'completed'
      ? 'completed'
      : finished.status === 'stopped'
        ? 'stopped'
        : 'stopped early'
    : STATUS[phase];
  return (
    <header className="dash-head" data-testid="dash-head">
      <h2 data-testid="dash-title">
        {(runId && labels.get(runId)) ?? name ?? 'No run yet'}{' '}
        <span className={`run-status ${phase}`} data-testid="dash-status">
          {status}
        </span>
      </h2>
      {runId && (
        <p className="muted">
          {source === 'saved' ? 'Saved run' : 'This session'} · {runId}
          {canContinue && (
            <>
              {' · '}
              <button
                type="button"
                className="link"
                data-testid="run-continue"
                title="Train on from this run's last checkpoint, in the same folder, with the same settings"
                onClick={() => void useStore.getState().continueRun(host)}
              >
                Continue training
              </button>
            </>
          )}
          {canExport && (
            <>
              {' · '}
              <button
                type="button"
                className="link"
                data-testid="run-export"
                title="Write this run's trained model as TF.js, Keras, ONNX or PyTorch files"
                onClick={() => useStore.getState().openExport({ kind: 'run', runId })}
              >
                Export…
              </button>
            </>
          )}
          {canEdit && (
            <>
              {' · '}
              <button
                type="button"
                className="link"
                data-testid="run-edit-again"
                title="Open this run's network as a new project, with its training settings"
                onClick={() => void editRunAgain(host)}
              >
                Edit and train again
              </button>
            </>
          )}
        </p>
      )}
      {config && (
        <p className="muted" data-testid="dash-settings">
          {settingsLine(config)}
        </p>
      )}
      {engineLine && (
        <p className="muted" data-testid="dash-engine">
          Engine: {engineLine}
        </p>
      )}
      {runId && <RunFolder runId={runId} />}
      {runId && <ExportHistory runId={runId} compact />}
      {error && !busy && (
        <p className="train-error" role="alert" data-testid="dash-error">
          {error}
        </p>
      )}
    </header>
  );
}

function CompareSection() {
  const ticked = useStore((s) => s.compare.length);
  // The ticked runs whose curves have come, in the order they were ticked.
  const labels = useRunLabels();
  const fetched = useStore(
    useShallow((s) => s.compare.flatMap((id) => (s.compareData[id] ? [s.compareData[id]] : []))),
  );
  // The legend names runs as the list does.
  const runs = useMemo(
    () => fetched.map((r) => ({ ...r, name: labels.get(r.runId) ?? r.name })),
    [fetched, labels],
  );
  const metric = useStore((s) => s.compareMetric);
  const smoothing = useStore((s) => s.smoothing);
  const setCompareMetric = useStore((s) => s.setCompareMetric);
  if (ticked === 0)
    return (
      <p className="muted dash-compare-hint">Tick runs in the list to overlay their curves here.</p>
    );
  return (
    <section className="dash-compare" aria-label="Comparison">
      <div className="dash-compare-head">
        <h3>Compare</h3>
        <select
          data-testid="compare-metric"
          value={metric}
          onChange={(e) => setCompareMetric(e.target.value as CompareMetric)}
        >
          {METRICS.map((m) => (
            <option key={m.value} value={m.value}>
              {m.label}
            </option>
          ))}
        </select>
      </div>
      <CompareChart runs={runs} metric={metric} smoothing={smoothing} />
    </section>
  );
}

export function Dashboard() {
  const { engine } = useHost();
  const shown = useStore((s) => s.run !== null);
  const runId = useStore((s) => s.run?.runId ?? null);
  const batches = useStore((s) => s.run?.view.batches ?? NONE);
  const epochs = useStore((s) => s.run?.view.epochs ?? NONE);
  const smoothing = useStore((s) => s.smoothing);
  const setSmoothing = useStore((s) => s.setSmoothing);
  const evaluation = useStore((s) => s.run?.view.evaluation ?? null);
  const hasModel = useStore((s) => s.run?.view.hasModel ?? false);
  const testSamples = useStore(
    (s) => s.run?.view.evaluation?.samples ?? s.run?.view.info?.testSamples ?? 0,
  );
  const [imageIndex, setImageIndex] = useState(0);
  const inspector = useMemo(() => (runId ? inspectorFor(engine, runId) : null), [engine, runId]);

  return (
    <div className="dashboard" data-testid="dashboard">
      <div className="dash-main">
        <RunHeader />
        {!shown ? (
          <p className="muted dash-empty">
            Set up a run in the Training panel on the right and press Start, or open a saved run
            from the list.
          </p>
        ) : (
          <>
            <div className="dash-toolbar">
              <label title="Exponential smoothing of the per-batch curves">
                Smoothing{' '}
                <input
                  type="range"
                  min={0}
                  max={0.99}
                  step={0.01}
                  value={smoothing}
                  data-testid="chart-smoothing"
                  onChange={(e) => setSmoothing(Number(e.target.value))}
                />{' '}
                {smoothing.toFixed(2)}
              </label>
            </div>
            <TrainingCharts batches={batches} epochs={epochs} smoothing={smoothing} />
            {evaluation && (
              <section className="dash-section" aria-label="Evaluation">
                <h3>Evaluation on the test set</h3>
                <EvaluationPanel
                  evaluation={evaluation}
                  inspector={inspector}
                  onSelectImage={setImageIndex}
                />
              </section>
            )}
            {inspector && hasModel && testSamples > 0 && (
              <section className="dash-section" aria-label="What the network sees">
                <h3>What the network sees</h3>
                <FeatureMapsView
                  inspector={inspector}
                  index={imageIndex}
                  onIndexChange={setImageIndex}
                  testSamples={testSamples}
                />
              </section>
            )}
          </>
        )}
      </div>
      <aside className="dash-side">
        <RunsList />
        <CompareSection />
      </aside>
    </div>
  );
}
