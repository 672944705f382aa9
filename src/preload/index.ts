// Runs sandboxed before the renderer's scripts. The renderer gets exactly what is exposed
// here as `window.netforge`; keep it narrow (no ipcRenderer, no generic send/invoke).
import { contextBridge, ipcRenderer } from 'electron';

import type { NetforgeBridge } from '../shared/bridge.ts';

const bridge: NetforgeBridge = {
  version: __NETFORGE_VERSION__,
  // Main validates every request (clientRequestSchema) and the renderer's EngineClient
  // validates every reply, so this only forwards.
  request: (req) => ipcRenderer.invoke('netforge:request', req),
};

contextBridge.exposeInMainWorld('netforge', bridge);
