// Runs sandboxed before the renderer's scripts. The renderer gets exactly what is exposed
// here as `window.netforge`; keep it narrow (no ipcRenderer, no generic send/invoke).
import { contextBridge } from 'electron';

/**
 * Mirrors the `NetforgeBridge` type declared for the renderer in src/renderer/env.d.ts.
 * Both move to the engine protocol in src/shared once it lands.
 */
interface NetforgeBridge {
  /** Netforge's version, from package.json. */
  readonly version: string;
}

const bridge: NetforgeBridge = { version: __NETFORGE_VERSION__ };

contextBridge.exposeInMainWorld('netforge', bridge);
