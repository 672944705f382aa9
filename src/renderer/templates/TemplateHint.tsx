import { useState } from 'react';
import { useStore } from '../store/store.ts';

/** Over an (almost) empty canvas: a pointer to the gallery, until dismissed. */
export function TemplateHint() {
  const nearlyEmpty = useStore((s) => s.doc.nodes.length <= 1);
  const openDialog = useStore((s) => s.openDialog);
  const [dismissed, setDismissed] = useState(false);
  if (!nearlyEmpty || dismissed) return null;
  return (
    <div className="template-hint" data-testid="template-hint">
      <span>Drag layers from the palette onto the canvas, or</span>
      <button
        type="button"
        data-testid="template-hint-open"
        onClick={() => openDialog('templates')}
      >
        start from a template
      </button>
      <button
        type="button"
        className="icon"
        aria-label="Dismiss"
        onClick={() => setDismissed(true)}
      >
        ×
      </button>
    </div>
  );
}
