// The one node component: everything it shows comes from the layer registry and
// the graph analysis, looked up by the node's id.
import { memo } from 'react';
import { Handle, Position, type NodeProps } from '@xyflow/react';
import { useShallow } from 'zustand/react/shallow';
import { currentAnalysis } from '../store/analysis.ts';
import { useStore, type Store } from '../store/store.ts';
import { collapseNodeBlock, expandNode } from './block-actions.ts';
import type { LayerFlowNode } from './flow-types.ts';
import { cachedNodeView, nodeIndex, type NodeView } from './node-view.ts';

function selectView(s: Store, id: string): NodeView | null {
  const node = nodeIndex(s.doc.nodes).get(id);
  // currentAnalysis() is cached per structure version, so this is a map lookup.
  return node ? cachedNodeView(node, currentAnalysis().nodes.get(id)) : null;
}

function LayerNodeView({ id }: NodeProps<LayerFlowNode>) {
  // useShallow: a node re-renders only when what it shows changes, not on every edit.
  const view = useStore(useShallow((s: Store) => selectView(s, id)));
  if (!view) return null;
  const multi = view.maxInputs > 1;
  const classes = ['nf-node', `nf-node-${view.kind}`];
  if (view.issueCount) classes.push('nf-node-invalid');
  if (view.blockId) classes.push('nf-node-in-block');
  return (
    <div className={classes.join(' ')} data-testid={`node-${view.name}`}>
      {view.maxInputs > 0 && (
        <Handle
          type="target"
          position={Position.Top}
          className={multi ? 'nf-handle-multi' : undefined}
          title={multi ? 'Connect any number of inputs here' : 'Input'}
        >
          {multi && <span className="nf-handle-label">n inputs</span>}
        </Handle>
      )}
      <div className="nf-node-head">
        <span className="nf-node-kind" title={view.description}>
          {view.label}
        </span>
        <span className="nf-node-name">{view.name}</span>
      </div>
      {view.summary && <div className="nf-node-summary">{view.summary}</div>}
      <div className="nf-node-stats">
        <span data-testid="node-shape">{view.shape}</span>
        <span data-testid="node-params" title={view.paramsTitle}>
          {view.params}
        </span>
      </div>
      {view.issueCount > 0 && (
        <div className="nf-node-error" data-testid="node-error" title={view.issues}>
          {view.firstIssue}
          {view.issueCount > 1 && ` (+${view.issueCount - 1} more)`}
        </div>
      )}
      {(view.expandable || view.blockId) && (
        <div className="nf-node-actions">
          {view.expandable && (
            <button
              type="button"
              className="nodrag"
              data-testid="node-expand"
              title="Replace this block by the layers it stands for"
              onClick={() => expandNode(id)}
            >
              Expand
            </button>
          )}
          {view.blockId && (
            <button
              type="button"
              className="nodrag"
              data-testid="node-collapse"
              title={`Put the layers of ${view.blockName} back into one block node`}
              onClick={() => collapseNodeBlock(view.blockId)}
            >
              Collapse {view.blockName}
            </button>
          )}
        </div>
      )}
      <Handle type="source" position={Position.Bottom} title="Output" />
    </div>
  );
}

export const LayerNode = memo(LayerNodeView);
