// The one node component: everything it shows comes from the layer registry and the graph
// analysis, looked up by the node's id. Drawn at the zoom's level of detail (fit.ts): in full
// when close, as a compact card (kind colour, name, output shape in large type) when zoomed out.
import { Fragment, memo } from 'react';
import { Handle, Position, useStore as useFlowStore, type NodeProps } from '@xyflow/react';
import { useShallow } from 'zustand/react/shallow';
import { formatInfo } from '../../shared/export/index.ts';
import { useExportMark } from '../export/export-check.ts';
import { currentAnalysis } from '../store/analysis.ts';
import { useStore, type Store } from '../store/store.ts';
import { collapseNodeBlock, expandNode } from './block-actions.ts';
import { FULL_ZOOM } from './fit.ts';
import type { LayerFlowNode } from './flow-types.ts';
import { cachedNodeView, nodeIndex, type NodeView } from './node-view.ts';

function selectView(s: Store, id: string): NodeView | null {
  const node = nodeIndex(s.doc.nodes).get(id);
  // currentAnalysis() is cached per structure version, so this is a map lookup.
  return node ? cachedNodeView(node, currentAnalysis().nodes.get(id)) : null;
}

/** Re-renders a node only when the zoom crosses the threshold, not on every zoom step. */
const selectCompact = (s: { transform: [number, number, number] }) => s.transform[2] < FULL_ZOOM;

/** A name that wraps after its underscores ("stage1_block2_" / "conv1"), not inside a word. */
function WrappingName({ name }: { name: string }) {
  const parts = name.split(/(?<=_)/);
  return (
    <>
      {parts.map((p, i) => (
        <Fragment key={i}>
          {i > 0 && <wbr />}
          {p}
        </Fragment>
      ))}
    </>
  );
}

function Actions({ id, view, short }: { id: string; view: NodeView; short: boolean }) {
  if (!view.expandable && !view.blockId) return null;
  return (
    <div className="nf-node-actions">
      {view.expandable && (
        <button
          type="button"
          className="nodrag"
          data-testid="node-expand"
          title="Replace this block by the layers it stands for, in place"
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
          {short ? 'Collapse' : `Collapse ${view.blockName}`}
        </button>
      )}
    </div>
  );
}

/** The Export dialog's mark: the chosen format cannot express this layer (why, on hover). */
function ExportMark({ reason, short }: { reason: string; short: boolean }) {
  const format = useStore((s) => (s.exportMarks ? formatInfo(s.exportMarks).label : ''));
  return (
    <div
      className="nf-node-export"
      data-testid="node-export-mark"
      title={`Not exportable to ${format}: ${reason}`}
    >
      {short ? `Not in ${format}` : `Not exportable to ${format}: ${reason}`}
    </div>
  );
}

function LayerNodeView({ id }: NodeProps<LayerFlowNode>) {
  // useShallow: a node re-renders only when what it shows changes, not on every edit.
  const view = useStore(useShallow((s: Store) => selectView(s, id)));
  const sideways = useStore((s) => s.panels.layoutMode === 'right');
  const compact = useFlowStore(selectCompact);
  // Why the format chosen in the Export dialog cannot express this layer, or null.
  const exportMark = useExportMark(id);
  if (!view) return null;
  const multi = view.maxInputs > 1;
  const classes = ['nf-node', `nf-node-${view.kind}`, `nf-cat-${view.category}`];
  if (compact) classes.push('nf-node-compact');
  if (view.issueCount) classes.push('nf-node-invalid');
  if (exportMark) classes.push('nf-node-export-refused');
  if (view.blockId) classes.push('nf-node-in-block');
  return (
    <div
      className={classes.join(' ')}
      data-testid={`node-${view.name}`}
      data-detail={compact ? 'compact' : 'full'}
      data-export-refused={exportMark ? true : undefined}
      title={
        compact
          ? `${view.name}: ${view.label} ${view.summary}${exportMark ? `\nNot exportable: ${exportMark}` : ''}`
          : undefined
      }
    >
      {view.maxInputs > 0 && (
        <Handle
          type="target"
          position={sideways ? Position.Left : Position.Top}
          className={multi ? 'nf-handle-multi' : undefined}
          title={multi ? 'Connect any number of inputs here' : 'Input'}
        >
          {multi && !sideways && <span className="nf-handle-label">n inputs</span>}
        </Handle>
      )}
      {compact ? (
        <>
          <div className="nf-node-name" data-testid="node-label">
            <WrappingName name={view.name} />
          </div>
          <div className="nf-node-kind">{view.label}</div>
          <div className="nf-node-shape" data-testid="node-shape">
            {view.shape}
          </div>
          {exportMark && <ExportMark reason={exportMark} short />}
          <Actions id={id} view={view} short />
        </>
      ) : (
        <>
          <div className="nf-node-head">
            <span className="nf-node-kind" title={view.description} data-testid="node-label">
              {view.label}
            </span>
            <span className="nf-node-name" title={view.name}>
              <WrappingName name={view.name} />
            </span>
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
          {exportMark && <ExportMark reason={exportMark} short={false} />}
          <Actions id={id} view={view} short={false} />
        </>
      )}
      <Handle type="source" position={sideways ? Position.Right : Position.Bottom} title="Output" />
    </div>
  );
}

export const LayerNode = memo(LayerNodeView);
