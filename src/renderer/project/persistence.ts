// The browser side of autosave: which storage, when to write, what happens on
// start-up and when the window closes. The record format lives in autosave.ts.
import { useEffect } from 'react';
import { parseProject, ProjectFileError, serializeProject } from '../../shared/project.ts';
import type { Host } from '../host/host.ts';
import { useStore } from '../store/store.ts';
import {
  discardAutosave,
  pendingRecovery,
  recordSave,
  writeAutosave,
  type AutosaveRecord,
  type KeyValueStorage,
} from './autosave.ts';
import { starterProject } from './starter.ts';

export const AUTOSAVE_INTERVAL_MS = 4000;

export function browserStorage(): KeyValueStorage | null {
  try {
    return window.localStorage;
  } catch {
    return null; // storage disabled: no autosave, nothing to recover
  }
}

let started = false;
let offer: AutosaveRecord | null = null;

/**
 * Runs once per page: opens the starter project and looks for an autosave worth
 * restoring. Until the user answers that offer, autosave is held back so it
 * cannot overwrite the work being offered.
 */
export function startSession(): void {
  if (started) return;
  started = true;
  const storage = browserStorage();
  offer = storage ? pendingRecovery(storage) : null;
  useStore.getState().openProject(starterProject(), null);
}

export const recoveryOffer = (): AutosaveRecord | null => offer;

export function restoreAutosave(record: AutosaveRecord): void {
  offer = null;
  try {
    const project = parseProject(record.text, 'The autosaved project');
    useStore.getState().openProject(project, record.name);
    // Restored work is still unsaved.
    useStore.setState({ dirty: true });
    useStore.getState().notify('info', `Restored "${project.name}" from the autosave.`);
  } catch (e) {
    const reason = e instanceof ProjectFileError ? e.message : String(e);
    useStore.getState().notify('error', `Could not restore the autosave: ${reason}`);
  }
}

export function dismissRecovery(): void {
  offer = null;
  const storage = browserStorage();
  if (storage) discardAutosave(storage);
}

/** After a save the autosave is stale; after a deliberate discard it is unwanted. */
export function forgetAutosave(saved: boolean): void {
  const storage = browserStorage();
  if (!storage) return;
  if (saved) recordSave(storage, Date.now());
  else discardAutosave(storage);
}

/** Copies the project to storage every few seconds while dirty; warns before closing. */
export function useAutosave(host: Host, intervalMs = AUTOSAVE_INTERVAL_MS): void {
  const desktop = host.desktop;
  useEffect(() => {
    const storage = browserStorage();
    // The graph and the training form last written: nothing to write while both are the same.
    let written: { doc: unknown; form: unknown } | null = null;
    const flush = (): void => {
      const s = useStore.getState();
      if (!storage || offer || !s.dirty || (s.doc === written?.doc && s.form === written.form))
        return;
      written = { doc: s.doc, form: s.form };
      writeAutosave(storage, {
        time: Date.now(),
        name: s.projectName,
        text: serializeProject(s.currentProject()),
      });
    };
    const onBeforeUnload = (e: BeforeUnloadEvent): void => {
      flush();
      // In Electron a cancelled unload silently keeps the window open unless main
      // handles 'will-prevent-unload', so there the autosave above is the safety net.
      if (useStore.getState().dirty && !desktop) e.preventDefault();
    };
    const timer = window.setInterval(flush, intervalMs);
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => {
      window.clearInterval(timer);
      window.removeEventListener('beforeunload', onBeforeUnload);
    };
  }, [intervalMs, desktop]);
}
