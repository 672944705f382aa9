// The Training panel under the inspector: settings, Start / Pause / Resume / Stop and the live
// progress. Curves, evaluation and runs are in the dashboard (Dashboard.tsx).
import { useMemo } from 'react';
import { analyzeGraph } from '../../shared/graph/analyze.ts';
import type { DatasetName } from '../../shared/graph/types.ts';
import { useHost } from '../host/HostContext.tsx';
import { useAnalysis } from '../store/analysis.ts';
import { useStore } from '../store/store.ts';
import { canControl, isBusy, shownPhase } from '../store/training-selectors.ts';
import { fieldErrors, formBlocker, toConfig } from './config.ts';
import { dataFolderBlocker } from './data-folder.ts';
import { engineBlocker } from './engine-field.ts';
import { TrainingForm } from './TrainingForm.tsx';
import { TrainingProgress } from './TrainingProgress.tsx';

/** Why Start is disabled, or null when it is not. */
function useStartBlocker(
  busy: boolean,
  configReason: string | null,
  dataset: DatasetName,
): string | null {
  const folderReason = useStore((s) => dataFolderBlocker(s, dataset));
  const engineReason = useStore((s) => engineBlocker(s.form.engine, s.enginesStatus));
  const current = useAnalysis();
  const doc = useStore((s) => s.doc);
  const { engine } = useHost();
  // A graph that names no dataset is checked against the one it will train on (MNIST).
  const unnamed = doc.dataset === undefined;
  const checked = useMemo(
    () => (unnamed ? analyzeGraph({ ...doc, dataset: 'mnist' }) : null),
    [unnamed, doc],
  );
  const analysis = checked ?? current;
  if (busy) return 'A run is in progress.';
  // Without an engine nothing else matters; the client knows why there is none (e.g. a
  // browser-mode link without its token) and what to do.
  if (engine.transport === 'none')
    return (
      engine.reason ?? "Training needs Netforge's engine: use the desktop app or `netforge serve`."
    );
  if (analysis.issues.length > 0) {
    const n = analysis.issues.length;
    return `Fix the graph first (${n} problem${n === 1 ? '' : 's'}): ${analysis.issues[0]!.message}`;
  }
  return configReason ?? engineReason ?? folderReason;
}

export function TrainingPanel() {
  const host = useHost();
  const open = useStore((s) => s.trainingOpen);
  const phase = useStore(shownPhase);
  const busy = useStore(isBusy);
  const controllable = useStore(canControl);
  const form = useStore((s) => s.form);
  const graphDataset = useStore((s) => s.doc.dataset);
  // The graph's dataset; choosing another in the panel changes the graph's, as the inspector does.
  const dataset = graphDataset ?? 'mnist';
  const view = useStore((s) => s.centre);
  const testAccuracy = useStore((s) => s.run?.view.evaluation?.testAccuracy ?? null);
  const result = toConfig(form, dataset);
  const errors = useMemo(() => fieldErrors(form), [form]);
  const blocker = useStartBlocker(busy, result.ok ? null : formBlocker(errors), dataset);
  const { startRun, controlRun, toggleTraining, showCentre } = useStore.getState();

  const start = () => {
    if (!result.ok || blocker) return;
    void startRun(host, useStore.getState().doc, result.config, form.dataDir.trim());
  };

  return (
    <section
      className={`training panel${open ? ' open' : ''}`}
      data-testid="training-panel"
      aria-label="Training"
    >
      <header className="training-head">
        <button
          type="button"
          className="training-toggle"
          aria-expanded={open}
          data-testid="training-toggle"
          title={open ? 'Fold the settings away' : 'Show the settings'}
          onClick={toggleTraining}
        >
          <span aria-hidden="true">{open ? '▾' : '▸'}</span> Training
          {busy && <span className="muted"> · {phase}</span>}
        </button>
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
              disabled={!controllable}
              onClick={() => void controlRun(host, 'resume')}
            >
              Resume
            </button>
          ) : (
            <button
              type="button"
              data-testid="train-pause"
              disabled={!controllable || phase !== 'running'}
              onClick={() => void controlRun(host, 'pause')}
            >
              Pause
            </button>
          )}
          <button
            type="button"
            data-testid="train-stop"
            disabled={!controllable || phase === 'stopping'}
            onClick={() => void controlRun(host, 'stop')}
          >
            Stop
          </button>
        </div>
      </header>
      <div className="training-scroll">
        <div className="training-status">
          {blocker && !busy && (
            <p className="train-blocker" data-testid="train-blocker">
              {blocker}
            </p>
          )}
          <TrainingProgress />
          {testAccuracy !== null && (
            <p className="train-result" data-testid="train-result">
              Test accuracy <strong>{(testAccuracy * 100).toFixed(2)}%</strong>
            </p>
          )}
          {view !== 'dashboard' && phase !== 'idle' && (
            <button
              type="button"
              className="link"
              data-testid="show-dashboard"
              onClick={() => showCentre('dashboard')}
            >
              Show the dashboard (curves, evaluation, runs)
            </button>
          )}
        </div>
        {open && (
          <div className="training-body">
            <TrainingForm dataset={dataset} disabled={busy} />
          </div>
        )}
      </div>
    </section>
  );
}
