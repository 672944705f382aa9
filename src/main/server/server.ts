// Browser mode: serves the built renderer and answers the engine API over a WebSocket, on
// 127.0.0.1 only. The page URL carries a token made for this run; the WebSocket refuses any
// connection without it, so other users and web pages on the machine cannot drive the engine.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';

import { WebSocketServer, type WebSocket } from 'ws';

import { handleMessage, type RequestContext } from '../api/handlers.ts';
import { MAX_MESSAGE_BYTES } from '../../shared/api.ts';
import { TrainingService } from '../api/training-service.ts';

export interface ServerOptions {
  /** Only the loopback address: browser mode is never reachable from the network. */
  host?: '127.0.0.1';
  /** 0 (the default) picks a free port. */
  port?: number;
  /** The built renderer (out/renderer), holding index.html. */
  rendererDir: string;
  projectsDir: string;
  /** Where training runs go (default: $NETFORGE_RUNS_DIR or ~/Netforge/runs). */
  runsDir?: string;
  /** Where export.write writes (default: $NETFORGE_EXPORTS_DIR or ~/Netforge/exports). */
  exportsDir?: string;
  /**
   * The training service to use (tests); by default the server makes its own from `runsDir`
   * and ends it on close().
   */
  training?: TrainingService;
  /** For tests; normally 32 random bytes as hex, made for each run. */
  token?: string;
}

export interface RunningServer {
  /** The page to open: http://127.0.0.1:PORT/?token=TOKEN */
  url: string;
  token: string;
  port: number;
  /** The training service the server answers with (its own unless one was given). */
  training: TrainingService;
  /**
   * Stops serving, then (when the training service is the server's own) ends it: a run in
   * progress stops after its current batch and saves a checkpoint at that step, within the
   * engine host's bounds (EngineHost.close).
   */
  close(): Promise<void>;
}

export const WS_PATH = '/ws';

/** Pings keep SSH tunnels and proxies from dropping an idle connection, and find dead peers. */
const HEARTBEAT_MS = 30_000;

export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
};

/**
 * Hostnames the page may be loaded under. Checking the Host header defeats DNS rebinding (a
 * web page whose domain re-resolves to 127.0.0.1). The port is not checked: through an SSH
 * tunnel the browser may use a different local port.
 */
const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);

function isLoopbackHost(host: string | undefined): boolean {
  if (!host) return false;
  try {
    return LOOPBACK_NAMES.has(new URL(`http://${host}`).hostname);
  } catch {
    return false;
  }
}

function tokenMatches(given: string | null, token: string): boolean {
  if (given === null) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  if (host !== '127.0.0.1')
    throw new Error(`Browser mode listens on 127.0.0.1 only (asked for ${String(host)}).`);
  const token = options.token ?? randomBytes(32).toString('hex');
  const root = await realpath(options.rendererDir);
  const ownTraining = options.training === undefined;
  const training = options.training ?? new TrainingService({ runsDir: options.runsDir });
  const ctx: RequestContext = {
    projectsDir: options.projectsDir,
    training,
    ...(options.exportsDir ? { exportsDir: options.exportsDir } : {}),
  };

  const server = createServer((req, res) => {
    serveStatic(root, req, res).catch((e: unknown) => {
      if (!res.headersSent) send(res, 500, `Internal error: ${(e as Error).message}`);
      else res.destroy();
    });
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  const alive = new WeakMap<WebSocket, boolean>();

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // A peer may reset the connection at any moment; that must not become an uncaught error.
    socket.on('error', () => socket.destroy());
    const refuse = (status: number, reason: string) => {
      socket.end(
        `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain\r\n` +
          `Content-Length: ${Buffer.byteLength(reason)}\r\n\r\n${reason}`,
      );
    };
    // Checked before anything else, token included: any bytes may arrive here.
    const url = requestUrl(req.url);
    if (!url) return refuse(400, 'Bad Request');
    if (url.pathname !== WS_PATH) return refuse(404, 'Not Found');
    if (!isLoopbackHost(req.headers.host)) return refuse(403, 'Forbidden');
    // Browsers always send Origin; it must be one of our own pages. Node clients send none.
    const origin = req.headers.origin;
    if (origin !== undefined && !isLoopbackHost(originHost(origin)))
      return refuse(403, 'Forbidden');
    if (!tokenMatches(url.searchParams.get('token'), token)) return refuse(401, 'Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  // ws reports a bad frame (too large, invalid UTF-8, unmasked, reserved bits or opcodes) as an
  // 'error' and closes that connection with the matching code; only that one connection ends.
  wss.on('error', () => {});
  wss.on('connection', (ws: WebSocket) => {
    ws.on('error', () => ws.terminate());
    alive.set(ws, true);
    ws.on('pong', () => alive.set(ws, true));
    ws.on('message', (data, isBinary) => {
      const text = isBinary ? '' : data.toString();
      void (async () => {
        const reply = isBinary
          ? {
              id: 0,
              ok: false,
              error: { code: 'E_BAD_REQUEST', message: 'Send requests as JSON text frames.' },
            }
          : await handleMessage(text, ctx);
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(reply));
      })();
    });
  });

  // Every connection gets the events of the run in progress, whichever one started it (the
  // same user's other tab, or the page before a reload).
  const unsubscribe = training.subscribe((push) => {
    const text = JSON.stringify(push);
    for (const ws of wss.clients) if (ws.readyState === ws.OPEN) ws.send(text);
  });

  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      if (!alive.get(ws)) {
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      ws.ping();
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  const port = (server.address() as AddressInfo).port;

  let closing: Promise<void> | null = null;
  const close = () => {
    closing ??= new Promise<void>((resolveClose) => {
      clearInterval(heartbeat);
      unsubscribe();
      for (const ws of wss.clients) ws.close(1001, 'Netforge is shutting down');
      wss.close();
      server.close(() => {
        if (ownTraining) void training.close().then(() => resolveClose());
        else resolveClose();
      });
      server.closeAllConnections();
      // Clients that do not finish the closing handshake promptly are cut off.
      setTimeout(() => {
        for (const ws of wss.clients) ws.terminate();
      }, 1000).unref();
    });
    return closing;
  };

  return { url: `http://127.0.0.1:${port}/?token=${token}`, token, port, training, close };
}

/**
 * A request target as a URL, or null when it is not one. Only origin-form targets ("/path?q")
 * are taken: an absolute or authority form ("http://a:99999/ws", "//[") is refused, and so is
 * anything the URL parser throws on.
 */
export function requestUrl(target: string | undefined): URL | null {
  if (!target || !target.startsWith('/') || target.startsWith('//')) return null;
  try {
    return new URL(target, 'http://127.0.0.1');
  } catch {
    return null;
  }
}

function originHost(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}

function send(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(text);
}

/** Maps a request path to a file inside root, or null for anything that would leave it. */
export function resolveInside(root: string, pathname: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const rel = decoded === '/' ? 'index.html' : decoded.replace(/^\/+/, '');
  const file = resolve(root, rel);
  const fromRoot = relative(root, file);
  if (fromRoot === '' || fromRoot.startsWith('..') || isAbsolute(fromRoot)) return null;
  return file;
}

async function serveStatic(root: string, req: IncomingMessage, res: ServerResponse) {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return send(res, 405, 'Method Not Allowed');
  }
  if (!isLoopbackHost(req.headers.host)) return send(res, 403, 'Forbidden');
  const url = requestUrl(req.url);
  if (!url) return send(res, 400, 'Bad Request');
  const pathname = url.pathname;
  const file = resolveInside(root, pathname);
  if (!file) return send(res, 404, 'Not Found');
  let real: string;
  let size: number;
  try {
    // Symlinks must not lead out of the renderer folder either.
    real = await realpath(file);
    const s = await stat(real);
    if (!real.startsWith(root + sep) || !s.isFile()) return send(res, 404, 'Not Found');
    size = s.size;
  } catch {
    // Browsers ask for /favicon.ico on their own; without one, say so quietly (no 404 in the
    // page's console).
    if (pathname === '/favicon.ico') return void res.writeHead(204).end();
    return send(res, 404, 'Not Found');
  }
  res.writeHead(200, {
    'Content-Type': CONTENT_TYPES[extname(real).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': size,
    'X-Content-Type-Options': 'nosniff',
    // The page URL holds the token; never pass it on to another site.
    'Referrer-Policy': 'no-referrer',
    // No other site may frame the app (index.html's own CSP cannot say this in a <meta>).
    'Content-Security-Policy': "frame-ancestors 'none'",
    'X-Frame-Options': 'DENY',
    // Vite names assets by content hash; index.html must be fetched fresh after a rebuild.
    'Cache-Control': pathname.startsWith('/assets/')
      ? 'public, max-age=31536000, immutable'
      : 'no-cache',
  });
  if (req.method === 'HEAD') return void res.end();
  createReadStream(real)
    .on('error', () => res.destroy())
    .pipe(res);
}
