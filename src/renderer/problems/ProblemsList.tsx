// Every issue the analysis found, with its stable code. Clicking one selects
// the layer at fault and brings it into view.
import { useReactFlow } from '@xyflow/react';
import { useState } from 'react';
import type { GraphIssue } from '../../shared/graph/analyze.ts';
import { useAnalysis } from '../store/analysis.ts';
import { useStore } from '../store/store.ts';

const LIMIT = 200;

export function ProblemsList() {
  const { issues, nodes } = useAnalysis();
  const select = useStore((s) => s.select);
  const flow = useReactFlow();
  const [showAll, setShowAll] = useState(false);
  const shown = showAll ? issues : issues.slice(0, LIMIT);

  const reveal = (issue: GraphIssue): void => {
    if (issue.nodeId) {
      select([issue.nodeId]);
      // Resolves false (and does nothing) while the canvas is not mounted.
      void flow
        .fitView({ nodes: [{ id: issue.nodeId }], duration: 250, maxZoom: 1.25 })
        .catch(() => false);
    } else if (issue.edgeId) select([], [issue.edgeId]);
  };

  return (
    <section className="problems panel" data-testid="problems" aria-label="Problems">
      <h3>
        Problems <span className="badge">{issues.length}</span>
      </h3>
      {issues.length === 0 ? (
        <p className="muted" data-testid="problems-empty">
          No problems: every layer has a valid shape.
        </p>
      ) : (
        <ul>
          {shown.map((issue, i) => (
            <li key={i}>
              <button
                type="button"
                data-testid={`problem-${issue.code}`}
                data-node-id={issue.nodeId}
                onClick={() => reveal(issue)}
              >
                <code>{issue.code}</code>
                {issue.nodeId && nodes.get(issue.nodeId) && (
                  <span className="problem-node">{nodes.get(issue.nodeId)!.name}</span>
                )}
                <span className="problem-message">{issue.message}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {issues.length > LIMIT && (
        <button type="button" className="link" onClick={() => setShowAll(!showAll)}>
          {showAll ? `Show the first ${LIMIT}` : `Show all ${issues.length} problems`}
        </button>
      )}
    </section>
  );
}
