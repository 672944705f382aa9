// The backend line, the progress bar with its caption, and any error.
import { emptyRunView } from '../../shared/run.ts';
import { useStore } from '../store/store.ts';
import {
  activityOf,
  backendText,
  isBusy,
  runError,
  shownPhase,
} from '../store/training-selectors.ts';

export function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function TrainingProgress() {
  // The RunView changes once per frame at most (batches are folded per frame).
  const view = useStore((s) => s.run?.view ?? emptyRunView);
  const phase = useStore(shownPhase);
  const error = useStore((s) => runError(s.run));
  const { info, last, finished, download } = view;
  const backend = backendText(view);
  const busy = useStore(isBusy);
  const activity = busy ? activityOf(view) : null;

  const epochs = info?.epochs ?? 0;
  const total = info ? info.epochs * info.stepsPerEpoch : 0;
  const fraction =
    phase === 'finished' ? 1 : total > 0 && last ? Math.min(1, last.step / total) : 0;
  let caption = activity ?? '';
  if (last)
    caption =
      `epoch ${last.epoch}/${epochs || '?'}, step ${last.step}` +
      `${total ? `/${total}` : ''}, ${Math.round(last.samplesPerSecond)} samples/s, ` +
      `ETA ${formatEta(last.etaSeconds)}`;
  if (phase === 'paused') caption += ' — paused';
  if (phase === 'stopping') caption += ' — stopping…';
  if (finished)
    caption = `${finished.status === 'completed' ? 'Finished' : finished.status === 'stopped' ? 'Stopped' : 'Stopped early'}: ${finished.epochs} epoch(s), ${finished.step} steps in ${formatEta(finished.seconds)}`;

  return (
    <div className="train-status">
      {backend && (
        <p className="train-backend muted" data-testid="train-backend">
          Engine: {backend}
        </p>
      )}
      {download && (
        <div className="train-download" data-testid="train-download">
          <div
            className="train-progress-bar"
            role="progressbar"
            aria-label={`Downloading ${download.file}`}
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={
              download.totalBytes
                ? Math.round((100 * download.receivedBytes) / download.totalBytes)
                : undefined
            }
          >
            <div
              style={{
                width: download.totalBytes
                  ? `${(100 * download.receivedBytes) / download.totalBytes}%`
                  : '100%',
              }}
            />
          </div>
        </div>
      )}
      {phase !== 'idle' && (
        <div
          className="train-progress"
          data-testid="train-progress"
          data-step={last?.step ?? 0}
          data-phase={phase}
        >
          <div
            className="train-progress-bar"
            role="progressbar"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={Math.round(fraction * 100)}
          >
            <div style={{ width: `${fraction * 100}%` }} />
          </div>
          <p className="train-progress-text">{caption}</p>
        </div>
      )}
      {error && (
        <p className="train-error" role="alert" data-testid="train-error">
          {error}
        </p>
      )}
    </div>
  );
}
