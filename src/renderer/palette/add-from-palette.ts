// Adding a layer without dragging: below the selected node (and fed by it), or
// in the middle of the view.
import { addNode, connect } from '../../shared/graph/ops.ts';
import { freeSpot } from '../../shared/graph/placement.ts';
import type { Position } from '../../shared/graph/types.ts';
import { getLayer } from '../../shared/layers/registry.ts';
import { NODE_HEIGHT, NODE_WIDTH } from '../canvas/flow-types.ts';
import { nodeSize, viewCentre } from '../canvas/flow-instance.ts';
import { useStore } from '../store/store.ts';

const GAP = 40;
const NEW_NODE = { width: NODE_WIDTH, height: NODE_HEIGHT };

/**
 * Adds a `kind` layer as one undoable edit and selects it. It goes below the lowest
 * selected node, connected to it when exactly one node is selected and the kind
 * takes an input; with nothing selected it goes to the centre of the view.
 */
export function addFromPalette(kind: string): string {
  const s = useStore.getState();
  const spec = getLayer(kind);
  if (!spec) throw new Error(`Unknown layer kind "${kind}"`);
  const chosen = new Set(s.selectedNodes);
  const selected = s.doc.nodes.filter((n) => chosen.has(n.id));
  const anchor = selected.reduce<(typeof selected)[number] | undefined>(
    (low, n) => (!low || n.position.y > low.position.y ? n : low),
    undefined,
  );
  let position: Position;
  if (anchor) {
    position = {
      x: anchor.position.x,
      y: anchor.position.y + nodeSize(anchor.id).height + GAP,
    };
  } else {
    const c = viewCentre() ?? { x: NODE_WIDTH / 2, y: NODE_HEIGHT / 2 };
    position = { x: Math.round(c.x - NODE_WIDTH / 2), y: Math.round(c.y - NODE_HEIGHT / 2) };
  }
  // Below a node, a taken spot means a branch is there: go beside it, along the row.
  const spot = freeSpot(s.doc.nodes, position, NEW_NODE, nodeSize, anchor ? 'right' : 'nearest');
  const added = addNode(s.doc, kind, { position: spot });
  let doc = added.doc;
  if (anchor && selected.length === 1 && spec.inputs.max > 0)
    doc = connect(doc, anchor.id, added.id).doc;
  s.commit(doc);
  s.select([added.id]);
  return added.id;
}
