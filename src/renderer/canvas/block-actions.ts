// Expanding a block node into its layers and collapsing them back, as one undoable edit each.
import { BlockOpError, collapseBlock, expandBlock } from '../../shared/graph/block-ops.ts';
import type { GraphDoc } from '../../shared/graph/types.ts';
import { useStore } from '../store/store.ts';

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

export function expandNode(id: string): void {
  run(() => expandBlock(useStore.getState().doc, id));
}

export function collapseNodeBlock(blockId: string): void {
  run(() => {
    const { doc, id } = collapseBlock(useStore.getState().doc, blockId);
    return { doc, ids: [id] };
  });
}
