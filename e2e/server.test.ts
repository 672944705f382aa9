// Browser mode as a user meets it: `netforge serve`'s page opened in Chromium, talking to the
// engine API over the WebSocket that the token in its address unlocks.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket as NodeWebSocket } from 'ws';

import type { EngineClient } from '../src/renderer/engine/client.ts';
import { newProject, serializeProject } from '../src/shared/project.ts';
import { getTemplate } from '../src/shared/templates/index.ts';
import { chromiumMissing, startBrowserMode, watchForErrors, type BrowserMode } from './harness.ts';

/**
 * src/renderer/engine/client.ts bundled as a script that defines `NetforgeEngine`. Evaluated in
 * the served page, it runs there as the renderer would: with the page's address (and token),
 * its Content-Security-Policy and the browser's own WebSocket.
 * zod runs jitless (see zod-jitless.ts).
 */
async function clientScript(): Promise<string> {
  const client = join(import.meta.dirname, '../src/renderer/engine/client.ts');
  const result = await build({
    stdin: {
      contents: `import './zod-jitless.ts';\nexport * from ${JSON.stringify(client)};`,
      resolveDir: import.meta.dirname,
      loader: 'ts',
    },
    bundle: true,
    format: 'iife',
    globalName: 'NetforgeEngine',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

/** What the page script sees of the bundle. */
interface PageEngine {
  connectEngine(env: unknown): EngineClient;
}

describe.skipIf(chromiumMissing)('browser mode in Chromium', () => {
  let mode: BrowserMode;
  let script = '';

  beforeAll(async () => {
    [mode, script] = await Promise.all([startBrowserMode(), clientScript()]);
  });
  afterAll(() => mode?.close());

  it('loads the app from its address, titled Netforge, without errors', async () => {
    const page = await mode.newPage();
    const errors = watchForErrors(page);
    const response = await page.goto(mode.server.url);
    expect(response?.status()).toBe(200);
    expect(await page.title()).toMatch(/\bNetforge$/);
    // React rendered the app: the built bundle loaded and ran under the page's CSP.
    const app = page.getByTestId('app');
    await app.waitFor({ state: 'visible', timeout: 15_000 });
    expect(await app.innerText()).toContain('Netforge');
    expect(errors).toEqual([]);
    await page.close();
  });

  it("the page's WebSocket opens with the token and is refused without it", async () => {
    const page = await mode.newPage();
    await page.goto(mode.server.url);
    const tryOpen = (query: string) =>
      page.evaluate(
        (url) =>
          new Promise<string>((resolve) => {
            const ws = new globalThis.WebSocket(url);
            ws.onopen = () => {
              ws.close();
              resolve('open');
            };
            ws.onclose = (e) => resolve(`closed ${e.code}`);
          }),
        `ws://127.0.0.1:${mode.server.port}/ws${query}`,
      );
    expect(await tryOpen(`?token=${mode.server.token}`)).toBe('open');
    expect(await tryOpen(`?token=${'f'.repeat(64)}`)).toBe('closed 1006');
    expect(await tryOpen('')).toBe('closed 1006');
    await page.close();
  });

  it('connectEngine in the page saves, lists and reads a project through the server', async () => {
    const page = await mode.newPage();
    const errors = watchForErrors(page);
    await page.goto(mode.server.url);
    await page.evaluate(script);
    const text = serializeProject(newProject(getTemplate('lenet5')!.build(), 'From the page'));
    const seen = await page.evaluate(async (projectText) => {
      const engine = (globalThis as unknown as { NetforgeEngine: PageEngine }).NetforgeEngine;
      const client = engine.connectEngine(globalThis);
      const hello = await client.call('hello', {});
      await client.call('projects.write', { name: 'from the page', text: projectText });
      const list = await client.call('projects.list', {});
      const back = (await client.call('projects.read', { name: 'from the page' })).text;
      const missing = await client.call('projects.read', { name: 'nothing here' }).then(
        () => 'found',
        (e: { code: string }) => e.code,
      );
      return { transport: client.transport, hello, list, same: back === projectText, missing };
    }, text);
    expect(seen).toMatchObject({
      transport: 'websocket',
      hello: { projectsDir: mode.projectsDir },
      list: [{ name: 'from the page', bytes: Buffer.byteLength(text) }],
      same: true,
      missing: 'E_NOT_FOUND',
    });
    expect(await readFile(join(mode.projectsDir, 'from the page.netforge.json'), 'utf8')).toBe(
      text,
    );
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a page opened without the token gets a client that says what to do', async () => {
    const page = await mode.newPage();
    await page.goto(`http://127.0.0.1:${mode.server.port}/`);
    await page.evaluate(script);
    const seen = await page.evaluate(async () => {
      const engine = (globalThis as unknown as { NetforgeEngine: PageEngine }).NetforgeEngine;
      const client = engine.connectEngine(globalThis);
      const message = await client.call('hello', {}).then(
        () => '',
        (e: Error) => e.message,
      );
      return { transport: client.transport, message };
    });
    expect(seen.transport).toBe('none');
    expect(seen.message).toMatch(/This link lacks its access token/);
    expect(seen.message).toContain(
      'the full address that `netforge serve` printed in its terminal',
    );
    await page.close();
  });

  it('the app opened without the token says so where Start is, and where the address is', async () => {
    const page = await mode.newPage();
    await page.goto(`http://127.0.0.1:${mode.server.port}/`);
    const blocker = page.getByTestId('train-blocker');
    await blocker.waitFor({ state: 'visible', timeout: 15_000 });
    const text = await blocker.innerText();
    expect(text).toContain('This link lacks its access token');
    expect(text).toContain('`netforge serve` printed in its terminal');
    expect(text).not.toContain('use the desktop app');
    expect(await page.getByTestId('train-start').isDisabled()).toBe(true);
    await page.close();
  });

  it('Node clients need the token too (401 without it)', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const ws = new NodeWebSocket(`ws://127.0.0.1:${mode.server.port}/ws?token=nope`);
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.once('open', () => reject(new Error('opened with a wrong token')));
    });
    expect(status).toBe(401);
  });
});
