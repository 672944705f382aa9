import type { StateCreator } from 'zustand';
import type { Store } from './store.ts';

export type Theme = 'light' | 'dark';
export type Dialog = null | 'templates' | 'help' | 'open';

export interface UiSlice {
  theme: Theme;
  dialog: Dialog;
  /** Batch size for the summary's training-memory estimate. */
  memoryBatchSize: number;
  /** A message for the status bar (errors say what to do). */
  notice: { kind: 'info' | 'error'; text: string } | null;
  setTheme: (t: Theme) => void;
  openDialog: (d: Dialog) => void;
  setMemoryBatchSize: (n: number) => void;
  notify: (kind: 'info' | 'error', text: string) => void;
}

// The store also runs under Node in tests, where these browser globals are absent.
const browser = globalThis as {
  localStorage?: { getItem(k: string): string | null; setItem(k: string, v: string): void };
  matchMedia?: (query: string) => { matches: boolean };
};

const initialTheme = (): Theme => {
  try {
    const saved = browser.localStorage?.getItem('netforge.theme');
    if (saved === 'light' || saved === 'dark') return saved;
    return browser.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
  } catch {
    return 'light';
  }
};

export const createUiSlice: StateCreator<Store, [], [], UiSlice> = (set) => ({
  theme: initialTheme(),
  dialog: null,
  memoryBatchSize: 32,
  notice: null,
  setTheme: (theme) => {
    try {
      browser.localStorage?.setItem('netforge.theme', theme);
    } catch {
      // private mode: the theme just isn't remembered
    }
    set({ theme });
  },
  openDialog: (dialog) => set({ dialog }),
  setMemoryBatchSize: (memoryBatchSize) => set({ memoryBatchSize }),
  notify: (kind, text) => set({ notice: { kind, text } }),
});
