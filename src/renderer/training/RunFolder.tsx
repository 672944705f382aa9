// Where a run's results are: its folder (copy the path; on the desktop, open it in the file
// manager) and the files in it, model and checkpoints included. Asked again whenever the run's
// phase changes, so a run that has just finished lists its model.
import { useEffect, useState } from 'react';
import type { RunFiles } from '../../shared/api.ts';
import { formatBytes } from '../../shared/graph/memory.ts';
import { useHost } from '../host/HostContext.tsx';
import { useStore } from '../store/store.ts';
import { shownPhase } from '../store/training-selectors.ts';

function useRunFiles(runId: string | null): { files: RunFiles | null; error: string | null } {
  const { engine } = useHost();
  const phase = useStore(shownPhase);
  const [state, setState] = useState<{ files: RunFiles | null; error: string | null }>({
    files: null,
    error: null,
  });
  useEffect(() => {
    if (!runId || engine.transport === 'none') return;
    let live = true;
    engine.call('runs.files', { runId }).then(
      (files) => live && setState({ files, error: null }),
      (e: unknown) =>
        live && setState({ files: null, error: e instanceof Error ? e.message : String(e) }),
    );
    return () => {
      live = false;
    };
  }, [engine, runId, phase]);
  return state;
}

export function RunFolder({ runId }: { runId: string }) {
  const host = useHost();
  const { files, error } = useRunFiles(runId);
  const [note, setNote] = useState<string | null>(null);
  if (error)
    return (
      <p className="train-error" data-testid="run-folder-error">
        {error}
      </p>
    );
  if (!files) return null;
  const open = host.openRunFolder;
  return (
    <div className="run-folder">
      <p>
        <span className="muted">Folder </span>
        <code data-testid="run-folder">{files.runDir}</code>{' '}
        <button
          type="button"
          className="link"
          data-testid="run-folder-copy"
          onClick={() =>
            void navigator.clipboard
              ?.writeText(files.runDir)
              .then(() => setNote('Path copied.'))
              .catch(() => setNote('The browser did not allow copying; select the path instead.'))
          }
        >
          Copy path
        </button>
        {open && (
          <>
            {' · '}
            <button
              type="button"
              className="link"
              data-testid="run-folder-open"
              onClick={() => void open(runId).then((why) => setNote(why))}
            >
              Open in the file manager
            </button>
          </>
        )}
        {note && <span className="muted"> {note}</span>}
      </p>
      <details className="run-files" data-testid="run-files">
        <summary>
          {files.files.length}
          {files.truncated ? '+' : ''} files (model, checkpoints, metrics, evaluation)
        </summary>
        <ul>
          {files.files.map((f) => (
            <li key={f.path} data-testid="run-file">
              <code>{f.path}</code> <span className="muted">{formatBytes(f.bytes)}</span>
            </li>
          ))}
        </ul>
      </details>
    </div>
  );
}
