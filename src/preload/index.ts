// Runs sandboxed before the renderer's scripts. The renderer gets exactly what is exposed
// here as `window.netforge`; keep it narrow (no ipcRenderer, no generic send/invoke).
import { contextBridge, ipcRenderer } from 'electron';

import type { NetforgeBridge } from '../shared/bridge.ts';
import type { EventPush } from '../shared/api.ts';

const bridge: NetforgeBridge = {
  version: __NETFORGE_VERSION__,
  // Main validates every request (apiRequestSchema) and the renderer's EngineClient
  // validates every reply, so this only forwards.
  request: (req) => ipcRenderer.invoke('netforge:request', req),
  chooseFolder: (title) => ipcRenderer.invoke('netforge:choose-folder', String(title)),
  openRunFolder: (runId) => ipcRenderer.invoke('netforge:open-run-folder', String(runId)),
  showExport: (name) => ipcRenderer.invoke('netforge:show-export', String(name)),
  // The renderer's EngineClient validates every event (eventPushSchema).
  onEvent: (listener) => {
    const handler = (_event: unknown, push: EventPush) => listener(push);
    ipcRenderer.on('netforge:event', handler);
    return () => void ipcRenderer.off('netforge:event', handler);
  },
};

contextBridge.exposeInMainWorld('netforge', bridge);
