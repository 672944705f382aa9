// `netforge serve` as a user runs it: the bin script prints the address, serves the app and the
// engine API there, and stops cleanly on Ctrl+C. It builds out/ first if it is missing.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';

import { PACKAGE_ROOT } from '../src/main/server/build.ts';
import type { ApiReply } from '../src/shared/api.ts';

const BIN = join(PACKAGE_ROOT, 'bin', 'netforge.js');
const URL_LINE = /http:\/\/127\.0\.0\.1:(\d+)\/\?token=([0-9a-f]{64})/;

let projectsDir = '';
const children: ChildProcess[] = [];

beforeAll(async () => {
  projectsDir = await mkdtemp(join(tmpdir(), 'netforge-e2e-serve-'));
});
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});
afterAll(() => rm(projectsDir, { recursive: true, force: true }));

function serve(args: string[], env: NodeJS.ProcessEnv = process.env) {
  const child = spawn(process.execPath, [BIN, 'serve', ...args], { env, cwd: PACKAGE_ROOT });
  children.push(child);
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d: Buffer) => (out.stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out.stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  /** Resolves with the printed address once the server is up. */
  const address = () =>
    new Promise<{ url: string; port: number; token: string }>((resolve, reject) => {
      const check = () => {
        const m = URL_LINE.exec(out.stdout);
        if (m) resolve({ url: m[0], port: Number(m[1]), token: m[2]! });
      };
      child.stdout.on('data', check);
      check();
      void exited.then((code) =>
        reject(new Error(`serve exited (${code}) before printing its address:\n${out.stderr}`)),
      );
    });
  return { child, out, exited, address };
}

function hello(port: number, token: string): Promise<ApiReply> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws?token=${token}`);
    ws.once('open', () => ws.send(JSON.stringify({ id: 1, type: 'hello' })));
    ws.once('message', (data) => {
      ws.close();
      resolve(JSON.parse(data.toString()) as ApiReply);
    });
    ws.once('error', reject);
  });
}

describe('netforge serve', () => {
  it('prints the address, serves the app and the engine API, and stops on Ctrl+C', async () => {
    const s = serve(['--port', '0', '--projects-dir', projectsDir]);
    const { url, port, token } = await s.address();
    expect(s.out.stdout).toContain(`Projects folder: ${projectsDir}`);
    expect(s.out.stdout).toContain(`ssh -L ${port}:127.0.0.1:${port}`);

    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<title>.*Netforge.*<\/title>/s);
    expect(await hello(port, token)).toMatchObject({ ok: true, result: { projectsDir } });

    s.child.kill('SIGINT');
    expect(await s.exited).toBe(0);
    expect(s.out.stdout).toContain('Stopping');
    await expect(fetch(url)).rejects.toThrow();
  });

  it('--data-dir names the data folder every run from the page uses, and hello gives it', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'netforge-serve-data-'));
    const env = { ...process.env };
    delete env['NETFORGE_DATA_DIR'];
    const s = serve(['--port', '0', '--projects-dir', projectsDir, '--data-dir', dataDir], env);
    const { port, token } = await s.address();
    expect(s.out.stdout).toContain(`Data folder: ${dataDir}`);
    expect(await hello(port, token)).toMatchObject({ ok: true, result: { dataDir } });
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    await rm(dataDir, { recursive: true, force: true });
  });

  it('--open says so when no browser can be opened, and keeps serving', async () => {
    const emptyPath = await mkdtemp(join(tmpdir(), 'netforge-no-opener-'));
    const s = serve(['--open', '--projects-dir', projectsDir], { ...process.env, PATH: emptyPath });
    const { port, token } = await s.address();
    await expect.poll(() => s.out.stdout, { timeout: 10_000 }).toMatch(/Could not open a browser/);
    expect(await hello(port, token)).toMatchObject({ ok: true });
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    await rm(emptyPath, { recursive: true, force: true });
  });

  it('--keep-token keeps the address across a restart; without it each start has a new token', async () => {
    const configDir = await mkdtemp(join(tmpdir(), 'netforge-serve-config-'));
    const env = { ...process.env, NETFORGE_CONFIG_DIR: configDir };
    const start = async (args: string[]) => {
      const s = serve(['--port', '0', '--projects-dir', projectsDir, ...args], env);
      const { port, token } = await s.address();
      expect(await hello(port, token)).toMatchObject({ ok: true });
      s.child.kill('SIGINT');
      expect(await s.exited).toBe(0);
      return { token, stdout: s.out.stdout };
    };
    const first = await start(['--keep-token']);
    expect(first.stdout).toContain(
      `The token is kept (--keep-token) in ${join(configDir, 'serve-tokens.json')}`,
    );
    expect((await start(['--keep-token'])).token).toBe(first.token);
    expect((await start([])).token).not.toBe(first.token);
    await rm(configDir, { recursive: true, force: true });
  });

  it('a port in use is a clear error', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const { port } = blocker.address() as { port: number };
    try {
      const s = serve(['--port', String(port), '--projects-dir', projectsDir]);
      expect(await s.exited).toBe(1);
      expect(s.out.stderr).toContain(`port ${port} on 127.0.0.1 is already in use`);
    } finally {
      blocker.close();
    }
  });

  it('a bad --port is a usage error', async () => {
    const s = serve(['--port', 'eighty']);
    expect(await s.exited).toBe(1);
    expect(s.out.stderr).toContain('--port must be a whole number from 0 to 65535');
  });
});
