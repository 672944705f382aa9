/// <reference types="vite/client" />

/**
 * What src/preload exposes as `window.netforge` (mirrored there). It is undefined in browser
 * mode, where no preload runs. Both copies move to the engine protocol in src/shared.
 */
interface NetforgeBridge {
  readonly version: string;
}

interface Window {
  readonly netforge?: NetforgeBridge;
}
