// Auto layout of the document being edited, for the toolbar and Ctrl+L.
import { canvasSize, fitCanvas, nodeSize } from '../canvas/flow-instance.ts';
import { useStore } from '../store/store.ts';
import type { GraphDoc } from '../../shared/graph/types.ts';
import { applyPositions, autoLayout, layoutPositions } from './auto-layout.ts';

/**
 * Lays out the current document, in the layout mode chosen above the canvas, as one undoable edit (not structural: shapes do
 * not change), then fits the view. Uses the nodes' rendered sizes when known.
 */
export async function layoutCurrent(): Promise<void> {
  const { doc } = useStore.getState();
  if (doc.nodes.length === 0) return;
  try {
    const positions = await layoutPositions(doc, nodeSize, {
      mode: useStore.getState().panels.layoutMode,
      canvas: canvasSize() ?? undefined,
    });
    // The user may have edited while ELK ran: move the nodes of the document as it is now.
    const s = useStore.getState();
    s.commit(applyPositions(s.doc, positions), { structural: false });
    requestAnimationFrame(() => fitCanvas(200));
  } catch (e) {
    useStore
      .getState()
      .notify(
        'error',
        `Auto layout failed (${e instanceof Error ? e.message : String(e)}); the layout was not changed.`,
      );
  }
}

/** For components: a stable callback that runs `layoutCurrent`. */
export function useAutoLayout(): () => Promise<void> {
  return layoutCurrent;
}

/**
 * `doc` laid out in the chosen layout mode for the canvas as it is, before it is opened (a
 * template's own positions are one column); as it was if the layout fails.
 */
export async function arrangeForCanvas(doc: GraphDoc): Promise<GraphDoc> {
  try {
    return await autoLayout(doc, undefined, {
      mode: useStore.getState().panels.layoutMode,
      canvas: canvasSize() ?? undefined,
    });
  } catch {
    return doc;
  }
}
