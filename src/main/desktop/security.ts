// The desktop app's security decisions, kept apart from index.ts so that they run (and are
// tested) in plain Node: no electron import here.
import { pathToFileURL } from 'node:url';

/**
 * The switch `npm run dev` passes to Electron (package.json: `electron-vite dev --
 * --netforge-dev-server`). electron-vite sets ELECTRON_RENDERER_URL for the dev server it
 * started, but an environment variable may come from anywhere; the app loads its page from that
 * address only when started unpackaged by that script.
 */
export const DEV_SERVER_SWITCH = '--netforge-dev-server';

/** Hosts a dev server of this machine listens on; a page from anywhere else is never loaded. */
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * The dev server's address to load the page from, or undefined to load the built page: only in
 * an unpackaged app started with DEV_SERVER_SWITCH, and only an http(s) address on this machine.
 */
export function devServerUrl(o: {
  isPackaged: boolean;
  argv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
}): string | undefined {
  const raw = o.env['ELECTRON_RENDERER_URL'];
  if (o.isPackaged || !raw || !o.argv.includes(DEV_SERVER_SWITCH)) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !LOOPBACK.has(url.hostname))
    return undefined;
  return url.href;
}

/**
 * Is `url` (a frame's address) Netforge's own page? The built page: exactly the file
 * rendererIndex (any query or fragment). Under `npm run dev`: the dev server's origin, compared
 * as an origin (scheme, host and port), so that http://localhost:51730 or
 * http://localhost:5173.evil.example never pass for http://localhost:5173.
 */
export function isOwnPage(
  url: string,
  devServer: string | undefined,
  rendererIndex: string,
): boolean {
  let page: URL;
  try {
    page = new URL(url);
  } catch {
    return false;
  }
  if (page.protocol === 'file:') {
    const index = pathToFileURL(rendererIndex);
    return page.host === index.host && page.pathname === index.pathname;
  }
  if (devServer === undefined) return false;
  let dev: URL;
  try {
    dev = new URL(devServer);
  } catch {
    return false;
  }
  // Only http(s) origins: every file: or data: URL has the same opaque origin "null".
  return (dev.protocol === 'http:' || dev.protocol === 'https:') && page.origin === dev.origin;
}

/**
 * Web permissions (camera, microphone, notifications, geolocation, clipboard reads, MIDI, HID,
 * serial, USB...) the app grants its pages: none. Netforge's page uses none of them, so a
 * request or a check for any of them is refused, whoever asks.
 */
export const GRANTED_PERMISSIONS: ReadonlySet<string> = new Set();

export function permissionGranted(permission: string): boolean {
  return GRANTED_PERMISSIONS.has(permission);
}

/**
 * The 'will-quit' handler: the first quit is held (event.preventDefault) until `close` has
 * finished or `maxWaitMs` has passed, then `quit` is called again, which then goes through. A
 * training run in progress is asked to stop with a checkpoint meanwhile (TrainingService.close).
 */
export function quitAfter(
  close: () => Promise<void>,
  quit: () => void,
  maxWaitMs: number,
): (event: { preventDefault(): void }) => void {
  let state: 'running' | 'closing' | 'closed' = 'running';
  return (event) => {
    if (state === 'closed') return;
    event.preventDefault();
    if (state === 'closing') return;
    state = 'closing';
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, maxWaitMs)));
    const closed = close().catch((e: unknown) => console.error('Netforge: closing failed:', e));
    void Promise.race([closed, bound]).then(() => {
      clearTimeout(timer);
      state = 'closed';
      quit();
    });
  };
}
