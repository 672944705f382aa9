// The Training panel under the inspector: settings, Start / Pause / Resume / Stop and the live
// progress. Curves, evaluation and runs are in the dashboard (Dashboard.tsx).
import { useMemo } from 'react';
import { analyzeGraph } from '../../shared/graph/analyze.ts';
import { useAnalysis } from '../store/analysis.ts';
import { useStore } from '../store/store.ts';
import { useEngine } from '../project/engine.ts';
import { toConfig } from './config.ts';
import { control, startRun } from './run.ts';
import { TrainingForm } from './TrainingForm.tsx';
import { TrainingProgress } from './TrainingProgress.tsx';
import { isBusy, useTraining } from './training-store.ts';

/** Why Start is disabled, or null when it is not. */
function useStartBlocker(busy: boolean, configReason: string | null): string | null {
  const current = useAnalysis();
  const doc = useStore((s) => s.doc);
  const engine = useEngine();
  // A graph that names no dataset is checked against the one it will train on (MNIST).
  const unnamed = doc.dataset === undefined;
  const checked = useMemo(
    () => (unnamed ? analyzeGraph({ ...doc, dataset: 'mnist' }) : null),
    [unnamed, doc],
  );
  const analysis = checked ?? current;
  if (busy) return 'A run is in progress.';
  if (analysis.issues.length > 0) {
    const n = analysis.issues.length;
    return `Fix the graph first (${n} problem${n === 1 ? '' : 's'}): ${analysis.issues[0]!.message}`;
  }
  if (engine?.transport === 'none')
    return "Training needs Netforge's engine: use the desktop app or `netforge serve`.";
  return configReason;
}

export function TrainingPanel() {
  const open = useTraining((s) => s.open);
  const phase = useTraining((s) => s.phase);
  const form = useTraining((s) => s.form);
  const graphDataset = useStore((s) => s.doc.dataset);
  // The graph's dataset; choosing another in the panel changes the graph's, as the inspector does.
  const dataset = graphDataset ?? 'mnist';
  const busy = isBusy(phase);
  const view = useTraining((s) => s.view);
  const testAccuracy = useTraining((s) => s.evaluation?.testAccuracy ?? null);
  const result = toConfig(form, dataset);
  const blocker = useStartBlocker(busy, result.ok ? null : result.reason);
  const canControl = phase === 'running' || phase === 'paused';

  const start = () => {
    if (!result.ok || blocker) return;
    void startRun(useStore.getState().doc, result.config, form.dataDir.trim());
  };

  return (
    <section
      className={`training panel${open ? ' open' : ''}`}
      data-testid="training-panel"
      aria-label="Training"
    >
      <button
        type="button"
        className="training-toggle"
        aria-expanded={open}
        data-testid="training-toggle"
        onClick={() => useTraining.setState({ open: !open })}
      >
        <span aria-hidden="true">{open ? '▾' : '▸'}</span> Training
        {busy && <span className="muted"> · {phase}</span>}
      </button>
      {open && (
        <div className="training-body">
          <TrainingForm dataset={dataset} disabled={busy} />
          <div className="train-buttons">
            <button
              type="button"
              className="primary"
              data-testid="train-start"
              disabled={blocker !== null}
              title={blocker ?? 'Train this network'}
              onClick={start}
            >
              Start
            </button>
            {phase === 'paused' ? (
              <button
                type="button"
                data-testid="train-resume"
                onClick={() => void control('resume')}
              >
                Resume
              </button>
            ) : (
              <button
                type="button"
                data-testid="train-pause"
                disabled={phase !== 'running'}
                onClick={() => void control('pause')}
              >
                Pause
              </button>
            )}
            <button
              type="button"
              data-testid="train-stop"
              disabled={!canControl}
              onClick={() => void control('stop')}
            >
              Stop
            </button>
          </div>
          {blocker && !busy && (
            <p className="train-blocker muted" data-testid="train-blocker">
              {blocker}
            </p>
          )}
          <TrainingProgress />
          {testAccuracy !== null && (
            <p className="train-result" data-testid="train-result">
              Test accuracy <strong>{(testAccuracy * 100).toFixed(2)}%</strong>
            </p>
          )}
          {view !== 'dashboard' && (
            <button
              type="button"
              className="link"
              data-testid="show-dashboard"
              onClick={() => useTraining.setState({ view: 'dashboard' })}
            >
              Show the dashboard (curves, evaluation, runs)
            </button>
          )}
        </div>
      )}
    </section>
  );
}
