/// <reference types="vite/client" />

import type { NetforgeBridge } from '../shared/bridge.ts';

declare global {
  interface Window {
    /**
     * What src/preload exposes (src/shared/bridge.ts). Undefined in browser mode, where no
     * preload runs; use connectEngine() from ./engine/client.ts rather than this directly.
     */
    readonly netforge?: NetforgeBridge;
  }
}
