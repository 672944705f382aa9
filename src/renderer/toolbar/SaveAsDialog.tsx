import { useEffect, useId, useState } from 'react';
import {
  checkProjectName,
  downloadProject,
  saveToFolder,
  suggestProjectName,
} from '../project/actions.ts';
import { hasProjectFolder } from '../host/host.ts';
import { useHost } from '../host/HostContext.tsx';
import { useStore } from '../store/store.ts';
import { Dialog } from './Dialog.tsx';

/** Save As: a name in the project folder, or a file for the browser to download. */
export function SaveAsDialog({ onClose }: { onClose: () => void }) {
  const id = useId();
  const host = useHost();
  const engine = host.engine;
  const folder = hasProjectFolder(engine);
  const projectName = useStore((s) => s.projectName);
  const [name, setName] = useState(
    () => projectName ?? suggestProjectName(useStore.getState().doc.name),
  );
  const [existing, setExisting] = useState<ReadonlySet<string>>(new Set());
  const [busy, setBusy] = useState(false);
  const problem = checkProjectName(name);

  useEffect(() => {
    if (!hasProjectFolder(engine)) return;
    let live = true;
    engine.call('projects.list', {}).then(
      (entries) => live && setExisting(new Set(entries.map((e) => e.name))),
      () => {}, // the save itself will report a folder that cannot be read
    );
    return () => {
      live = false;
    };
  }, [engine]);

  const save = async (): Promise<void> => {
    if (problem || !folder || busy) return;
    if (
      existing.has(name) &&
      name !== projectName &&
      !(await host.confirm(`A project named "${name}" exists already. Replace it?`))
    )
      return;
    setBusy(true);
    const ok = await saveToFolder(host, name);
    setBusy(false);
    if (ok) onClose();
  };

  return (
    <Dialog title="Save project as" testId="save-dialog" onClose={onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <div className="field">
          <label htmlFor={id}>Name</label>
          <div className="field-inputs">
            <input
              id={id}
              className="wide"
              data-testid="save-name"
              autoFocus
              spellCheck={false}
              value={name}
              aria-invalid={problem ? true : undefined}
              onChange={(e) => setName(e.target.value)}
            />
          </div>
          {problem ? (
            <div className="field-error" data-testid="save-name-error">
              {problem}
            </div>
          ) : (
            <div className="field-help">
              {folder
                ? 'Saved in the project folder as this name.'
                : 'No project folder here: download the file instead.'}
            </div>
          )}
        </div>
        <div className="dialog-actions">
          <button
            type="submit"
            className="primary"
            data-testid="save-confirm"
            disabled={Boolean(problem) || !folder || busy}
          >
            Save
          </button>
          <button
            type="button"
            data-testid="save-download"
            disabled={Boolean(problem)}
            onClick={() => {
              downloadProject(name);
              onClose();
            }}
          >
            Download file
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
