import { useEffect } from 'react';
import { useHost } from '../host/HostContext.tsx';
import { useStore } from '../store/store.ts';

const INFO_MS = 6000;

const TRANSPORT_LABEL = {
  ipc: 'Desktop engine',
  websocket: 'Local server',
  none: 'No engine: open and download files',
} as const;

/** The last notice (errors stay until dismissed; information fades) and the connection. */
export function StatusBar() {
  const notice = useStore((s) => s.notice);
  const engine = useHost().engine;

  useEffect(() => {
    if (notice?.kind !== 'info') return;
    const timer = window.setTimeout(() => {
      if (useStore.getState().notice === notice) useStore.setState({ notice: null });
    }, INFO_MS);
    return () => window.clearTimeout(timer);
  }, [notice]);

  return (
    <footer className="statusbar">
      {notice ? (
        <span
          className={`notice ${notice.kind}`}
          data-testid="notice"
          data-kind={notice.kind}
          role={notice.kind === 'error' ? 'alert' : 'status'}
        >
          {notice.text}
          <button
            type="button"
            className="icon"
            aria-label="Dismiss"
            data-testid="notice-dismiss"
            onClick={() => useStore.setState({ notice: null })}
          >
            ×
          </button>
        </span>
      ) : (
        <span className="muted">Ready</span>
      )}
      <span className="spacer" />
      <span className="muted" data-testid="engine-transport" data-transport={engine.transport}>
        {TRANSPORT_LABEL[engine.transport]}
      </span>
    </footer>
  );
}
