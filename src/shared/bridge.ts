// What the Electron preload exposes to the renderer as `window.netforge`. Type-only, so the
// preload (src/preload/index.ts), the renderer's EngineClient and its tests share one
// definition without importing each other.
import type { ClientRequest, ServerReply } from './protocol.ts';

export interface NetforgeBridge {
  /** Netforge's version, from package.json. */
  readonly version: string;
  /**
   * Sends one engine request to the main process. Main validates it (clientRequestSchema) and
   * always answers with a reply, `ok: false` plus an error code when it fails; the promise
   * rejects only if IPC itself breaks.
   */
  request(req: ClientRequest): Promise<ServerReply>;
}
