// Expanding a block node into its layers and collapsing them back, in place, as one undoable
// edit each (undo brings back the graph as it was, positions included).
import {
  BlockOpError,
  collapseBlock,
  expandBlock,
  type PlacementOptions,
} from '../../shared/graph/block-ops.ts';
import type { GraphDoc } from '../../shared/graph/types.ts';
import { useStore } from '../store/store.ts';
import { nodeSize } from './flow-instance.ts';

function run(op: () => { doc: GraphDoc; ids: string[] }): void {
  const { commit, select, notify } = useStore.getState();
  try {
    const { doc, ids } = op();
    commit(doc);
    select(ids);
  } catch (e) {
    if (!(e instanceof BlockOpError)) throw e;
    notify('error', e.message);
  }
}

/**
 * Sizes as drawn, and the direction the graph is laid out in. A block's layers will be drawn
 * like the block (at the same detail, with a Collapse button where it has Expand): its size is
 * theirs.
 */
function placement(block?: string): PlacementOptions {
  return {
    sizeOf: nodeSize,
    ...(block ? { partSize: nodeSize(block) } : {}),
    direction: useStore.getState().panels.layoutMode === 'right' ? 'right' : 'down',
  };
}

/** In place: the block's layers where it was, what follows moved on; the view stays put. */
export function expandNode(id: string): void {
  run(() => expandBlock(useStore.getState().doc, id, placement(id)));
}

export function collapseNodeBlock(blockId: string): void {
  run(() => {
    const { doc, id } = collapseBlock(useStore.getState().doc, blockId, placement());
    return { doc, ids: [id] };
  });
}
