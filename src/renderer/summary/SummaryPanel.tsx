// The Keras-style model summary of the graph being edited. Rows are capped so
// a 500-layer graph still re-renders quickly after every edit.
import { useMemo, useState } from 'react';
import { summarize } from '../../shared/graph/summary.ts';
import { getLayer } from '../../shared/layers/registry.ts';
import { useAnalysis } from '../store/analysis.ts';
import { useStore } from '../store/store.ts';
import { formatCount, formatShape } from './format.ts';
import { MemoryEstimate } from './MemoryEstimate.tsx';

export const ROW_LIMIT = 100;

export function SummaryPanel() {
  const analysis = useAnalysis();
  // summarize() reads only the analysis; the doc argument is its default source.
  const summary = useMemo(() => summarize(useStore.getState().doc, analysis), [analysis]);
  const selected = useStore((s) => (s.selectedNodes.length === 1 ? s.selectedNodes[0] : null));
  const select = useStore((s) => s.select);
  const [showAll, setShowAll] = useState(false);

  const rows = showAll ? summary.layers : summary.layers.slice(0, ROW_LIMIT);
  const hidden = summary.layers.length - rows.length;

  return (
    <section className="summary panel" data-testid="summary" aria-label="Model summary">
      <div className="summary-table">
        <table>
          <thead>
            <tr>
              <th>Layer</th>
              <th>Kind</th>
              <th>Output shape</th>
              <th className="num">Params</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row, i) => {
              const id = analysis.order[i]!;
              return (
                <tr
                  key={id}
                  data-testid={`summary-row-${row.name}`}
                  className={id === selected ? 'selected' : undefined}
                  onClick={() => select([id])}
                >
                  <td>{row.name}</td>
                  <td className="muted">{getLayer(row.kind)?.label ?? row.kind}</td>
                  <td className="mono">
                    {row.outputShape ? formatShape(row.outputShape, false) : '?'}
                  </td>
                  <td className="num">{formatCount(row.params)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
        {summary.layers.length > ROW_LIMIT && (
          <button
            type="button"
            className="link"
            data-testid="summary-show-all"
            onClick={() => setShowAll(!showAll)}
          >
            {showAll
              ? `Show the first ${ROW_LIMIT} layers`
              : `Show all ${summary.layers.length} layers (${hidden} more)`}
          </button>
        )}
      </div>
      <dl className="summary-totals">
        <dt>Total params</dt>
        <dd data-testid="summary-total">{formatCount(summary.totalParams)}</dd>
        <dt>Trainable</dt>
        <dd data-testid="summary-trainable">{formatCount(summary.trainableParams)}</dd>
        <dt>Non-trainable</dt>
        <dd data-testid="summary-nontrainable">{formatCount(summary.nonTrainableParams)}</dd>
        <dt>Multiply-adds</dt>
        <dd data-testid="summary-madds" title="Per sample, forward pass">
          {formatCount(summary.multiplyAdds)}
        </dd>
        <MemoryEstimate analysis={analysis} />
      </dl>
    </section>
  );
}
