// The renderer's only way to the engine: one EngineClient with a generic call() typed by the
// API table (src/shared/api.ts), over two transports. In the desktop app requests go through the
// preload's bridge (`request`, Electron IPC); in browser mode (`netforge serve`) over a
// WebSocket to the local server, authorised by the token in the page's address. Free of React
// so stores, components and tests can all use it.
//
// Nothing here uses DOM or Node types directly: sockets and the environment are described
// structurally, so tests run the same code under Node with the `ws` package.
import {
  API,
  MAX_MESSAGE_BYTES,
  replyWithinMs,
  utf8Bytes,
  apiReplySchema,
  eventPushSchema,
  type ApiReply,
  type ApiRequestInput,
  type EventPush,
  type Method,
  type ParamsInput,
  type Result,
} from '../../shared/api.ts';
import type { NetforgeBridge } from '../../shared/bridge.ts';
import { CodedError, isErrorCode, type ErrorCode } from '../../shared/errors.ts';

export type Transport = 'ipc' | 'websocket' | 'none';

export interface EngineClient {
  readonly transport: Transport;
  /**
   * Calls one method of the API table and resolves to its checked result; rejects with an
   * EngineError carrying the server's code (or the client's own: E_TIMEOUT, E_CONNECT,
   * E_DISCONNECTED, E_CLOSED, E_BAD_REPLY, E_IPC, E_NO_ENGINE).
   *
   * train.start and runs.continue: the run's events come through onEvent, tagged with its runId;
   * the first ones may arrive before the call resolves, so subscribe first.
   */
  call<M extends Method>(method: M, params: ParamsInput<M>): Promise<Result<M>>;
  /**
   * Calls `listener` with every TrainingEvent the engine streams (validated), tagged with its
   * run's id. Returns the function that stops listening. Over the WebSocket, subscribing opens
   * the connection if no request has.
   */
  onEvent(listener: TrainingEventListener): () => void;
  /** Closes the connection; later calls reject with E_CLOSED. */
  close(): void;
  /** A 'none' client only: why this page has no engine and what to do, for the page to show. */
  readonly reason?: string;
}

export type TrainingEventListener = (push: EventPush) => void;

/** Every failure of a client call; `message` is written for the user. */
export class EngineError extends CodedError {
  constructor(code: ErrorCode, message: string) {
    super(code, message);
    this.name = 'EngineError';
  }
}

/** A code the server sent: a registered one as it is; anything else is reported, not trusted. */
function serverError(code: string | undefined, message: string | undefined, method: string) {
  if (isErrorCode(code))
    return new EngineError(code, message ?? `Netforge's engine refused ${method}.`);
  return new EngineError(
    'E_BAD_REPLY',
    `Netforge's engine refused ${method} with an unknown code ${String(code)}: ${message ?? ''}`,
  );
}

export interface EngineClientOptions {
  /** How long a request may wait for its reply (default 20 s). */
  timeoutMs?: number;
  /** WebSocket only: how long opening the connection may take (default 10 s). */
  connectTimeoutMs?: number;
  /** WebSocket only: pause before the one reconnect after a lost connection (default 300 ms). */
  retryDelayMs?: number;
}

/** One request without its id: `{ type: method, ...params }`. */
type RequestBody = { type: Method } & Record<string, unknown>;
/** Sends one request with a fresh id and resolves to its reply, whatever `ok` says. */
type Exchange = (body: RequestBody) => Promise<ApiReply>;

/** Listeners of pushed events; a push that does not match eventPushSchema is dropped. */
function eventHub(onFirst?: () => void) {
  const listeners = new Set<TrainingEventListener>();
  return {
    subscribe(listener: TrainingEventListener): () => void {
      listeners.add(listener);
      onFirst?.();
      return () => void listeners.delete(listener);
    },
    /** Validates one pushed message and hands it to every listener; false if malformed. */
    deliver(raw: unknown): boolean {
      const r = eventPushSchema.safeParse(raw);
      if (!r.success) return false;
      for (const l of listeners) {
        try {
          l(r.data);
        } catch (e) {
          console.error('Netforge: a training event listener failed:', e);
        }
      }
      return true;
    },
  };
}

/** The client over one transport: send, unwrap the reply, check the result against the table. */
function clientOver(
  transport: Transport,
  exchange: Exchange,
  close: () => void,
  onEvent: (listener: TrainingEventListener) => () => void,
): EngineClient {
  async function call<M extends Method>(method: M, params: ParamsInput<M>): Promise<Result<M>> {
    const reply = await exchange({ ...(params as Record<string, unknown>), type: method });
    if (!reply.ok) throw serverError(reply.error?.code, reply.error?.message, method);
    const result = API[method].result.safeParse(reply.result);
    if (!result.success)
      throw new EngineError(
        'E_BAD_REPLY',
        `Netforge's engine sent an unexpected answer to ${method} (${result.error.issues[0]?.message}). ` +
          'The app and the engine may come from different versions: restart Netforge.',
      );
    return result.data as Result<M>;
  }
  return { transport, call, onEvent, close };
}

/** How long a request waits for its reply: the client's bound, or longer for slow methods. */
const waitFor = (type: Method, timeoutMs: number): number =>
  Math.max(timeoutMs, replyWithinMs(type) ?? 0);

function checkReply(raw: unknown, type: string): ApiReply {
  const r = apiReplySchema.safeParse(raw);
  if (!r.success)
    throw new EngineError('E_BAD_REPLY', `Netforge's engine sent a malformed reply to ${type}.`);
  return r.data;
}

function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => EngineError) {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(onTimeout()), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

// ---- Electron IPC ----

export function createIpcClient(bridge: NetforgeBridge, options: EngineClientOptions = {}) {
  const timeoutMs = options.timeoutMs ?? 20_000;
  let nextId = 1;
  let closed = false;
  const exchange: Exchange = async (body) => {
    if (closed) throw new EngineError('E_CLOSED', 'This engine connection was closed.');
    const request = { ...body, id: nextId++ } as ApiRequestInput;
    const sent = bridge.request(request).catch((e: unknown) => {
      throw new EngineError('E_IPC', `Netforge's main process failed: ${(e as Error).message}`);
    });
    const within = waitFor(body.type, timeoutMs);
    const raw = await withTimeout(
      sent,
      within,
      () =>
        new EngineError(
          'E_TIMEOUT',
          `Netforge's main process did not answer ${body.type} within ${within / 1000} s. Restart Netforge if this persists.`,
        ),
    );
    return checkReply(raw, body.type);
  };
  const hub = eventHub(() => {
    if (unsubscribe || closed || !bridge.onEvent) return;
    unsubscribe = bridge.onEvent((push) => {
      if (!hub.deliver(push))
        console.warn('Netforge: ignored a malformed event from the main process.');
    });
  });
  let unsubscribe: (() => void) | null = null;
  return clientOver(
    'ipc',
    exchange,
    () => {
      closed = true;
      unsubscribe?.();
      unsubscribe = null;
    },
    (listener) => hub.subscribe(listener),
  );
}

// ---- WebSocket (browser mode) ----

/** What the client needs of a WebSocket: the browser's and the `ws` package's both fit. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

const OPEN = 1;

interface Pending {
  resolve: (reply: ApiReply) => void;
  reject: (e: EngineError) => void;
  timer: ReturnType<typeof setTimeout>;
  type: string;
}

/**
 * Connects on the first request. If the connection fails or drops, it tries once more right
 * away; if that fails too, every later call rejects with E_CONNECT (never connected: wrong
 * address or token, or no server) or E_DISCONNECTED (the server went away, or was restarted
 * with a new token, so the page must be reopened). Requests in flight when the connection
 * drops reject with E_DISCONNECTED: the caller decides whether to retry them.
 */
export function createWebSocketClient(
  url: string,
  createSocket: (url: string) => SocketLike,
  options: EngineClientOptions = {},
): EngineClient {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
  const retryDelayMs = options.retryDelayMs ?? 300;
  const where = url.replace(/\?.*$/, '');
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let socket: SocketLike | null = null;
  /** The socket being opened, so close() can stop it. */
  let connecting: SocketLike | null = null;
  let opening: Promise<SocketLike> | null = null;
  let retried = false;
  let everOpened = false;
  let dead: EngineError | null = null;
  let closed = false;
  // Subscribing opens the connection, so events reach a page that has not asked anything yet.
  const hub = eventHub(() => void connect().catch(() => {}));

  const gone = () =>
    new EngineError(
      'E_DISCONNECTED',
      `Lost the connection to Netforge's server (${where}) and could not reconnect. Check that ` +
        '`netforge serve` is still running; if it was restarted, open the new address it printed ' +
        '(the token changes on every start).',
    );

  const unreachable = () =>
    new EngineError(
      'E_CONNECT',
      `Could not connect to Netforge's server at ${where}. Check that \`netforge serve\` is ` +
        'running and that this page is the address it printed, token included.',
    );
  /** What every call rejects with once the one retry has failed too. */
  const giveUp = () => (dead = everOpened ? gone() : unreachable());

  const dropped = () =>
    new EngineError(
      'E_DISCONNECTED',
      "The connection to Netforge's server closed before it answered. Try again.",
    );

  function rejectAll(error: () => EngineError) {
    for (const [id, p] of pending) {
      clearTimeout(p.timer);
      pending.delete(id);
      p.reject(error());
    }
  }

  function open(): Promise<SocketLike> {
    return new Promise((resolve, reject) => {
      const ws = createSocket(url);
      connecting = ws;
      let opened = false;
      const timer = setTimeout(() => ws.close(), connectTimeoutMs);
      ws.onopen = () => {
        clearTimeout(timer);
        if (connecting === ws) connecting = null;
        if (closed) {
          ws.close(1000, 'closed by the app');
          reject(new EngineError('E_CLOSED', 'This connection was closed.'));
          return;
        }
        opened = true;
        everOpened = true;
        socket = ws;
        retried = false;
        resolve(ws);
      };
      ws.onmessage = (event) => receive(event.data);
      ws.onerror = () => {}; // a close event always follows, with more to go on
      ws.onclose = () => {
        clearTimeout(timer);
        if (connecting === ws) connecting = null;
        if (!opened) {
          reject(unreachable());
          return;
        }
        // Not current: replaced by connect() while it was closing, or closed by close().
        if (socket !== ws) return;
        socket = null;
        rejectAll(dropped);
        if (!closed) reconnect().catch(() => {});
      };
    });
  }

  /** Starts the one retry, or marks the client dead. Requests meanwhile wait for it. */
  function reconnect(): Promise<SocketLike> {
    if (closed) return Promise.reject(new EngineError('E_CLOSED', 'This connection was closed.'));
    if (retried) return Promise.reject(giveUp());
    retried = true;
    const attempt = new Promise<void>((r) => setTimeout(r, retryDelayMs))
      .then(open)
      .catch((e: unknown) => {
        throw closed ? e : giveUp();
      })
      .finally(() => {
        if (opening === attempt) opening = null;
      });
    attempt.catch(() => {}); // nobody may be waiting on it
    opening = attempt;
    return attempt;
  }

  function connect(): Promise<SocketLike> {
    if (closed) return Promise.reject(new EngineError('E_CLOSED', 'This connection was closed.'));
    if (dead) return Promise.reject(dead);
    if (socket && socket.readyState === OPEN) return Promise.resolve(socket);
    if (opening) return opening;
    if (socket) {
      // Closing, and its close event has not arrived yet: that counts as the drop.
      socket = null;
      rejectAll(dropped);
      return reconnect();
    }
    const first = open()
      .catch(() => reconnect())
      .finally(() => {
        if (opening === first) opening = null;
      });
    opening = first;
    return first;
  }

  function receive(data: unknown) {
    if (typeof data !== 'string') return;
    let raw: unknown;
    try {
      raw = JSON.parse(data);
    } catch {
      return;
    }
    if ((raw as { type?: unknown } | null)?.type === 'event') {
      if (!hub.deliver(raw)) console.warn('Netforge: ignored a malformed event from the server.');
      return;
    }
    const id = (raw as { id?: unknown } | null)?.id;
    const p = typeof id === 'number' ? pending.get(id) : undefined;
    if (!p) return; // e.g. the answer to a request that already timed out
    clearTimeout(p.timer);
    pending.delete(id as number);
    try {
      p.resolve(checkReply(raw, p.type));
    } catch (e) {
      p.reject(
        e instanceof EngineError
          ? e
          : new EngineError('E_BAD_REPLY', `Could not read the server's reply: ${String(e)}`),
      );
    }
  }

  const exchange: Exchange = async (body) => {
    const ws = await connect();
    const id = nextId++;
    const within = waitFor(body.type, timeoutMs);
    return new Promise<ApiReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(
          new EngineError(
            'E_TIMEOUT',
            `Netforge's server did not answer ${body.type} within ${within / 1000} s. ` +
              'Check that `netforge serve` is still running in its terminal.',
          ),
        );
      }, within);
      const text = JSON.stringify({ ...body, id });
      if (text.length > MAX_MESSAGE_BYTES / 3 && utf8Bytes(text) > MAX_MESSAGE_BYTES) {
        // The server would close the connection on such a frame: say so instead.
        clearTimeout(timer);
        reject(
          new EngineError(
            'E_BAD_REQUEST',
            `This ${body.type} request is ${(utf8Bytes(text) / 2 ** 20).toFixed(0)} MiB, more than the ` +
              `${MAX_MESSAGE_BYTES / 2 ** 20} MiB Netforge's server takes. Make the project smaller (e.g. fewer layers).`,
          ),
        );
        return;
      }
      pending.set(id, { resolve, reject, timer, type: body.type });
      try {
        ws.send(text);
      } catch (e) {
        clearTimeout(timer);
        pending.delete(id);
        reject(new EngineError('E_DISCONNECTED', `Could not send ${body.type}: ${String(e)}`));
      }
    });
  };

  return clientOver(
    'websocket',
    exchange,
    () => {
      closed = true;
      socket?.close(1000, 'closed by the app');
      connecting?.close(1000, 'closed by the app');
      socket = null;
      rejectAll(() => new EngineError('E_CLOSED', 'This connection was closed.'));
    },
    (listener) => hub.subscribe(listener),
  );
}

// ---- Choosing a transport ----

/** The parts of `window` that connectEngine looks at (a fake one in tests). */
export interface EngineEnvironment {
  netforge?: NetforgeBridge | { version: string };
  location?: { protocol: string; host: string; search: string };
  WebSocket?: new (url: string) => unknown;
}

/** A client whose every call rejects with E_NO_ENGINE and the given explanation. */
export function createNoneClient(reason: string): EngineClient {
  return {
    transport: 'none',
    reason,
    call: () => Promise.reject(new EngineError('E_NO_ENGINE', reason)),
    onEvent: () => () => {},
    close: () => {},
  };
}

/**
 * The engine client for where this page runs: IPC in the desktop app, the WebSocket in browser
 * mode (page served by `netforge serve`, token in the address), else a 'none' client that
 * explains what is missing. The page's Host (src/renderer/host/host.ts) calls it once, at
 * start-up, with `window`; everything else uses that Host's client.
 */
export function connectEngine(
  env: EngineEnvironment,
  options: EngineClientOptions = {},
): EngineClient {
  const bridge = env.netforge;
  if (bridge && 'request' in bridge && typeof bridge.request === 'function')
    return createIpcClient(bridge, options);
  const location = env.location;
  const WebSocketCtor = env.WebSocket;
  if (location && /^https?:$/.test(location.protocol) && WebSocketCtor) {
    const token = new URLSearchParams(location.search).get('token');
    if (!token)
      return createNoneClient(
        'This link lacks its access token, so the page cannot reach Netforge. Open the full ' +
          'address that `netforge serve` printed in its terminal, under "Open this address in ' +
          'a browser" (it ends in ?token=...). For an address that stays the same across ' +
          'restarts, start it with `netforge serve --keep-token --port N`.',
      );
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const url = `${scheme}//${location.host}/ws?token=${encodeURIComponent(token)}`;
    return createWebSocketClient(url, (u) => new WebSocketCtor(u) as SocketLike, options);
  }
  return createNoneClient(
    "Netforge's engine is not available on this page. Start the desktop app (`npm start`) or " +
      'browser mode (`netforge serve`) and use the window or address it opens.',
  );
}
