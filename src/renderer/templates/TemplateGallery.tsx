// The chapter's networks as cards; picking one opens it as a new project.
import { analyzeGraph } from '../../shared/graph/analyze.ts';
import { DATASET_INFO } from '../../shared/graph/types.ts';
import { TEMPLATES, type Template } from '../../shared/templates/index.ts';
import { useHost } from '../host/HostContext.tsx';
import { openTemplate } from '../project/actions.ts';
import { useStore } from '../store/store.ts';
import { formatCount } from '../summary/format.ts';
import { Dialog } from '../toolbar/Dialog.tsx';

let paramCounts: Map<string, number> | null = null;

/** Computed on first open, from the same analysis the editor uses. */
function countsOf(templates: readonly Template[]): Map<string, number> {
  paramCounts ??= new Map(templates.map((t) => [t.id, analyzeGraph(t.build()).totals.total]));
  return paramCounts;
}

export function TemplateGallery() {
  const host = useHost();
  const open = useStore((s) => s.dialog === 'templates');
  const openDialog = useStore((s) => s.openDialog);
  if (!open) return null;
  const counts = countsOf(TEMPLATES);
  const close = (): void => openDialog(null);

  return (
    <Dialog title="Start from a template" testId="template-gallery" onClose={close} wide>
      <ul className="template-cards">
        {TEMPLATES.map((t) => (
          <li key={t.id}>
            <button
              type="button"
              className="template-card"
              data-testid={`template-card-${t.id}`}
              title={t.description}
              onClick={() =>
                void openTemplate(host, t).then((opened) => {
                  if (opened) close();
                })
              }
            >
              <strong>{t.title}</strong>
              <span className="muted">{t.section}</span>
              <span className="template-meta">
                <span className="tag">{DATASET_INFO[t.dataset].label}</span>
                <span data-testid={`template-params-${t.id}`}>
                  {formatCount(counts.get(t.id) ?? 0)} parameters
                </span>
              </span>
              <span className="template-description">{t.description}</span>
            </button>
          </li>
        ))}
      </ul>
    </Dialog>
  );
}
