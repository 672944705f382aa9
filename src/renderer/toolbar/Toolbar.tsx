// The top bar: project commands, history, layout, theme and help, and the
// project's name with a dot while it has unsaved changes.
import { useEffect, useState } from 'react';
import { useHost } from '../host/HostContext.tsx';
import { layoutCurrent } from '../layout/layout-current.ts';
import { saveProject, startNewProject } from '../project/actions.ts';
import { useStore } from '../store/store.ts';
import { SaveAsDialog } from './SaveAsDialog.tsx';

function ProjectTitle() {
  const projectName = useStore((s) => s.projectName);
  const docName = useStore((s) => s.doc.name);
  const dirty = useStore((s) => s.dirty);
  const title = projectName ?? docName;
  useEffect(() => {
    document.title = `${title}${dirty ? ' •' : ''} — Netforge`;
  }, [title, dirty]);
  return (
    <span
      className="project-title"
      data-testid="project-title"
      data-dirty={dirty}
      title={projectName ? `Project "${projectName}"` : 'Not saved yet'}
    >
      {title}
      {dirty && <span className="dirty-mark"> •</span>}
    </span>
  );
}

export function Toolbar() {
  const host = useHost();
  const canUndo = useStore((s) => s.past.length > 0);
  const canRedo = useStore((s) => s.future.length > 0);
  const theme = useStore((s) => s.theme);
  const { undo, redo, setTheme, openDialog, openExport } = useStore.getState();
  const [saveAs, setSaveAs] = useState(false);
  const [layingOut, setLayingOut] = useState(false);

  const save = async (): Promise<void> => {
    if ((await saveProject(host)) === 'needs-name') setSaveAs(true);
  };
  const layout = async (): Promise<void> => {
    setLayingOut(true);
    try {
      await layoutCurrent();
    } finally {
      setLayingOut(false);
    }
  };

  return (
    <header className="toolbar" data-testid="toolbar">
      <span className="brand">Netforge</span>
      <div className="toolbar-group" role="group" aria-label="Project">
        <button type="button" data-testid="btn-new" onClick={() => void startNewProject(host)}>
          New
        </button>
        <button type="button" data-testid="btn-open" onClick={() => openDialog('open')}>
          Open…
        </button>
        <button type="button" data-testid="btn-save" onClick={() => void save()}>
          Save
        </button>
        <button type="button" data-testid="btn-save-as" onClick={() => setSaveAs(true)}>
          Save As…
        </button>
        <button type="button" data-testid="btn-templates" onClick={() => openDialog('templates')}>
          Templates
        </button>
        <button
          type="button"
          data-testid="btn-export"
          onClick={() => openExport({ kind: 'design' })}
          title="Write the design (untrained) as TF.js, Keras, ONNX or PyTorch files; a trained model is exported from its run in the dashboard"
        >
          Export…
        </button>
      </div>
      <div className="toolbar-group" role="group" aria-label="Edit">
        <button
          type="button"
          data-testid="btn-undo"
          disabled={!canUndo}
          onClick={undo}
          title="Undo (Ctrl+Z)"
        >
          Undo
        </button>
        <button
          type="button"
          data-testid="btn-redo"
          disabled={!canRedo}
          onClick={redo}
          title="Redo (Ctrl+Shift+Z)"
        >
          Redo
        </button>
        <button
          type="button"
          data-testid="btn-layout"
          disabled={layingOut}
          onClick={() => void layout()}
          title="Lay the graph out as chosen above the canvas: columns, top to bottom or left to right (Ctrl+L)"
        >
          Layout
        </button>
      </div>
      <ProjectTitle />
      <div className="toolbar-group" role="group" aria-label="View">
        <button
          type="button"
          data-testid="btn-theme"
          aria-pressed={theme === 'dark'}
          onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')}
          title={`Switch to the ${theme === 'dark' ? 'light' : 'dark'} theme`}
        >
          {theme === 'dark' ? 'Light' : 'Dark'}
        </button>
        <button
          type="button"
          data-testid="btn-help"
          onClick={() => openDialog('help')}
          title="How to build, train and read the results; shortcuts; the README (?)"
        >
          Help
        </button>
      </div>
      {saveAs && <SaveAsDialog onClose={() => setSaveAs(false)} />}
    </header>
  );
}
