// What the Electron preload exposes to the renderer as `window.netforge`. Type-only, so the
// preload (src/preload/index.ts), the renderer's EngineClient and its tests share one
// definition without importing each other.
import type { ApiRequestInput, EventPush, ApiReply } from './api.ts';

export interface NetforgeBridge {
  /** Netforge's version, from package.json. */
  readonly version: string;
  /**
   * Sends one engine request to the main process. Main validates it (apiRequestSchema) and
   * always answers with a reply, `ok: false` plus an error code when it fails; the promise
   * rejects only if IPC itself breaks.
   */
  request(req: ApiRequestInput): Promise<ApiReply>;
  /**
   * Calls `listener` with every message main pushes (IPC channel `netforge:event`): the
   * TrainingEvents of the run in progress. Returns the function that stops listening. Optional
   * only so that stand-in bridges in tests may leave it out; the preload always has it.
   */
  onEvent?(listener: (push: EventPush) => void): () => void;
  /**
   * Desktop app only: the system's folder picker; resolves to the chosen folder, or null when
   * cancelled. Browser mode has none (its folders are on the server's machine: type the path).
   */
  chooseFolder?(title: string): Promise<string | null>;
  /**
   * Desktop app only: shows a run's folder in the system's file manager. Resolves to null when
   * it opened, else to why not.
   */
  openRunFolder?(runId: string): Promise<string | null>;
  /**
   * Desktop app only: shows an export (a file or folder name in the exports folder) selected in
   * the system's file manager. Resolves to null when it was shown, else to why not.
   */
  showExport?(name: string): Promise<string | null>;
}
