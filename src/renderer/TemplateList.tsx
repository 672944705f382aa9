import { useMemo } from 'react';
import { TEMPLATES } from '../shared/templates/index.ts';
import { analyzeGraph } from '../shared/graph/analyze.ts';
import { DATASET_INFO } from '../shared/graph/types.ts';

/** The chapter's networks with their parameter counts, computed from the graph model. */
export function TemplateList() {
  const rows = useMemo(
    () => TEMPLATES.map((t) => ({ t, totals: analyzeGraph(t.build()).totals })),
    [],
  );
  return (
    <table className="templates" data-testid="template-list">
      <thead>
        <tr>
          <th>Template</th>
          <th>Chapter</th>
          <th>Dataset</th>
          <th>Parameters</th>
        </tr>
      </thead>
      <tbody>
        {rows.map(({ t, totals }) => (
          <tr key={t.id} data-testid={`template-${t.id}`} title={t.description}>
            <td>{t.title}</td>
            <td>{t.section}</td>
            <td>{DATASET_INFO[t.dataset].label}</td>
            <td className="num">{totals.total.toLocaleString('en-US')}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
