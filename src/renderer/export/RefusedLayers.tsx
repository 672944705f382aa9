// The layers the chosen format cannot express, each with the reason; for the design, a click
// shows the layer on the canvas (its mark stays there, with the reason in its tooltip and in the
// inspector) and leaves the dialog to change it.
import { useReactFlow } from '@xyflow/react';
import { formatInfo, type ExportFormat, type Unsupported } from '../../shared/export/index.ts';
import { useStore } from '../store/store.ts';

const LIMIT = 50;

export function RefusedLayers({
  format,
  refused,
  onCanvas,
  onShow,
}: {
  format: ExportFormat;
  refused: Unsupported[];
  /** The layers are the canvas's nodes (the design, not a run). */
  onCanvas: boolean;
  /** Leaves the dialog, its marks kept. */
  onShow: () => void;
}) {
  const flow = useReactFlow();
  const select = useStore((s) => s.select);
  const show = (nodeId: string): void => {
    onShow();
    select([nodeId]);
    // Resolves false (and does nothing) while the canvas is not mounted.
    void flow.fitView({ nodes: [{ id: nodeId }], duration: 250, maxZoom: 1.25 }).catch(() => false);
  };
  return (
    <section className="export-refused" role="alert" data-testid="export-refused">
      <p>
        <strong>
          {formatInfo(format).label} cannot express{' '}
          {refused.length === 1 ? 'this layer' : `these ${refused.length} layers`}
        </strong>
        {onCanvas
          ? ': they are marked on the canvas. Change them, or choose another format.'
          : ': change them in the design ("Edit and train again"), or choose another format.'}
      </p>
      <ul>
        {refused.slice(0, LIMIT).map((r) => (
          <li key={r.layer} data-testid="export-refused-layer" data-layer={r.layer}>
            {onCanvas ? (
              <button
                type="button"
                className="link"
                data-testid="export-refused-show"
                title="Show this layer on the canvas"
                onClick={() => show(r.nodeId)}
              >
                {r.layer}
              </button>
            ) : (
              <code>{r.layer}</code>
            )}{' '}
            <span className="muted">{r.reason}</span>
          </li>
        ))}
      </ul>
      {refused.length > LIMIT && <p className="muted">and {refused.length - LIMIT} more.</p>}
    </section>
  );
}
