// Browser mode's server under Node: static files with the right types and nothing outside the
// renderer folder, a WebSocket that needs the run's token, and the engine API over it.
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';

import { startServer, type RunningServer } from '../src/main/server/server.ts';
import { newProject, serializeProject } from '../src/shared/project.ts';
import type { ServerReply } from '../src/shared/protocol.ts';
import { getTemplate } from '../src/shared/templates/index.ts';

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
function ask(ws: WebSocket, message: unknown, binary = false): Promise<ServerReply> {
  return new Promise((resolve) => {
    ws.once('message', (data) => resolve(JSON.parse(data.toString()) as ServerReply));
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
