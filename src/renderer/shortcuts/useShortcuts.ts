// App-wide keyboard shortcuts (the table is in shortcuts.ts). Call once, in App.
import { useEffect } from 'react';
import { layoutCurrent } from '../layout/layout-current.ts';
import { pasteNodes } from '../store/graph-slice.ts';
import { useStore } from '../store/store.ts';
import { matchShortcut, type ShortcutAction } from './shortcuts.ts';

const PASTE_STEP = 40;

/** Typing in a field must not delete layers or undo graph edits. */
function isTextTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (!(target instanceof HTMLInputElement)) return false;
  return !['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color', 'file'].includes(
    target.type,
  );
}

/** Text the user has selected on the page (then Copy copies that text, not layers). */
const hasTextSelection = (): boolean => (window.getSelection()?.toString() ?? '') !== '';

/** Runs `action`; returns false when it did not apply, so the browser's default stays. */
function run(action: ShortcutAction, paste: () => void): boolean {
  const s = useStore.getState();
  switch (action) {
    case 'undo':
      s.undo();
      return true;
    case 'redo':
      s.redo();
      return true;
    case 'copy':
      if (!s.selectedNodes.length || hasTextSelection()) return false;
      s.copySelection();
      return true;
    case 'paste':
      if (!s.clipboard?.nodes.length) return false;
      paste();
      return true;
    case 'duplicate':
      // Ctrl+D bookmarks the page in a browser: swallow it even with nothing selected.
      if (s.selectedNodes.length) s.duplicate(s.selectedNodes);
      return true;
    case 'delete':
      if (!s.selectedNodes.length && !s.selectedEdges.length) return false;
      s.deleteSelection();
      return true;
    case 'selectAll':
      s.select(
        s.doc.nodes.map((n) => n.id),
        s.doc.edges.map((e) => e.id),
      );
      return true;
    case 'autoLayout':
      void layoutCurrent();
      return true;
    case 'help':
      s.openDialog('help');
      return true;
    case 'close':
      if (!s.dialog) return false;
      s.openDialog(null);
      return true;
  }
}

export function useShortcuts(): void {
  useEffect(() => {
    // Each paste of the same clipboard lands a step further, so copies do not stack.
    let lastClipboard: unknown = null;
    let pastes = 0;
    const paste = (): void => {
      const s = useStore.getState();
      const clip = s.clipboard;
      if (!clip) return;
      if (clip !== lastClipboard) {
        lastClipboard = clip;
        pastes = 0;
      }
      pastes += 1;
      const offset = { x: PASTE_STEP * pastes, y: PASTE_STEP * pastes };
      const { doc, ids } = pasteNodes(s.doc, clip.nodes, clip.edges, offset);
      s.commit(doc);
      s.select(ids);
    };

    const onKeyDown = (e: KeyboardEvent): void => {
      if (e.defaultPrevented || e.isComposing) return;
      const action = matchShortcut(e);
      if (!action) return;
      // In a text field only Escape is ours; every other key edits the text.
      if (action !== 'close' && isTextTarget(e.target)) return;
      // While a dialog is open the graph behind it is not edited from the keyboard.
      if (useStore.getState().dialog && action !== 'close') return;
      // Nor while the dashboard covers the canvas: the selection is out of sight.
      if (useStore.getState().centre === 'dashboard' && action !== 'close' && action !== 'help')
        return;
      if (run(action, paste)) e.preventDefault();
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);
}
