// Crash recovery: the open project is copied to local storage while it has unsaved
// changes, and offered back on the next start if it is newer than the last save.
// Pure apart from the storage handed in, so tests run it with a Map.

/** The part of the Web Storage API this needs (tests pass an in-memory one). */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export const AUTOSAVE_KEY = 'netforge.autosave';
export const LAST_SAVE_KEY = 'netforge.lastSave';

export interface AutosaveRecord {
  /** Milliseconds since the epoch. */
  time: number;
  /** The project's name in the project folder, or null if it was never saved there. */
  name: string | null;
  /** The project file's text, as serializeProject writes it. */
  text: string;
}

function parseRecord(raw: string | null): AutosaveRecord | null {
  if (!raw) return null;
  try {
    const r = JSON.parse(raw) as Partial<AutosaveRecord>;
    if (typeof r.time !== 'number' || typeof r.text !== 'string') return null;
    return { time: r.time, name: typeof r.name === 'string' ? r.name : null, text: r.text };
  } catch {
    return null;
  }
}

/** Storage can be full or disabled (private windows); autosave then silently does nothing. */
function attempt(f: () => void): boolean {
  try {
    f();
    return true;
  } catch {
    return false;
  }
}

export function writeAutosave(storage: KeyValueStorage, record: AutosaveRecord): boolean {
  return attempt(() => storage.setItem(AUTOSAVE_KEY, JSON.stringify(record)));
}

export function readAutosave(storage: KeyValueStorage): AutosaveRecord | null {
  try {
    return parseRecord(storage.getItem(AUTOSAVE_KEY));
  } catch {
    return null;
  }
}

export function discardAutosave(storage: KeyValueStorage): void {
  attempt(() => storage.removeItem(AUTOSAVE_KEY));
}

/** Called after every successful save: the autosave is then stale. */
export function recordSave(storage: KeyValueStorage, time: number): void {
  attempt(() => storage.setItem(LAST_SAVE_KEY, String(time)));
  discardAutosave(storage);
}

/** The autosave worth offering on start-up: one newer than the last save, if any. */
export function pendingRecovery(storage: KeyValueStorage): AutosaveRecord | null {
  const record = readAutosave(storage);
  if (!record) return null;
  let lastSave = 0;
  attempt(() => {
    lastSave = Number(storage.getItem(LAST_SAVE_KEY) ?? 0) || 0;
  });
  return record.time > lastSave ? record : null;
}
