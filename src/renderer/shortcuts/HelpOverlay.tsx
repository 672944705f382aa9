// The keyboard shortcuts, listed from the one table in shortcuts.ts.
import { useEffect, useRef } from 'react';
import { useStore } from '../store/store.ts';
import { displayKeys, isMac, SHORTCUTS } from './shortcuts.ts';
import './help-overlay.css';

export function HelpOverlay() {
  const open = useStore((s) => s.dialog === 'help');
  const close = (): void => useStore.getState().openDialog(null);
  const panel = useRef<HTMLDivElement>(null);

  // Focus the dialog so Escape reaches it even when nothing else handles keys.
  useEffect(() => {
    if (open) panel.current?.focus();
  }, [open]);

  if (!open) return null;
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
      <div className="nf-help" ref={panel} tabIndex={-1}>
        <h2 id="nf-help-title">Keyboard shortcuts</h2>
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
        <p className="nf-help-hint">Click anywhere or press Escape to close.</p>
      </div>
    </div>
  );
}
