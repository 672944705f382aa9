import { useId } from 'react';
import { graphNodeSchema, type GraphNode } from '../../shared/graph/types.ts';
import { useStore } from '../store/store.ts';
import { useDrafts } from './useDrafts.ts';

const nameSchema = graphNodeSchema.shape.name;

/** Why `name` cannot name node `id`, or null. Names become tfjs / Keras layer names. */
function checkName(name: string, id: string): string | null {
  const r = nameSchema.safeParse(name);
  if (!r.success) return `Invalid name: ${r.error.issues[0]?.message ?? 'not allowed'}.`;
  const taken = useStore.getState().doc.nodes.some((n) => n.id !== id && n.name === name);
  return taken ? `Another layer is already named "${name}"; pick another name.` : null;
}

/** The layer's name; renames commit on Enter or when the field loses focus. */
export function NameField({ node }: { node: GraphNode }) {
  const id = useId();
  const rename = useStore((s) => s.rename);
  const { drafts, error, setDrafts } = useDrafts(
    node.name,
    (v) => [String(v)],
    (d) => d[0],
  );
  const draft = drafts[0] ?? '';
  const commit = (): void => {
    if (draft === node.name) return setDrafts(drafts, null);
    const problem = checkName(draft, node.id);
    setDrafts(drafts, problem);
    if (!problem) rename(node.id, draft);
  };
  return (
    <div className="field">
      <label htmlFor={id}>Name</label>
      <div className="field-inputs">
        <input
          id={id}
          className="wide"
          data-testid="node-name"
          spellCheck={false}
          value={draft}
          aria-invalid={error ? true : undefined}
          onChange={(e) => setDrafts([e.target.value], error)}
          onBlur={commit}
          onKeyDown={(e) => {
            if (e.key === 'Enter') commit();
            if (e.key === 'Escape') setDrafts([node.name], null);
          }}
        />
      </div>
      {error && (
        <div className="field-error" role="alert" data-testid="node-name-error">
          {error}
        </div>
      )}
    </div>
  );
}
