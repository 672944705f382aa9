// Browser mode's server under Node: static files with the right types and nothing outside the
// renderer folder, a WebSocket that needs the run's token, and the engine API over it.
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ended, nextEvent, outline, sleep, TWO_EPOCH_RUN } from './helpers/training-events.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';

import { startServer, type RunningServer } from '../src/main/server/server.ts';
import { TrainingService } from '../src/main/api/training-service.ts';
import {
  createWebSocketClient,
  type EngineClient,
  type SocketLike,
} from '../src/renderer/engine/client.ts';
import { newProject, serializeProject } from '../src/shared/project.ts';
import { eventPushSchema, type EventPush, type ApiReply } from '../src/shared/api.ts';
import { type TrainingEvent } from '../src/shared/events.ts';
import { getTemplate } from '../src/shared/templates/index.ts';
import { tinyGraph, writeSyntheticMnist } from './engine/fixtures.ts';

let base = '';
let projectsDir = '';
let server: RunningServer;

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'netforge-server-'));
  const renderer = join(base, 'renderer');
  await mkdir(join(renderer, 'assets'), { recursive: true });
  await writeFile(join(renderer, 'index.html'), '<!doctype html><title>Netforge</title>');
  await writeFile(join(renderer, 'assets', 'index-abc.js'), 'console.log(1)');
  await writeFile(join(renderer, 'assets', 'index-abc.css'), 'body{}');
  await writeFile(join(renderer, 'assets', 'icon.svg'), '<svg/>');
  await writeFile(
    join(renderer, 'assets', 'tfjs-backend-wasm.wasm'),
    Buffer.from([0, 97, 115, 109]),
  );
  await writeFile(join(renderer, 'assets', 'data.bin'), 'x');
  await writeFile(join(base, 'secret.txt'), 'SECRET');
  await symlink(join(base, 'secret.txt'), join(renderer, 'assets', 'link.txt'));
  projectsDir = join(base, 'projects');
  server = await startServer({ port: 0, rendererDir: renderer, projectsDir });
});
afterAll(async () => {
  await server?.close();
  await rm(base, { recursive: true, force: true });
});

/** A raw HTTP request: unlike fetch, it sends the path exactly as written (`..` included). */
function get(
  path: string,
  init: { method?: string; headers?: Record<string, string> } = {},
): Promise<{
  status: number;
  type: string | undefined;
  body: string;
  headers: Record<string, unknown>;
}> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: server.port,
        path,
        method: init.method ?? 'GET',
        headers: init.headers,
      },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            type: res.headers['content-type'],
            body,
            headers: res.headers,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Opens a WebSocket; resolves with it, or with the HTTP status that refused it. */
function openSocket(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ ws: WebSocket } | { status: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => resolve({ ws }));
    ws.once('unexpected-response', (_req, res) => resolve({ status: res.statusCode ?? 0 }));
    ws.once('error', reject);
  });
}

const wsUrl = (token: string) => `ws://127.0.0.1:${server.port}/ws?token=${token}`;

async function connect(): Promise<WebSocket> {
  const r = await openSocket(wsUrl(server.token));
  if (!('ws' in r)) throw new Error(`refused with ${r.status}`);
  return r.ws;
}

/** Sends one frame and resolves with the next reply. */
function ask(ws: WebSocket, message: unknown, binary = false): Promise<ApiReply> {
  return new Promise((resolve) => {
    ws.once('message', (data) => resolve(JSON.parse(data.toString()) as ApiReply));
    ws.send(typeof message === 'string' ? message : JSON.stringify(message), { binary });
  });
}

describe('startServer', () => {
  it('listens on 127.0.0.1 and gives the page address with a 64-hex-digit token', () => {
    expect(server.token).toMatch(/^[0-9a-f]{64}$/);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`);
    expect(server.port).toBeGreaterThan(0);
  });

  it('refuses any host but 127.0.0.1', async () => {
    await expect(
      startServer({ host: '0.0.0.0' as '127.0.0.1', rendererDir: base, projectsDir }),
    ).rejects.toThrow(/127\.0\.0\.1 only/);
  });
});

describe('static files', () => {
  it('serves index.html for /', async () => {
    const r = await get('/?token=abc');
    expect(r).toMatchObject({ status: 200, type: 'text/html; charset=utf-8' });
    expect(r.body).toContain('<title>Netforge</title>');
  });

  it.each([
    ['/assets/index-abc.js', 'text/javascript; charset=utf-8'],
    ['/assets/index-abc.css', 'text/css; charset=utf-8'],
    ['/assets/icon.svg', 'image/svg+xml'],
    ['/assets/tfjs-backend-wasm.wasm', 'application/wasm'],
    ['/assets/data.bin', 'application/octet-stream'],
  ])('serves %s as %s', async (path, type) => {
    expect(await get(path)).toMatchObject({ status: 200, type });
  });

  it.each([
    '/../secret.txt',
    '/assets/../../secret.txt',
    '/%2e%2e/secret.txt',
    '/assets/..%2f..%2fsecret.txt',
    '/..%5csecret.txt',
    '/assets/link.txt',
    '/%00index.html',
    '/%E0%A4%A',
  ])('refuses %s (outside the renderer folder or malformed)', async (path) => {
    const r = await get(path);
    expect(r.status).toBe(404);
    expect(r.body).not.toContain('SECRET');
  });

  it("keeps the token out of Referer headers and the app out of other sites' frames", async () => {
    const r = await get('/?token=abc');
    expect(r.headers).toMatchObject({
      'referrer-policy': 'no-referrer',
      'content-security-policy': "frame-ancestors 'none'",
      'x-content-type-options': 'nosniff',
    });
  });

  it('answers /favicon.ico with 204 when the build has none', async () => {
    expect(await get('/favicon.ico')).toMatchObject({ status: 204, body: '' });
  });

  it('answers 404 for missing files and folders', async () => {
    expect((await get('/nope.js')).status).toBe(404);
    expect((await get('/assets')).status).toBe(404);
  });

  it('allows only GET and HEAD', async () => {
    expect(await get('/', { method: 'HEAD' })).toMatchObject({ status: 200, body: '' });
    expect((await get('/', { method: 'POST' })).status).toBe(405);
  });

  it('refuses a Host header that is not the loopback address (DNS rebinding)', async () => {
    expect((await get('/', { headers: { Host: 'evil.example:80' } })).status).toBe(403);
    expect((await get('/', { headers: { Host: 'localhost:9999' } })).status).toBe(200);
  });
});

describe('WebSocket /ws', () => {
  it.each([
    ['no token', `ws://127.0.0.1:PORT/ws`, 401],
    ['a wrong token', `ws://127.0.0.1:PORT/ws?token=${'0'.repeat(64)}`, 401],
    ['a token of the wrong length', `ws://127.0.0.1:PORT/ws?token=abc`, 401],
    ['another path', `ws://127.0.0.1:PORT/other?token=TOKEN`, 404],
  ])('refuses a connection with %s', async (_what, url, status) => {
    const r = await openSocket(
      url.replace('PORT', String(server.port)).replace('TOKEN', server.token),
    );
    expect(r).toEqual({ status });
  });

  it('refuses a browser page from another site, even with the token', async () => {
    const r = await openSocket(wsUrl(server.token), { Origin: 'https://evil.example' });
    expect(r).toEqual({ status: 403 });
  });

  it('accepts the token and answers hello', async () => {
    const ws = await connect();
    const reply = await ask(ws, { id: 1, type: 'hello' });
    expect(reply).toMatchObject({ id: 1, ok: true, result: { projectsDir } });
    ws.close();
  });

  it('accepts our own page as Origin', async () => {
    const r = await openSocket(wsUrl(server.token), {
      Origin: `http://127.0.0.1:${server.port}`,
    });
    expect('ws' in r).toBe(true);
    if ('ws' in r) r.ws.close();
  });

  it('saves, lists and reads projects; a missing one is E_NOT_FOUND', async () => {
    const ws = await connect();
    const text = serializeProject(newProject(getTemplate('mlp')!.build()));
    expect(await ask(ws, { id: 1, type: 'projects.write', name: 'mlp one', text })).toEqual({
      id: 1,
      ok: true,
      result: { name: 'mlp one' },
    });
    const list = await ask(ws, { id: 2, type: 'projects.list' });
    expect(list.result).toEqual([
      { name: 'mlp one', modified: expect.any(String), bytes: Buffer.byteLength(text) },
    ]);
    expect(await ask(ws, { id: 3, type: 'projects.read', name: 'mlp one' })).toEqual({
      id: 3,
      ok: true,
      result: { text },
    });
    expect(await ask(ws, { id: 4, type: 'projects.read', name: 'other' })).toMatchObject({
      id: 4,
      ok: false,
      error: { code: 'E_NOT_FOUND' },
    });
    expect(await readdir(projectsDir)).toEqual(['mlp one.netforge.json']);
    ws.close();
  });

  it('answers malformed JSON, invalid requests and binary frames with E_BAD_REQUEST', async () => {
    const ws = await connect();
    expect(await ask(ws, 'not json')).toMatchObject({
      id: 0,
      ok: false,
      error: { code: 'E_BAD_REQUEST', message: expect.stringMatching(/not valid JSON/) },
    });
    expect(await ask(ws, { id: 5, type: 'projects.read', name: '../../secret' })).toMatchObject({
      id: 5,
      ok: false,
      error: { code: 'E_BAD_REQUEST' },
    });
    expect(await ask(ws, '{"id":1,"type":"hello"}', true)).toMatchObject({
      ok: false,
      error: { code: 'E_BAD_REQUEST' },
    });
    // The connection survives bad messages.
    expect(await ask(ws, { id: 6, type: 'hello' })).toMatchObject({ id: 6, ok: true });
    ws.close();
  });

  it('close() ends open connections and stops listening', async () => {
    const other = await startServer({ rendererDir: join(base, 'renderer'), projectsDir });
    const r = await openSocket(`ws://127.0.0.1:${other.port}/ws?token=${other.token}`);
    if (!('ws' in r)) throw new Error('refused');
    const closed = new Promise<number>((resolve) => r.ws.once('close', resolve));
    await other.close();
    expect(await closed).toBe(1001);
    await expect(fetch(`http://127.0.0.1:${other.port}/`)).rejects.toThrow();
  });
});

describe('training over the WebSocket', () => {
  let trainingServer: RunningServer;
  let training: TrainingService;
  let data = '';
  let client: EngineClient;
  const pushes: EventPush[] = [];
  const config = { dataset: 'mnist' as const, epochs: 2, batchSize: 32, learningRate: 0.1 };

  beforeAll(async () => {
    data = await writeSyntheticMnist(join(base, 'mnist'));
    training = new TrainingService({ runsDir: join(base, 'runs'), backend: 'wasm' });
    trainingServer = await startServer({
      rendererDir: join(base, 'renderer'),
      projectsDir,
      training,
    });
    client = createWebSocketClient(
      `ws://127.0.0.1:${trainingServer.port}/ws?token=${trainingServer.token}`,
      (url) => new WebSocket(url) as unknown as SocketLike,
    );
    client.onEvent((p) => pushes.push(p));
  });
  afterAll(async () => {
    client?.close();
    await trainingServer?.close();
    await training?.close();
  });

  const next = (test: (e: TrainingEvent) => boolean) => nextEvent((l) => client.onEvent(l), test);

  it('starts a run, streams its events in order to every connection, and lists it', async () => {
    // A second connection, as a raw `ws` client: pushes carry no id and match eventPushSchema.
    const other = await openSocket(
      `ws://127.0.0.1:${trainingServer.port}/ws?token=${trainingServer.token}`,
    );
    if (!('ws' in other)) throw new Error('refused');
    const raw: unknown[] = [];
    other.ws.on('message', (d) => raw.push(JSON.parse(d.toString())));

    const before = pushes.length;
    const done = next(ended);
    const { runId, runDir } = await client.call('train.start', {
      graph: tinyGraph(),
      config,
      dataDir: data,
    });
    expect(runDir).toBe(join(base, 'runs', runId));
    const finished = await done;
    expect(finished).toMatchObject({ type: 'finished', status: 'completed', runDir });

    const mine = pushes.slice(before);
    expect(mine.every((p) => p.runId === runId)).toBe(true);
    expect(outline(mine.map((p) => p.event))).toEqual(TWO_EPOCH_RUN);
    await sleep(100);
    expect(raw).toHaveLength(mine.length);
    expect(raw.every((m) => eventPushSchema.safeParse(m).success)).toBe(true);
    expect(raw.some((m) => (m as { id?: unknown }).id !== undefined)).toBe(false);
    other.ws.close();

    const runs = await client.call('runs.list', {});
    expect(runs).toContainEqual({
      runId,
      runDir,
      name: 'Tiny convnet',
      status: 'completed',
      testAccuracy: (finished as Extract<TrainingEvent, { type: 'finished' }>).testAccuracy,
      startedAt: expect.any(String),
      // What tells it apart from other runs of the network in the app's list.
      settings: { optimizer: 'sgd', learningRate: 0.1 },
    });
    expect(runs.find((r) => r.runId === runId)!.testAccuracy).toBeGreaterThan(0);
  });

  it('pauses (no more batches), answers a second start with E_BUSY, resumes and stops', async () => {
    const firstBatch = next((e) => e.type === 'batch');
    const { runId } = await client.call('train.start', {
      graph: tinyGraph(),
      config: { ...config, epochs: 3 },
      dataDir: data,
    });
    await firstBatch;
    const paused = next((e) => e.type === 'status' && e.state === 'paused');
    await client.call('train.pause', { runId: runId });
    await paused;
    await sleep(300); // the batch under way when the pause came may still report
    const batches = () =>
      pushes.filter((p) => p.runId === runId && p.event.type === 'batch').length;
    const atPause = batches();

    await expect(
      client.call('train.start', { graph: tinyGraph(), config, dataDir: data }),
    ).rejects.toMatchObject({ code: 'E_BUSY', message: expect.stringContaining(runId) });
    await expect(client.call('train.resume', { runId: 'not-this-run' })).rejects.toMatchObject({
      code: 'E_NO_RUN',
    });
    expect((await client.call('runs.list', {})).find((r) => r.runId === runId)).toMatchObject({
      status: 'paused',
      testAccuracy: null,
    });
    await sleep(400);
    expect(batches()).toBe(atPause);

    const resumed = next((e) => e.type === 'batch');
    await client.call('train.resume', { runId: runId });
    await resumed;
    expect(batches()).toBeGreaterThan(atPause);

    const done = next(ended);
    await client.call('train.stop', { runId: runId });
    expect(await done).toMatchObject({ type: 'finished', status: 'stopped' });
    expect((await client.call('runs.list', {})).find((r) => r.runId === runId)).toMatchObject({
      status: 'stopped',
    });
  });

  it('answers invalid training requests with E_BAD_REQUEST', async () => {
    const r = await openSocket(
      `ws://127.0.0.1:${trainingServer.port}/ws?token=${trainingServer.token}`,
    );
    if (!('ws' in r)) throw new Error('refused');
    const ws = r.ws;
    for (const [id, message] of [
      [1, { type: 'train.start', graph: tinyGraph(), config: { dataset: 'imagenet' } }],
      [2, { type: 'train.start', graph: { nodes: [] }, config }],
      [3, { type: 'train.start', graph: tinyGraph(), config: { ...config, epochs: 0 } }],
      [4, { type: 'train.pause' }],
      [5, { type: 'train.stop', runId: '../../etc' }],
    ] as const) {
      expect(await ask(ws, { id, ...message })).toMatchObject({
        id,
        ok: false,
        error: { code: 'E_BAD_REQUEST' },
      });
    }
    ws.close();
    expect(training.activeRun).toBeNull();
  });
});
