import { useId } from 'react';
import { DATASETS, DATASET_INFO, type DatasetName } from '../../shared/graph/types.ts';
import { commitDoc } from '../store/doc-fields.ts';
import { useStore } from '../store/store.ts';
import { useDrafts } from './useDrafts.ts';

/** Free text that commits on Enter (single line) or when the field loses focus. */
function DocText(p: {
  label: string;
  testId: string;
  value: string;
  multiline?: boolean;
  onCommit: (v: string) => void;
}) {
  const id = useId();
  const { drafts, setDrafts } = useDrafts(
    p.value,
    (v) => [String(v)],
    (d) => d[0],
  );
  const draft = drafts[0] ?? '';
  const commit = (): void => {
    if (draft !== p.value) p.onCommit(draft);
  };
  const common = {
    id,
    className: 'wide',
    'data-testid': p.testId,
    value: draft,
    onBlur: commit,
  };
  return (
    <div className="field">
      <label htmlFor={id}>{p.label}</label>
      <div className="field-inputs">
        {p.multiline ? (
          <textarea rows={3} {...common} onChange={(e) => setDrafts([e.target.value], null)} />
        ) : (
          <input
            {...common}
            onChange={(e) => setDrafts([e.target.value], null)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') commit();
              if (e.key === 'Escape') setDrafts([p.value], null);
            }}
          />
        )}
      </div>
    </div>
  );
}

/** With nothing selected: the network itself. */
export function GraphInspector() {
  const datasetId = useId();
  const name = useStore((s) => s.doc.name);
  const description = useStore((s) => s.doc.description ?? '');
  const dataset = useStore((s) => s.doc.dataset ?? '');
  const layers = useStore((s) => s.doc.nodes.length);
  const openDialog = useStore((s) => s.openDialog);

  return (
    <div className="inspector-graph" data-testid="inspector-graph">
      <header>
        <h2>Network</h2>
        <p className="muted">
          {layers} {layers === 1 ? 'layer' : 'layers'}. Select a layer to edit it.
        </p>
      </header>
      <DocText
        label="Name"
        testId="graph-name"
        value={name}
        onCommit={(v) => commitDoc({ name: v.trim() || 'Untitled' })}
      />
      <div className="field">
        <label htmlFor={datasetId}>Dataset</label>
        <div className="field-inputs">
          <select
            id={datasetId}
            data-testid="graph-dataset"
            value={dataset}
            onChange={(e) =>
              commitDoc({ dataset: e.target.value ? (e.target.value as DatasetName) : null })
            }
          >
            <option value="">(none)</option>
            {DATASETS.map((d) => (
              <option key={d} value={d}>
                {DATASET_INFO[d].label}
              </option>
            ))}
          </select>
        </div>
        <div className="field-help">
          {dataset
            ? `Input ${DATASET_INFO[dataset].inputShape.join('×')}, ${DATASET_INFO[dataset].classes} classes: the checks use these.`
            : 'Pick one to check the input and output shapes against it.'}
        </div>
      </div>
      <DocText
        label="Description"
        testId="graph-description"
        value={description}
        multiline
        onCommit={(v) => commitDoc({ description: v })}
      />
      {layers <= 1 && (
        <button type="button" className="link" onClick={() => openDialog('templates')}>
          Start from one of the chapter&apos;s networks…
        </button>
      )}
    </div>
  );
}
