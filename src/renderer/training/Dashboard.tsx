// The dashboard over the canvas: the run on show (live or reopened) with its curves, its
// evaluation and feature maps; the runs list and the comparison of several runs beside it.
import { useMemo, useState } from 'react';
import type { CompareMetric } from './training-store.ts';
import { isBusy, useTraining } from './training-store.ts';
import { CompareChart } from './charts/CompareChart.tsx';
import { TrainingCharts } from './charts/TrainingCharts.tsx';
import { EvaluationPanel } from './evaluation/EvaluationPanel.tsx';
import { FeatureMapsView } from './evaluation/FeatureMapsView.tsx';
import type { RunInspector } from './evaluation/types.ts';
import { getEngine } from '../project/engine.ts';
import { continueShownRun, editRunAgain } from './run.ts';
import { settingsLine } from './settings-line.ts';
import { RunsList } from './RunsList.tsx';
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
function inspectorFor(runId: string): RunInspector {
  const engine = async () => {
    const e = await getEngine();
    if (!e) throw new Error("Netforge's engine is not available.");
    return e;
  };
  return {
    images: async (indices) => (await engine()).call('runs.images', { runId, indices }),
    featureMaps: async (layer, index) =>
      (await engine()).call('runs.featureMaps', { runId, layer, index }),
  };
}

function RunHeader() {
  const name = useTraining((s) => s.runName);
  const phase = useTraining((s) => s.phase);
  const source = useTraining((s) => s.source);
  const runId = useTraining((s) => s.runId);
  const finished = useTraining((s) => s.finished);
  const error = useTraining((s) => s.error);
  const canEdit = useTraining((s) => s.source === 'saved' && s.runGraph !== null);
  const config = useTraining((s) => s.runConfig);
  const canContinue = useTraining((s) => s.canContinue && !isBusy(s.phase));
  const status = finished
    ? finished.status === 'completed'
      ? 'completed'
      : finished.status === 'stopped'
        ? 'stopped'
        : 'stopped early'
    : STATUS[phase];
  return (
    <header className="dash-head" data-testid="dash-head">
      <h2>
        {name ?? 'No run yet'}{' '}
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
                onClick={() => void continueShownRun()}
              >
                Continue training
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
                onClick={() => editRunAgain()}
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
      {error && !isBusy(phase) && (
        <p className="train-error" role="alert" data-testid="dash-error">
          {error}
        </p>
      )}
    </header>
  );
}

function CompareSection() {
  const compare = useTraining((s) => s.compare);
  const data = useTraining((s) => s.compareData);
  const metric = useTraining((s) => s.compareMetric);
  const smoothing = useTraining((s) => s.smoothing);
  const runs = useMemo(
    () => compare.flatMap((id) => (data[id] ? [data[id]] : [])),
    [compare, data],
  );
  if (compare.length === 0)
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
          onChange={(e) => useTraining.setState({ compareMetric: e.target.value as CompareMetric })}
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
  const runId = useTraining((s) => s.runId);
  const phase = useTraining((s) => s.phase);
  const batches = useTraining((s) => s.batches);
  const epochs = useTraining((s) => s.epochs);
  const smoothing = useTraining((s) => s.smoothing);
  const evaluation = useTraining((s) => s.evaluation);
  const hasModel = useTraining((s) => s.hasModel);
  const testSamples = useTraining((s) => s.evaluation?.samples ?? s.info?.testSamples ?? 0);
  const [imageIndex, setImageIndex] = useState(0);
  const inspector = useMemo(() => (runId ? inspectorFor(runId) : null), [runId]);

  return (
    <div className="dashboard" data-testid="dashboard">
      <div className="dash-main">
        <RunHeader />
        {phase === 'idle' && !runId ? (
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
                  onChange={(e) => useTraining.setState({ smoothing: Number(e.target.value) })}
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
