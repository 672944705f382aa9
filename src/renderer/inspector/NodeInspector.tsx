import { formatInfo } from '../../shared/export/index.ts';
import type { GraphNode } from '../../shared/graph/types.ts';
import { getLayer } from '../../shared/layers/registry.ts';
import { collapseNodeBlock, expandNode } from '../canvas/block-actions.ts';
import { useExportMark } from '../export/export-check.ts';
import { useAnalysis } from '../store/analysis.ts';
import { useStore } from '../store/store.ts';
import { formatCount, formatShape } from '../summary/format.ts';
import { NameField } from './NameField.tsx';
import { ParamField } from './ParamField.tsx';

/** The selected layer: its name, a form made from its spec, and what inference says. */
export function NodeInspector({ node }: { node: GraphNode }) {
  const layer = getLayer(node.kind);
  const updateParams = useStore((s) => s.updateParams);
  const info = useAnalysis().nodes.get(node.id);
  const count = info?.paramCount;
  const exportMark = useExportMark(node.id);
  const exportFormat = useStore((s) => s.exportMarks);

  return (
    <div className="inspector-node" data-testid="inspector-node" data-node-id={node.id}>
      <header>
        <h2>{layer?.label ?? node.kind}</h2>
        {layer && <p className="muted">{layer.description}</p>}
        {node.block && (
          <p className="muted">
            Part of block {node.block.name} ({getLayer(node.block.kind)?.label ?? node.block.kind}
            ).{' '}
            <button
              type="button"
              className="link"
              data-testid="inspector-collapse"
              onClick={() => collapseNodeBlock(node.block!.id)}
            >
              Collapse it
            </button>
          </p>
        )}
        {layer?.expand && (
          <p className="muted">
            A block of several layers.{' '}
            <button
              type="button"
              className="link"
              data-testid="inspector-expand"
              title="Replace this block by the layers it stands for, in place"
              onClick={() => expandNode(node.id)}
            >
              Expand it into its layers
            </button>
          </p>
        )}
        {exportMark && exportFormat && (
          <p className="field-error" data-testid="inspector-export-mark">
            Not exportable to {formatInfo(exportFormat).label}: {exportMark}
          </p>
        )}
      </header>
      <NameField node={node} />
      {layer ? (
        <div className="params" data-testid="inspector-params">
          {Object.keys(layer.params).map((name) => (
            <ParamField
              key={name}
              layer={layer}
              params={node.params}
              name={name}
              onCommit={(value) => updateParams(node.id, { [name]: value })}
            />
          ))}
        </div>
      ) : (
        <p className="field-error">
          Netforge does not know the layer kind &ldquo;{node.kind}&rdquo;: delete this node.
        </p>
      )}
      {info && (
        <dl className="facts">
          <dt>Input</dt>
          <dd data-testid="node-input-shapes">
            {info.inputShapes.map((s) => formatShape(s)).join(' + ') || '—'}
          </dd>
          <dt>Output</dt>
          <dd data-testid="node-output-shape">{formatShape(info.outputShape)}</dd>
          <dt>Parameters</dt>
          <dd data-testid="node-params">
            {formatCount((count?.trainable ?? 0) + (count?.nonTrainable ?? 0))}
            {count?.nonTrainable ? ` (${formatCount(count.nonTrainable)} non-trainable)` : ''}
          </dd>
          <dt>Multiply-adds</dt>
          <dd data-testid="node-madds">{formatCount(info.multiplyAdds)}</dd>
        </dl>
      )}
      {info && info.issues.length > 0 && (
        <ul className="issues" data-testid="node-issues">
          {info.issues.map((issue, i) => (
            <li key={i} data-testid={`node-issue-${issue.code}`}>
              <code>{issue.code}</code> {issue.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
