// What the renderer needs of the world around it, in one object: the engine client, the
// desktop app's folder picker and file manager, a yes/no question to the user, and whether the page is the
// desktop app's window. It is built once at start-up (main.tsx) from the environment (the
// preload's bridge in the desktop app, the page's address and WebSocket in browser mode, or
// neither) and handed down through React context (HostContext.tsx), so nothing else in the
// renderer reads window.netforge or calls window.confirm, and tests pass a fake one.
import type { NetforgeBridge } from '../../shared/bridge.ts';
import {
  connectEngine,
  type EngineClient,
  type EngineClientOptions,
  type EngineEnvironment,
} from '../engine/client.ts';

export interface Host {
  readonly engine: EngineClient;
  /**
   * The system's folder picker (desktop app only; browser mode's folders are on the server's
   * machine, so their paths are typed). Resolves to the chosen folder, or null when cancelled.
   */
  chooseFolder?(title: string): Promise<string | null>;
  /** Desktop app only: shows a run's folder in the file manager; null when it opened, else why not. */
  openRunFolder?(runId: string): Promise<string | null>;
  /** Desktop app only: shows an export (its name in the exports folder) in the file manager. */
  showExport?(name: string): Promise<string | null>;
  /** Asks the user to confirm `message`; true to go on. */
  confirm(message: string): boolean | Promise<boolean>;
  /**
   * The page is the desktop app's window, where a page cannot cancel its closing (Electron
   * silently keeps the window open unless main handles it), so unsaved work relies on autosave.
   */
  readonly desktop: boolean;
}

/** The parts of `window` a Host is built from (a fake one in tests). */
export interface HostEnvironment extends EngineEnvironment {
  netforge?:
    | NetforgeBridge
    | {
        version: string;
        chooseFolder?: NetforgeBridge['chooseFolder'];
        openRunFolder?: NetforgeBridge['openRunFolder'];
        showExport?: NetforgeBridge['showExport'];
      };
  confirm?: (message: string) => boolean;
}

/** The Host of the page: call once, at start-up, with `window`. */
export function createHost(env: HostEnvironment, options: EngineClientOptions = {}): Host {
  const bridge = env.netforge;
  const picker = bridge?.chooseFolder;
  const opener = bridge?.openRunFolder;
  const shower = bridge?.showExport;
  const ask = env.confirm;
  return {
    engine: connectEngine(env, options),
    ...(picker ? { chooseFolder: (title: string) => picker.call(bridge, title) } : {}),
    ...(opener ? { openRunFolder: (runId: string) => opener.call(bridge, runId) } : {}),
    ...(shower ? { showExport: (name: string) => shower.call(bridge, name) } : {}),
    // Without a way to ask (not a browser), nothing is thrown away unasked.
    confirm: (message) => (ask ? ask.call(env, message) : false),
    desktop: bridge !== undefined,
  };
}

/** True when the engine can list, read and write the project folder. */
export const hasProjectFolder = (engine: EngineClient): boolean => engine.transport !== 'none';
