// Browser mode's server under hostile input, on 127.0.0.1 only and bounded in count and time:
// malformed request targets (before and after the token check), bad WebSocket frames, and
// 10,000 random JSON messages. The server must stay up, answer every request it can read with a
// registered code, and a training run in progress must finish.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';

import { createWebSocketClient, type SocketLike } from '../src/renderer/engine/client.ts';
import { METHODS, type ApiReply } from '../src/shared/api.ts';
import { isErrorCode } from '../src/shared/errors.ts';
import { tinyGraph, writeSyntheticMnist } from './engine/fixtures.ts';

let base = '';
let data = '';
let child: ChildProcess;
const server = { port: 0, token: '', url: '' };

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'netforge-fuzz-'));
  data = await writeSyntheticMnist(join(base, 'mnist'));
  // The server runs in a process of its own, so a crash shows as its exit, not as a test error.
  child = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'helpers', 'serve-child.ts'), base],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const first = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0]!);
    });
    child.once('exit', (code) => reject(new Error(`the server exited (${code})`)));
  });
  const info = JSON.parse(first) as { port: number; token: string };
  Object.assign(server, info, { url: `http://127.0.0.1:${info.port}/?token=${info.token}` });
});
afterAll(async () => {
  if (child.exitCode === null) {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
  await rm(base, { recursive: true, force: true });
});

const wsUrl = () => `ws://127.0.0.1:${server.port}/ws?token=${server.token}`;

/** Sends raw bytes on a new TCP connection; resolves with all it got back when it closes. */
function raw(bytes: Buffer | string, waitMs = 2000): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket: Socket = connect(server.port, '127.0.0.1', () => socket.write(bytes));
    const done = () => resolve(Buffer.concat(chunks).toString('latin1'));
    socket.on('data', (d) => chunks.push(d));
    socket.on('error', done);
    socket.on('close', done);
    setTimeout(() => socket.destroy(), waitMs).unref();
  });
}

const upgradeRequest = (target: string) =>
  `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
  `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`;

/** The server still answers: the page and an authorised request. */
async function stillUp(): Promise<void> {
  expect(child.exitCode, 'the server process exited').toBeNull();
  const page = await raw('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
  expect(page).toMatch(/^HTTP\/1\.1 200/);
}

/** A masked client frame (RFC 6455 5.2) with the given first byte and payload. */
function frame(first: number, payload: Buffer, options: { mask?: boolean } = {}): Buffer {
  const mask = options.mask ?? true;
  const len = payload.length;
  const head =
    len < 126
      ? Buffer.from([first, (mask ? 0x80 : 0) | len])
      : Buffer.from([first, (mask ? 0x80 : 0) | 126, len >> 8, len & 0xff]);
  if (!mask) return Buffer.concat([head, payload]);
  const key = randomBytes(4);
  const body = Buffer.from(payload.map((b, i) => b ^ key[i % 4]!));
  return Buffer.concat([head, key, body]);
}

describe('the server under hostile input', () => {
  let run: Promise<unknown>;

  it('starts a training run that must survive everything below', async () => {
    const events = new WebSocket(wsUrl());
    run = new Promise((resolve) => {
      events.on('message', (d) => {
        const m = JSON.parse(d.toString()) as { type?: string; event?: { type: string } };
        if (m.type === 'event' && (m.event?.type === 'finished' || m.event?.type === 'error')) {
          events.close();
          resolve(m.event);
        }
      });
    });
    await new Promise((r, j) => events.once('open', r).once('error', j));
    const client = createWebSocketClient(wsUrl(), (u) => new WebSocket(u) as unknown as SocketLike);
    await client.call('train.start', {
      graph: tinyGraph(),
      config: { dataset: 'mnist', epochs: 4, batchSize: 16, learningRate: 0.05 },
      dataDir: data,
    });
    client.close();
  });

  const targets = [
    '//[',
    'http://[',
    '//%zz/ws',
    'http://a:99999/ws',
    '//a:b@/ws',
    'http://127.0.0.1/ws',
    '*',
    '/ws?token=' + '%'.repeat(50),
    '/%00/ws',
    '/' + 'a'.repeat(8000),
  ];

  it.each(
    targets.map((t) => [t.length > 40 ? `${t.slice(0, 20)}… (${t.length} characters)` : t, t]),
  )('refuses the upgrade target %s and stays up', async (_label, target) => {
    const reply = await raw(upgradeRequest(target));
    expect(reply).toMatch(/^HTTP\/1\.1 (400|401|404|431)/);
    const page = await raw(
      `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`,
    );
    expect(page).toMatch(/^HTTP\/1\.1 (400|404|431)/);
    await stillUp();
  });

  const token = () => server.token;
  const badFrames: [string, () => Buffer][] = [
    [
      'a text frame over the size limit',
      () => {
        // Claims 2^40 bytes (64-bit length): refused from the header alone.
        const head = Buffer.from([0x81, 0x80 | 127, 0, 0, 1, 0, 0, 0, 0, 0]);
        return Buffer.concat([head, randomBytes(4)]);
      },
    ],
    ['invalid UTF-8', () => frame(0x81, Buffer.from([0xc3, 0x28, 0xff, 0xfe]))],
    [
      'an unmasked frame',
      () => frame(0x81, Buffer.from('{"id":1,"type":"hello"}'), { mask: false }),
    ],
    ['RSV1 set', () => frame(0x81 | 0x40, Buffer.from('{"id":1,"type":"hello"}'))],
    ['the reserved opcode 3', () => frame(0x83, Buffer.from('x'))],
    ['a control frame over 125 bytes', () => frame(0x89, Buffer.alloc(200))],
  ];

  it.each(badFrames)('closes only the connection that sends %s', async (_name, make) => {
    const reply = await raw(
      Buffer.concat([Buffer.from(upgradeRequest(`/ws?token=${token()}`)), make()]),
    );
    expect(reply).toMatch(/^HTTP\/1\.1 101/);
    await stillUp();
  });

  it('answers 10,000 random messages, each request it can read with a registered code', async () => {
    const ws = new WebSocket(wsUrl());
    await new Promise((r, j) => ws.once('open', r).once('error', j));
    const replies: ApiReply[] = [];
    ws.on('message', (d) => {
      const m = JSON.parse(d.toString()) as { type?: string };
      if (m.type !== 'event') replies.push(m as ApiReply);
    });
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const junk = (depth: number): unknown => {
      const r = rand();
      if (depth > 3 || r < 0.3)
        return pick([null, true, -1, 1e308, 0.5, '', 'x'.repeat(300), '../..', 'E_IO']);
      if (r < 0.5) return Array.from({ length: Math.floor(rand() * 4) }, () => junk(depth + 1));
      const o: Record<string, unknown> = {};
      for (const k of [
        'id',
        'type',
        'runId',
        'name',
        'text',
        'graph',
        'config',
        'indices',
        'layer',
        'index',
        'dataset',
        'dataDir',
      ])
        if (rand() < 0.3) o[k] = junk(depth + 1);
      return o;
    };
    const N = 10_000;
    for (let i = 1; i <= N; i++) {
      const r = rand();
      let msg: string;
      if (r < 0.1)
        msg = randomBytes(Math.floor(rand() * 40))
          .toString('latin1')
          .replace(/[^\x20-\x7e]/g, '?');
      else if (r < 0.2) msg = JSON.stringify(junk(0));
      else {
        const body = junk(1);
        const obj = body && typeof body === 'object' && !Array.isArray(body) ? body : {};
        msg = JSON.stringify({
          ...obj,
          id: i,
          type: rand() < 0.9 ? pick(METHODS) : pick(['', 'x', 'runs.', 'train.start ']),
        });
      }
      ws.send(msg);
      if (i % 500 === 0) await new Promise((r) => setTimeout(r, 5));
    }
    const deadline = Date.now() + 60_000;
    while (replies.length < N && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    ws.close();
    expect(replies).toHaveLength(N);
    const failures = replies.filter((r) => !r.ok);
    expect(failures.length).toBeGreaterThan(N * 0.9);
    expect(failures.filter((r) => !isErrorCode(r.error?.code))).toEqual([]);
    // Nothing unexpected: random input is refused as a bad request or names what it lacks.
    const codes = new Set(failures.map((r) => r.error!.code));
    expect([...codes].filter((c) => c === 'E_INTERNAL')).toEqual([]);
    await stillUp();
  });

  it('lets the training run finish', async () => {
    expect(await run).toMatchObject({ type: 'finished', status: 'completed' });
  });
});
