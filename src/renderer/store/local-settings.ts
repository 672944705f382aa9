// Settings of this browser (or desktop window) kept across sessions in localStorage: the theme,
// the panels' sizes, the data folder. The store also runs under Node in tests, where there is no
// localStorage, and a private window may refuse to store: then nothing is remembered.

interface KeyValue {
  getItem(k: string): string | null;
  setItem(k: string, v: string): void;
}

const storage = (): KeyValue | null => {
  try {
    return (globalThis as { localStorage?: KeyValue }).localStorage ?? null;
  } catch {
    return null;
  }
};

/** The value stored under `key` if `accept` takes it (a value of an older shape is dropped). */
export function readSetting<T>(key: string, accept: (v: unknown) => T | null): T | null {
  try {
    const text = storage()?.getItem(key);
    return text == null ? null : accept(JSON.parse(text));
  } catch {
    return null;
  }
}

export function writeSetting(key: string, value: unknown): void {
  try {
    storage()?.setItem(key, JSON.stringify(value));
  } catch {
    // storage full or refused: the setting just isn't remembered
  }
}
