// The keyboard shortcuts: this one table drives both useShortcuts and the help overlay.

export type ShortcutAction =
  | 'undo'
  | 'redo'
  | 'copy'
  | 'paste'
  | 'duplicate'
  | 'delete'
  | 'selectAll'
  | 'autoLayout'
  | 'help'
  | 'close';

export interface Shortcut {
  action: ShortcutAction;
  /**
   * Key combinations, e.g. "Mod+Shift+Z". Mod is Ctrl, or Cmd on macOS; the last
   * part is KeyboardEvent.key (letters in any case).
   */
  keys: readonly string[];
  label: string;
}

export const SHORTCUTS: readonly Shortcut[] = [
  { action: 'undo', keys: ['Mod+Z'], label: 'Undo' },
  { action: 'redo', keys: ['Mod+Shift+Z', 'Ctrl+Y'], label: 'Redo' },
  { action: 'copy', keys: ['Mod+C'], label: 'Copy the selected layers' },
  { action: 'paste', keys: ['Mod+V'], label: 'Paste layers (offset from the copied ones)' },
  { action: 'duplicate', keys: ['Mod+D'], label: 'Duplicate the selected layers' },
  { action: 'delete', keys: ['Delete', 'Backspace'], label: 'Delete the selection' },
  { action: 'selectAll', keys: ['Mod+A'], label: 'Select everything' },
  { action: 'autoLayout', keys: ['Ctrl+L'], label: 'Auto layout (as chosen above the canvas)' },
  { action: 'help', keys: ['?'], label: 'Show this help' },
  { action: 'close', keys: ['Escape'], label: 'Close the dialog' },
];

interface Combo {
  /** Ctrl or Cmd. */
  mod: boolean;
  /** Ctrl only (Ctrl+Y is redo on every platform; Cmd+Y is not). */
  ctrl: boolean;
  shift: boolean;
  key: string;
}

function parse(keys: string): Combo {
  const parts = keys.split('+');
  // "?" is its own key; "Mod++" would be the plus key.
  const key = parts.pop() || '+';
  return {
    mod: parts.includes('Mod'),
    ctrl: parts.includes('Ctrl'),
    shift: parts.includes('Shift'),
    key: key.toLowerCase(),
  };
}

const COMBOS = SHORTCUTS.flatMap((s) => s.keys.map((k) => ({ action: s.action, combo: parse(k) })));

type KeyLike = Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'shiftKey' | 'altKey'>;

/** The action a key press stands for, if any. */
export function matchShortcut(e: KeyLike): ShortcutAction | null {
  if (e.altKey) return null;
  const key = e.key.toLowerCase();
  // Letters must match Shift exactly (Mod+Z vs Mod+Shift+Z); a symbol such as "?"
  // needs Shift on some layouts and not on others, so Shift is ignored for it.
  const letter = /^[a-z]$/.test(key);
  for (const { action, combo } of COMBOS) {
    if (combo.key !== key) continue;
    const modOk = combo.mod
      ? e.ctrlKey !== e.metaKey // exactly one of them
      : combo.ctrl
        ? e.ctrlKey && !e.metaKey
        : !e.ctrlKey && !e.metaKey;
    if (!modOk) continue;
    if (letter && combo.shift !== e.shiftKey) continue;
    return action;
  }
  return null;
}

/** "Mod+Shift+Z" as shown to the user: ⌘⇧Z on macOS, Ctrl+Shift+Z elsewhere. */
export function displayKeys(keys: string, mac: boolean): string {
  if (!mac) return keys.replace('Mod', 'Ctrl');
  return keys
    .replace('Mod+', '⌘')
    .replace('Ctrl+', '⌃')
    .replace('Shift+', '⇧')
    .replace('Backspace', '⌫')
    .replace('Delete', '⌦');
}

export const isMac = (): boolean =>
  typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);
