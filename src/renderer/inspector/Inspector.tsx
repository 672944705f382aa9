import type { Store } from '../store/store.ts';
import { useStore } from '../store/store.ts';
import { GraphInspector } from './GraphInspector.tsx';
import { NodeInspector } from './NodeInspector.tsx';

const singleSelected = (s: Store) =>
  s.selectedNodes.length === 1 ? s.doc.nodes.find((n) => n.id === s.selectedNodes[0]) : undefined;

/** The right-hand panel: the selected layer, or the network when nothing is selected. */
export function Inspector() {
  const node = useStore(singleSelected);
  const count = useStore((s) => s.selectedNodes.length);
  return (
    <aside className="inspector panel" data-testid="inspector" aria-label="Inspector">
      {node ? (
        <NodeInspector key={node.id} node={node} />
      ) : count > 1 ? (
        <div className="inspector-multi">
          <h2>{count} layers selected</h2>
          <p className="muted">Select a single layer to edit its parameters.</p>
        </div>
      ) : (
        <GraphInspector />
      )}
    </aside>
  );
}
