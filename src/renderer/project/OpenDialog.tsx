// Open: the server's project folder (through the EngineClient) or any file.
import { useEffect, useRef, useState } from 'react';
import type { ProjectEntry } from '../../shared/api.ts';
import type { EngineClient } from '../engine/client.ts';
import { hasProjectFolder } from '../host/host.ts';
import { useHost } from '../host/HostContext.tsx';
import { useStore } from '../store/store.ts';
import { Dialog } from '../toolbar/Dialog.tsx';
import { openFile, openFromFolder } from './actions.ts';

type Listing =
  | { status: 'loading' }
  | { status: 'ready'; entries: ProjectEntry[] }
  | { status: 'failed'; message: string };

export function OpenDialog() {
  const open = useStore((s) => s.dialog === 'open');
  return open ? <OpenDialogBody /> : null;
}

function OpenDialogBody() {
  const openDialog = useStore((s) => s.openDialog);
  const host = useHost();
  const engine = host.engine;
  const fileInput = useRef<HTMLInputElement>(null);
  const close = (): void => openDialog(null);

  return (
    <Dialog title="Open project" testId="open-dialog" onClose={close}>
      {hasProjectFolder(engine) ? (
        <FolderListing engine={engine} onOpened={close} />
      ) : (
        <p className="muted" data-testid="open-no-folder">
          There is no project folder in this mode. You can open a project file from your computer.
        </p>
      )}
      <div className="dialog-actions">
        <button type="button" data-testid="open-file" onClick={() => fileInput.current?.click()}>
          Open file…
        </button>
        <input
          ref={fileInput}
          type="file"
          hidden
          accept=".json,application/json"
          data-testid="open-file-input"
          onChange={(e) => {
            const file = e.target.files?.[0];
            e.target.value = ''; // picking the same file again must fire onChange again
            if (file)
              void openFile(host, file).then((ok) => {
                if (ok) close();
              });
          }}
        />
      </div>
    </Dialog>
  );
}

function FolderListing({ engine, onOpened }: { engine: EngineClient; onOpened: () => void }) {
  const host = useHost();
  const [listing, setListing] = useState<Listing>({ status: 'loading' });
  useEffect(() => {
    let live = true;
    engine.call('projects.list', {}).then(
      (entries) => live && setListing({ status: 'ready', entries }),
      (e: unknown) =>
        live &&
        setListing({ status: 'failed', message: e instanceof Error ? e.message : String(e) }),
    );
    return () => {
      live = false;
    };
  }, [engine]);

  if (listing.status === 'loading') return <p className="muted">Reading the project folder…</p>;
  if (listing.status === 'failed')
    return (
      <p className="field-error" role="alert">
        Could not list the project folder: {listing.message}
      </p>
    );
  if (listing.entries.length === 0)
    return (
      <p className="muted" data-testid="open-empty">
        The project folder is empty. Save a project to see it here.
      </p>
    );
  return (
    <ul className="project-list" data-testid="project-list">
      {listing.entries.map((p) => (
        <li key={p.name}>
          <button
            type="button"
            data-testid={`project-item-${p.name}`}
            onClick={() =>
              void openFromFolder(host, p.name).then((ok) => {
                if (ok) onOpened();
              })
            }
          >
            <span>{p.name}</span>
            <span className="muted">
              {new Date(p.modified).toLocaleString()} · {Math.max(1, Math.round(p.bytes / 1024))} KB
            </span>
          </button>
        </li>
      ))}
    </ul>
  );
}
