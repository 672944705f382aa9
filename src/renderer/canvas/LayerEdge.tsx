// A connection; red with the problem as its tooltip when the analysis flags it.
import { memo } from 'react';
import { BaseEdge, getBezierPath, type EdgeProps } from '@xyflow/react';
import type { LayerFlowEdge } from './flow-types.ts';

function LayerEdgeView(props: EdgeProps<LayerFlowEdge>) {
  const [path] = getBezierPath(props);
  const issue = props.data?.issue;
  return (
    <g
      className={issue ? 'nf-edge nf-edge-error' : 'nf-edge'}
      data-testid={`edge-${props.id}`}
      data-error={issue ? 'true' : undefined}
    >
      {issue && <title>{issue}</title>}
      <BaseEdge id={props.id} path={path} markerEnd={props.markerEnd} interactionWidth={16} />
    </g>
  );
}

export const LayerEdge = memo(LayerEdgeView);
