// ChildHost with small plain-Node children (no tfjs, so each starts in a few ms): the ready wait
// and its bound, checked messages, a death reported once and a new child on the next use, and a
// close that escalates from SHUTDOWN to SIGTERM to SIGKILL within its bounds.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';

import { ChildHost, ChildStartError, nodeChild } from '../../src/main/host/child-host.ts';
import { tempDirs } from '../engine/fixtures.ts';

/** The child's behaviour comes from its first argument. */
const CHILD = `
const mode = process.argv[2];
if (mode === 'stubborn') process.on('SIGTERM', () => {});
process.on('message', (m) => {
  if (m.kind === 'shutdown') {
    if (mode !== 'stubborn') process.exit(0);
    return;
  }
  if (m.kind === 'crash') process.exit(3);
  if (m.kind === 'garble') return process.send({ kind: 'echo', value: 'not a number' });
  process.send({ kind: 'echo', value: m.value });
});
if (mode === 'exit-early') process.exit(7);
if (mode !== 'silent') process.send({ kind: 'ready' });
`;

const messages = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('ready') }),
  z.object({ kind: z.literal('echo'), value: z.number() }),
]);
type Message = z.infer<typeof messages>;

const dirs = tempDirs('child-host');
let file = '';
const hosts: ChildHost<Message>[] = [];

beforeAll(async () => {
  file = join(await dirs.make(), 'child.mjs');
  await writeFile(file, CHILD);
});
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((h) => h.close({ polite: false })));
});
afterAll(() => dirs.cleanup());

function newHost(mode: string, options: { readyTimeoutMs?: number; graceMs?: number } = {}) {
  const got: Message[] = [];
  const malformed: string[] = [];
  const deaths: string[] = [];
  const host = new ChildHost<Message>({
    name: 'The test child',
    launch: nodeChild({ file, execArgv: [] }, [mode]),
    messages,
    onMessage: (m) => got.push(m),
    onMalformed: (e) => malformed.push(e),
    onDeath: (how) => deaths.push(how),
    termMs: 300,
    ...options,
  });
  hosts.push(host);
  return { host, got, malformed, deaths };
}

const until = async (test: () => boolean) => {
  for (let i = 0; i < 200 && !test(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(test()).toBe(true);
};

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('ChildHost', () => {
  it('starts a child on first use and passes on its checked messages', async () => {
    const { host, got, malformed } = newHost('echo');
    expect(host.pid).toBeUndefined();
    await host.send({ kind: 'ping', value: 42 });
    await until(() => got.length === 1);
    expect(got).toEqual([{ kind: 'echo', value: 42 }]);
    await host.send({ kind: 'garble' });
    await until(() => malformed.length === 1);
    expect(malformed[0]).toMatch(/value/);
    expect(got).toHaveLength(1);
  });

  it('reports a death once, with how, and starts a new child on the next use', async () => {
    const { host, got, deaths } = newHost('echo');
    await host.start();
    const first = host.pid!;
    await host.send({ kind: 'crash' });
    await until(() => deaths.length === 1);
    expect(deaths).toEqual(['exit code 3']);
    expect(host.pid).toBeUndefined();

    await host.send({ kind: 'ping', value: 1 });
    expect(host.pid).not.toBe(first);
    await until(() => got.length === 1);
    process.kill(host.pid!, 'SIGKILL');
    await until(() => deaths.length === 2);
    expect(deaths[1]).toBe('signal SIGKILL');
  });

  it('rejects start() when the child exits before it is ready, or is not ready in time', async () => {
    const early = newHost('exit-early');
    const e = await early.host.start().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ChildStartError);
    expect((e as Error).message).toBe(
      'The test child exited while starting (exit code 7). Its error output says why; try again.',
    );
    expect(early.deaths).toEqual([]);

    const silent = newHost('silent', { readyTimeoutMs: 300 });
    const started = Date.now();
    await expect(silent.host.start()).rejects.toThrow(/did not get ready within 0.3 s/);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(silent.host.pid).toBeUndefined();
  });

  it('close() asks politely first, and a polite child ends at once', async () => {
    const { host, deaths } = newHost('echo', { graceMs: 5000 });
    await host.start();
    const pid = host.pid!;
    const started = Date.now();
    await host.close();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(alive(pid)).toBe(false);
    expect(deaths).toEqual([]); // closing is no death
  });

  it('close() ends a child that ignores SHUTDOWN and SIGTERM with SIGKILL, within its bounds', async () => {
    const { host, deaths } = newHost('stubborn', { graceMs: 300 });
    await host.start();
    const pid = host.pid!;
    const started = Date.now();
    await host.close();
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(550); // waited for SHUTDOWN, then for SIGTERM
    expect(took).toBeLessThan(3000);
    expect(alive(pid)).toBe(false);
    expect(host.pid).toBeUndefined();
    expect(deaths).toEqual([]);
  });
});
