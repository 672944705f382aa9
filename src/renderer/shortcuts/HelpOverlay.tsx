// Help: how to build, train, read the results and export, the keyboard shortcuts (from the one
// table in shortcuts.ts), and the README, the full guide, one click away.
import { useEffect, useRef, useState } from 'react';
import { useStore } from '../store/store.ts';
import { ReadmeView } from './ReadmeView.tsx';
import { displayKeys, isMac, SHORTCUTS } from './shortcuts.ts';
import './help-overlay.css';

function HowTo() {
  return (
    <ol className="nf-help-howto" data-testid="help-howto">
      <li>
        <strong>Build.</strong> Drag layers from the palette onto the canvas (or double-click one to
        add it under the selected layer) and connect an output to an input, or start from Templates.
        Each node shows its output shape; the inspector edits the selected layer; a red node or
        connection says what is wrong.
      </li>
      <li>
        <strong>Train.</strong> Choose the dataset and settings in the Training panel (a marked
        field says what it takes; the data folder is kept for next time) and press Start.
      </li>
      <li>
        <strong>Read the results.</strong> The Dashboard shows the curves while it trains, then the
        test accuracy, the confusion matrix, the misclassified images and what each layer sees. Runs
        are kept: open, compare, filter or sort them in the runs list.
      </li>
      <li>
        <strong>Export.</strong> &ldquo;Export&hellip;&rdquo; in a run&rsquo;s dashboard header (or
        &#10515; in the runs list) writes its trained model for TensorFlow.js, Keras, ONNX Runtime
        or PyTorch; &ldquo;Export&hellip;&rdquo; in the toolbar does so for the design, untrained.
        Layers a format cannot express are marked on the canvas. Save keeps the project as a
        <code> .netforge.json</code> file.
      </li>
    </ol>
  );
}

export function HelpOverlay() {
  const open = useStore((s) => s.dialog === 'help');
  // Mounted afresh on each opening: it opens on the help, not on the README read last time.
  return open ? <HelpDialog /> : null;
}

function HelpDialog() {
  const close = (): void => useStore.getState().openDialog(null);
  const panel = useRef<HTMLDivElement>(null);
  const [readme, setReadme] = useState(false);

  // Focus the dialog so Escape reaches it even when nothing else handles keys.
  useEffect(() => panel.current?.focus(), []);

  const mac = isMac();
  return (
    <div
      className="nf-help-backdrop"
      data-testid="help-overlay"
      role="dialog"
      aria-modal="true"
      aria-labelledby="nf-help-title"
      onClick={close}
      onKeyDown={(e) => {
        if (e.key !== 'Escape') return;
        e.preventDefault();
        close();
      }}
    >
      <div
        className={`nf-help${readme ? ' wide' : ''}`}
        ref={panel}
        tabIndex={-1}
        onClick={(e) => e.stopPropagation()}
      >
        <header className="nf-help-head">
          <h2 id="nf-help-title">{readme ? 'README' : 'How to'}</h2>
          <button type="button" className="icon" aria-label="Close" onClick={close}>
            ×
          </button>
        </header>
        {readme ? (
          <>
            <button type="button" className="link" onClick={() => setReadme(false)}>
              ← Back to the help
            </button>
            <ReadmeView />
          </>
        ) : (
          <>
            <HowTo />
            <p>
              <button
                type="button"
                className="link"
                data-testid="help-open-readme"
                onClick={() => setReadme(true)}
              >
                Read the README
              </button>{' '}
              for everything else: the CLI, browser mode, datasets, backends.
            </p>
            <h2>Keyboard shortcuts</h2>
            <table>
              <tbody>
                {SHORTCUTS.map((s) => (
                  <tr key={s.action} data-testid={`shortcut-${s.action}`}>
                    <td className="nf-help-keys">
                      {s.keys.map((k) => (
                        <kbd key={k}>{displayKeys(k, mac)}</kbd>
                      ))}
                    </td>
                    <td>{s.label}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <p className="nf-help-hint">Press Escape or click outside to close.</p>
          </>
        )}
      </div>
    </div>
  );
}
