// The runs folder's runs, named so that runs of one network tell apart, filtered and sorted by
// date or accuracy: open one in the dashboard, tick several to overlay their curves in the
// comparison chart.
import { useMemo, useState } from 'react';
import type { RunStatus } from '../../shared/api.ts';
import { useHost } from '../host/HostContext.tsx';
import { useStore } from '../store/store.ts';
import { isBusy } from '../store/training-selectors.ts';
import { RUN_SORTS, runLabels, visibleRuns, type RunSort } from './runs-view.ts';

/** Every run's name in the list ("LeNet-5 #3 · SGD 0.01 · 79.4%"), by run id. */
export function useRunLabels(): ReadonlyMap<string, string> {
  const runs = useStore((s) => s.runs);
  return useMemo(() => runLabels(runs), [runs]);
}

const STATUS_LABEL: Record<RunStatus, string> = {
  running: 'running',
  paused: 'paused',
  completed: 'completed',
  stopped: 'stopped',
  'early-stopped': 'stopped early',
  failed: 'failed',
  incomplete: 'incomplete',
};

/** Runs that end with a saved model (a failed or cut-short run may have none). */
const EXPORTABLE: ReadonlySet<RunStatus> = new Set(['completed', 'stopped', 'early-stopped']);

function when(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime())
    ? iso
    : d.toLocaleString(undefined, {
        month: 'short',
        day: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      });
}

export function RunsList() {
  const host = useHost();
  const runs = useStore((s) => s.runs);
  const error = useStore((s) => s.runsError);
  const shown = useStore((s) => s.run?.runId ?? null);
  const compare = useStore((s) => s.compare);
  const busy = useStore(isBusy);
  const { deleteRun, openRun, openExport, refreshRuns, toggleCompare } = useStore.getState();
  const labels = useRunLabels();
  const [query, setQuery] = useState('');
  const [sort, setSort] = useState<RunSort>('newest');
  const shownRuns = useMemo(
    () => visibleRuns(runs, labels, query, sort),
    [runs, labels, query, sort],
  );
  return (
    <section className="runs" data-testid="runs-list" aria-label="Runs">
      <header className="runs-head">
        <h3>Runs</h3>
        <button type="button" data-testid="runs-refresh" onClick={() => void refreshRuns(host)}>
          Refresh
        </button>
      </header>
      {runs.length > 1 && (
        <div className="runs-tools">
          <input
            type="search"
            placeholder="Filter runs"
            aria-label="Filter runs by name, optimizer, status"
            data-testid="runs-filter"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
          />
          <select
            aria-label="Sort runs"
            data-testid="runs-sort"
            value={sort}
            onChange={(e) => setSort(e.target.value as RunSort)}
          >
            {RUN_SORTS.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        </div>
      )}
      {error && (
        <p className="train-error" role="alert" data-testid="runs-error">
          {error}
        </p>
      )}
      {runs.length === 0 ? (
        <p className="muted">No runs yet. Each training run is kept here with its curves.</p>
      ) : shownRuns.length === 0 ? (
        <p className="muted">No run matches “{query}”.</p>
      ) : (
        <ul>
          {shownRuns.map((r) => (
            <li
              key={r.runId}
              className={r.runId === shown ? 'current' : undefined}
              data-testid="run-item"
              data-run-id={r.runId}
              data-status={r.status}
            >
              <label className="run-compare" title="Overlay this run's curves in the comparison">
                <input
                  type="checkbox"
                  data-testid="run-compare"
                  checked={compare.includes(r.runId)}
                  onChange={() => void toggleCompare(host, r.runId)}
                />
              </label>
              <button
                type="button"
                className="run-open"
                data-testid="run-open"
                disabled={(busy && r.runId !== shown) || r.owner === 'other'}
                title={
                  r.owner === 'other'
                    ? 'Running in another Netforge (the app or `netforge serve`): follow it there'
                    : busy
                      ? 'A run is in progress'
                      : `Show ${r.runId}`
                }
                onClick={() => void openRun(host, r.runId)}
              >
                <span className="run-name" data-testid="run-label" title={labels.get(r.runId)}>
                  {labels.get(r.runId) ?? r.name}
                </span>
                <span className="muted">
                  {when(r.startedAt)} ·{' '}
                  <span className={`run-status ${r.status}`}>
                    {r.owner === 'other' ? 'running elsewhere' : STATUS_LABEL[r.status]}
                  </span>
                </span>
              </button>
              {EXPORTABLE.has(r.status) && (
                <button
                  type="button"
                  className="run-export"
                  data-testid="run-item-export"
                  title={`Export the trained model of ${r.runId}…`}
                  aria-label={`Export run ${r.runId}`}
                  onClick={() => openExport({ kind: 'run', runId: r.runId })}
                >
                  ⤓
                </button>
              )}
              {r.status !== 'running' && r.status !== 'paused' && (
                <button
                  type="button"
                  className="run-delete"
                  data-testid="run-delete"
                  title={`Delete ${r.runId} (its folder, checkpoints and model)`}
                  aria-label={`Delete run ${r.runId}`}
                  onClick={() => void deleteRun(host, r.runId)}
                >
                  ×
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
