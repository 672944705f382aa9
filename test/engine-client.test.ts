// The renderer's EngineClient under Node: which transport connectEngine picks, and the
// WebSocket and IPC transports against the real request handler, with the failures a user can
// meet (wrong token, server gone, no answer, dropped connection).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';

import { handleRequest } from '../src/main/api/handlers.ts';
import { startServer, type RunningServer } from '../src/main/server/server.ts';
import {
  connectEngine,
  createIpcClient,
  createWebSocketClient,
  EngineError,
  type EngineClient,
  type EngineClientOptions,
  type SocketLike,
} from '../src/renderer/engine/client.ts';
import type { NetforgeBridge } from '../src/shared/bridge.ts';
import { newProject, parseProject, serializeProject } from '../src/shared/project.ts';
import type { ApiRequest, EventPush } from '../src/shared/api.ts';
import { getTemplate } from '../src/shared/templates/index.ts';

const socket = (url: string) => new WebSocket(url) as unknown as SocketLike;
const lenetText = serializeProject(newProject(getTemplate('lenet5')!.build(), 'LeNet'));

let base = '';
let server: RunningServer;
const clients: EngineClient[] = [];
const fakes: WebSocketServer[] = [];

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'netforge-client-'));
  server = await startServer({ rendererDir: tmpdir(), projectsDir: join(base, 'projects') });
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(fakes.splice(0).map((f) => new Promise((r) => f.close(r))));
});
afterAll(async () => {
  await server?.close();
  await rm(base, { recursive: true, force: true });
});

function wsClient(url: string, options: EngineClientOptions = {}): EngineClient {
  const c = createWebSocketClient(url, socket, { retryDelayMs: 10, ...options });
  clients.push(c);
  return c;
}

/** A stand-in server: answers hello unless `silent`, and counts connections. */
async function fakeServer(silent = false) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  fakes.push(wss);
  await new Promise((r) => wss.once('listening', r));
  const state = { connections: 0, sockets: [] as WebSocket[] };
  wss.on('connection', (ws) => {
    state.connections++;
    state.sockets.push(ws);
    ws.on('message', (data) => {
      const req = JSON.parse(data.toString()) as ApiRequest;
      if (!silent)
        ws.send(
          JSON.stringify({ id: req.id, ok: true, result: { version: '9.9.9', projectsDir: '/p' } }),
        );
    });
  });
  const { port } = wss.address() as { port: number };
  return { url: `ws://127.0.0.1:${port}/ws?token=t`, state, wss };
}

async function rejection(p: Promise<unknown>): Promise<EngineError> {
  const e = await p.then(
    () => new Error('expected a rejection'),
    (e: unknown) => e,
  );
  expect(e).toBeInstanceOf(EngineError);
  return e as EngineError;
}

describe('connectEngine', () => {
  const location = (protocol: string, search: string) => ({
    protocol,
    host: '127.0.0.1:4321',
    search,
  });

  it('uses IPC when the preload exposes request()', () => {
    const bridge: NetforgeBridge = { version: '1', request: () => new Promise(() => {}) };
    const c = connectEngine({ netforge: bridge, location: location('file:', '') });
    expect(c.transport).toBe('ipc');
  });

  it('uses the WebSocket on a page served with a token, at /ws on the same host', async () => {
    const urls: string[] = [];
    class FakeSocket {
      onclose: (() => void) | null = null;
      constructor(url: string) {
        urls.push(url);
      }
      close() {
        this.onclose?.();
      }
    }
    const c = connectEngine({
      location: location('http:', '?token=abc123'),
      WebSocket: FakeSocket,
    });
    expect(c.transport).toBe('websocket');
    const hello = c.call('hello', {});
    expect(urls).toEqual(['ws://127.0.0.1:4321/ws?token=abc123']);
    c.close();
    expect((await rejection(hello)).code).toBe('E_CLOSED');
    expect(urls).toHaveLength(1); // closing stopped the connection without a retry
  });

  it('gives a none client that explains the missing token', async () => {
    const c = connectEngine({ location: location('http:', ''), WebSocket: class {} });
    expect(c.transport).toBe('none');
    const e = await rejection(c.call('projects.list', {}));
    expect(e.code).toBe('E_NO_ENGINE');
    expect(e.message).toMatch(/This link lacks its access token/);
    expect(e.message).toContain('`netforge serve --keep-token --port N`');
    expect(c.reason).toBe(e.message); // what the page shows where Start is
    expect((await rejection(c.call('runs.list', {}))).code).toBe('E_NO_ENGINE');
    expect((await rejection(c.call('train.stop', { runId: 'run' }))).code).toBe('E_NO_ENGINE');
    const off = c.onEvent(() => {});
    expect(off).toBeTypeOf('function');
    off();
  });

  it('gives a none client where there is neither a preload nor a server', async () => {
    const c = connectEngine({ netforge: { version: '1' }, location: location('file:', '') });
    expect(c.transport).toBe('none');
    expect((await rejection(c.call('hello', {}))).message).toMatch(/netforge serve/);
  });
});

describe('WebSocket client', () => {
  const goodUrl = () => `ws://127.0.0.1:${server.port}/ws?token=${server.token}`;

  it('says hello, saves, lists and reads projects through the real server', async () => {
    const c = wsClient(goodUrl());
    expect(c.transport).toBe('websocket');
    expect(await c.call('hello', {})).toMatchObject({ projectsDir: join(base, 'projects') });
    await c.call('projects.write', { name: 'client test', text: lenetText });
    expect((await c.call('projects.list', {})).map((p) => p.name)).toContain('client test');
    expect(parseProject((await c.call('projects.read', { name: 'client test' })).text).name).toBe(
      'LeNet',
    );
  });

  it('runs requests side by side over one connection', async () => {
    const c = wsClient(goodUrl());
    const results = await Promise.all([
      c.call('hello', {}),
      c.call('projects.list', {}),
      c.call('hello', {}),
    ]);
    expect(results).toHaveLength(3);
  });

  it("turns the server's error replies into EngineErrors with the same code", async () => {
    const c = wsClient(goodUrl());
    const e = await rejection(c.call('projects.read', { name: 'no such project' }));
    expect(e.code).toBe('E_NOT_FOUND');
    expect(e.message).toContain('"no such project"');
    expect(
      (await rejection(c.call('projects.write', { name: '../x', text: lenetText }))).code,
    ).toBe('E_BAD_REQUEST');
  });

  it('a wrong token is E_CONNECT, saying to open the printed address', async () => {
    const c = wsClient(`ws://127.0.0.1:${server.port}/ws?token=wrong`);
    const e = await rejection(c.call('hello', {}));
    expect(e.code).toBe('E_CONNECT');
    expect(e.message).toMatch(/token included/);
    expect(e.message).not.toContain('wrong'); // the address is shown without its token
    expect((await rejection(c.call('hello', {}))).code).toBe('E_CONNECT');
  });

  it('a request without an answer times out with E_TIMEOUT', async () => {
    const fake = await fakeServer(true);
    const c = wsClient(fake.url, { timeoutMs: 150 });
    const e = await rejection(c.call('hello', {}));
    expect(e.code).toBe('E_TIMEOUT');
    expect(e.message).toMatch(/did not answer hello within 0.15 s/);
  });

  it('reconnects once after the connection drops', async () => {
    const fake = await fakeServer();
    const c = wsClient(fake.url);
    expect((await c.call('hello', {})).version).toBe('9.9.9');
    fake.state.sockets[0]!.terminate();
    await new Promise((r) => setTimeout(r, 100));
    expect((await c.call('hello', {})).version).toBe('9.9.9');
    expect(fake.state.connections).toBe(2);
  });

  it('rejects requests in flight when the connection drops', async () => {
    const fake = await fakeServer(true);
    const c = wsClient(fake.url);
    const inFlight = c.call('hello', {});
    await new Promise((r) => setTimeout(r, 100));
    fake.state.sockets[0]!.terminate();
    expect((await rejection(inFlight)).code).toBe('E_DISCONNECTED');
  });

  it('gives up with E_DISCONNECTED when the server is gone for good', async () => {
    const fake = await fakeServer();
    const c = wsClient(fake.url);
    await c.call('hello', {});
    for (const ws of fake.state.sockets) ws.terminate();
    await new Promise<void>((r) => fake.wss.close(() => r()));
    fakes.splice(fakes.indexOf(fake.wss), 1);
    await new Promise((r) => setTimeout(r, 100));
    const e = await rejection(c.call('hello', {}));
    expect(e.code).toBe('E_DISCONNECTED');
    expect(e.message).toMatch(/could not reconnect.*netforge serve/);
  });

  it('after close() every call is E_CLOSED', async () => {
    const c = wsClient(goodUrl());
    await c.call('hello', {});
    c.close();
    expect((await rejection(c.call('projects.list', {}))).code).toBe('E_CLOSED');
  });
});

describe('IPC client', () => {
  const projectsDir = () => join(base, 'ipc-projects');
  /** What the preload + main do, minus Electron: straight to handleRequest. */
  const bridge = (): NetforgeBridge => ({
    version: '0.0.0',
    request: (req) => handleRequest(structuredClone(req), { projectsDir: projectsDir() }),
  });

  it('saves, lists and reads projects through handleRequest', async () => {
    const c = createIpcClient(bridge());
    expect(c.transport).toBe('ipc');
    await c.call('projects.write', { name: 'ipc', text: lenetText });
    expect(await c.call('projects.list', {})).toEqual([expect.objectContaining({ name: 'ipc' })]);
    expect((await c.call('projects.read', { name: 'ipc' })).text).toBe(lenetText);
    expect((await rejection(c.call('projects.read', { name: 'gone' }))).code).toBe('E_NOT_FOUND');
  });

  it('a malformed reply is E_BAD_REPLY; a broken IPC channel is E_IPC', async () => {
    const odd = createIpcClient({ version: '1', request: async () => ({ nope: 1 }) as never });
    expect((await rejection(odd.call('hello', {}))).code).toBe('E_BAD_REPLY');
    const wrongResult = createIpcClient({
      version: '1',
      request: async (req) => ({ id: req.id, ok: true, result: { text: 5 } }),
    });
    expect((await rejection(wrongResult.call('projects.read', { name: 'x' }))).code).toBe(
      'E_BAD_REPLY',
    );
    const broken = createIpcClient({
      version: '1',
      request: () => Promise.reject(new Error('channel closed')),
    });
    const e = await rejection(broken.call('hello', {}));
    expect(e.code).toBe('E_IPC');
    expect(e.message).toContain('channel closed');
  });

  it('passes on valid pushed events until unsubscribed, and drops malformed ones', async () => {
    let emit: ((push: EventPush) => void) | null = null;
    let detached = false;
    const c = createIpcClient({
      version: '1',
      request: () => new Promise(() => {}),
      onEvent: (listener) => {
        emit = listener;
        return () => (detached = true);
      },
    });
    const got: EventPush[] = [];
    const off = c.onEvent((p) => got.push(p));
    const push: EventPush = {
      type: 'event',
      runId: 'tiny-1',
      event: { type: 'status', state: 'paused', step: 3 },
    };
    emit!(push);
    emit!({ type: 'event', runId: 'tiny-1', event: { type: 'nonsense' } } as never);
    expect(got).toEqual([push]);
    off();
    emit!(push);
    expect(got).toHaveLength(1);
    c.close();
    expect(detached).toBe(true);
  });

  it('answers runs.list through handleRequest without training as E_NO_TRAINING', async () => {
    const c = createIpcClient(bridge());
    expect((await rejection(c.call('runs.list', {}))).code).toBe('E_NO_TRAINING');
    expect((await rejection(c.call('train.pause', { runId: 'x' }))).code).toBe('E_NO_TRAINING');
  });

  it('times out when main does not answer', async () => {
    const c = createIpcClient(
      { version: '1', request: () => new Promise(() => {}) },
      {
        timeoutMs: 50,
      },
    );
    expect((await rejection(c.call('projects.list', {}))).code).toBe('E_TIMEOUT');
  });

  it('waits longer for an export than for other requests (it takes seconds)', async () => {
    const result = { format: 'onnx', path: '/x/a.onnx', files: ['a.onnx'], trained: false };
    const c = createIpcClient(
      {
        version: '1',
        request: (req) =>
          req.type === 'export.write'
            ? new Promise((r) => setTimeout(() => r({ id: req.id, ok: true, result }), 300))
            : new Promise(() => {}),
      },
      { timeoutMs: 50 },
    );
    expect((await rejection(c.call('hello', {}))).code).toBe('E_TIMEOUT');
    expect(
      await c.call('export.write', {
        graph: getTemplate('lenet5')!.build(),
        format: 'onnx',
        name: 'a.onnx',
      }),
    ).toEqual(result);
  });
});
