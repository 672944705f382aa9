// The desktop app's security decisions, in plain Node (src/main/desktop/security.ts; index.ts
// only wires them into Electron): which page may use the engine, when the dev server's page is
// loaded, which web permissions are granted, and how quitting waits for the engine.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

import {
  DEV_SERVER_SWITCH,
  devServerUrl,
  isOwnPage,
  permissionGranted,
  quitAfter,
} from '../../src/main/desktop/security.ts';

const INDEX = join('/opt', 'Netforge', 'resources', 'app.asar', 'out', 'renderer', 'index.html');
const page = pathToFileURL(INDEX).href;
const DEV = 'http://localhost:5173/';

describe('isOwnPage', () => {
  it.each([
    ['the built page', page],
    ['the built page with a fragment', `${page}#/runs`],
    ['the built page with a query', `${page}?x=1`],
  ])('accepts %s', (_what, url) => {
    expect(isOwnPage(url, undefined, INDEX)).toBe(true);
    expect(isOwnPage(url, DEV, INDEX)).toBe(true);
  });

  it.each([
    ['a file next to the page', pathToFileURL(join(INDEX, '..', 'other.html')).href],
    ['a longer name starting with the page', `${page}.evil.html`],
    ['a folder named like the page', `${page}/x.html`],
    ['a file elsewhere', 'file:///tmp/index.html'],
    ['a data: page', 'data:text/html,<script>1</script>'],
    ['about:blank', 'about:blank'],
    ['an empty address (no frame)', ''],
    ['not an address', 'index.html'],
    ['a web page', 'https://example.com/'],
  ])('refuses %s', (_what, url) => {
    expect(isOwnPage(url, undefined, INDEX)).toBe(false);
    expect(isOwnPage(url, DEV, INDEX)).toBe(false);
  });

  it('accepts any page of the dev server, by its origin', () => {
    expect(isOwnPage('http://localhost:5173/', DEV, INDEX)).toBe(true);
    expect(isOwnPage('http://localhost:5173/src/main.tsx?t=1#x', DEV, INDEX)).toBe(true);
    expect(isOwnPage('http://localhost:5173/', undefined, INDEX)).toBe(false);
  });

  it.each([
    // The first three start with "http://localhost:5173": the old check (a string prefix) let
    // them through.
    ['another port that starts with the same digits', 'http://localhost:51730/'],
    ['a host that starts with the same name', 'http://localhost:5173.evil.example/'],
    ['user info that spells the origin', 'http://localhost:5173@evil.example/'],
    ['https on the same host and port', 'https://localhost:5173/'],
    ['another loopback name', 'http://127.0.0.1:5173/'],
  ])('refuses %s when the dev server is http://localhost:5173', (_what, url) => {
    expect(isOwnPage(url, DEV, INDEX)).toBe(false);
  });
});

describe('devServerUrl', () => {
  const dev = { ELECTRON_RENDERER_URL: 'http://localhost:5173' };
  const argv = ['/usr/bin/electron', '.', DEV_SERVER_SWITCH];

  it('is the dev server under `npm run dev`: unpackaged, with its switch', () => {
    expect(devServerUrl({ isPackaged: false, argv, env: dev })).toBe('http://localhost:5173/');
    expect(
      devServerUrl({
        isPackaged: false,
        argv,
        env: { ELECTRON_RENDERER_URL: 'http://[::1]:4000' },
      }),
    ).toBe('http://[::1]:4000/');
  });

  it('package.json’s dev script passes the switch to Electron', () => {
    const pkg = JSON.parse(
      readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8'),
    ) as { scripts: Record<string, string> };
    expect(pkg.scripts['dev']).toMatch(new RegExp(`^electron-vite dev -- ${DEV_SERVER_SWITCH}$`));
  });

  it.each([
    ['in a packaged app', { isPackaged: true, argv, env: dev }],
    ['without the switch (the variable alone)', { isPackaged: false, argv: ['e', '.'], env: dev }],
    ['without the variable', { isPackaged: false, argv, env: {} }],
    [
      'for an address off this machine',
      { isPackaged: false, argv, env: { ELECTRON_RENDERER_URL: 'http://example.com:5173' } },
    ],
    [
      'for a file: address',
      { isPackaged: false, argv, env: { ELECTRON_RENDERER_URL: 'file:///tmp/x.html' } },
    ],
    ['for a garbled one', { isPackaged: false, argv, env: { ELECTRON_RENDERER_URL: 'http://[' } }],
  ])('is ignored %s', (_what, o) => {
    expect(devServerUrl(o)).toBeUndefined();
  });
});

describe('permissions', () => {
  it('refuses every permission Electron can ask for (the page uses none)', () => {
    // The permission names of Electron's own types, so that a new one is checked too.
    const dts = readFileSync(
      join(createRequire(import.meta.url).resolve('electron/package.json'), '..', 'electron.d.ts'),
      'utf8',
    );
    const line = dts.split('\n').find((l) => l.includes('setPermissionRequestHandler(handler'))!;
    const names = [...line.matchAll(/'([a-zA-Z-]+)'/g)].map((m) => m[1]!);
    expect(names).toEqual(expect.arrayContaining(['media', 'notifications', 'clipboard-read']));
    expect(names.filter(permissionGranted)).toEqual([]);
  });
});

describe('quitAfter', () => {
  const event = () => {
    const e = { prevented: 0, preventDefault: () => void e.prevented++ };
    return e;
  };

  it('holds the quit until close() is done, then quits for good', async () => {
    let finish!: () => void;
    let closes = 0;
    let quits = 0;
    const handler = quitAfter(
      () => {
        closes++;
        return new Promise<void>((r) => (finish = r));
      },
      () => quits++,
      10_000,
    );
    const first = event();
    handler(first);
    expect(first.prevented).toBe(1);
    // Another quit while closing: held too, and close() is not asked again.
    const again = event();
    handler(again);
    expect(again.prevented).toBe(1);
    expect(closes).toBe(1);
    await new Promise((r) => setTimeout(r, 20));
    expect(quits).toBe(0);
    finish();
    await new Promise((r) => setTimeout(r, 0));
    expect(quits).toBe(1);
    // The quit that follows goes through.
    const last = event();
    handler(last);
    expect(last.prevented).toBe(0);
    expect(closes).toBe(1);
  });

  it('quits after maxWaitMs even if close() never ends, and after a failed close()', async () => {
    let quits = 0;
    const stuck = quitAfter(
      () => new Promise<void>(() => {}),
      () => quits++,
      50,
    );
    stuck(event());
    await new Promise((r) => setTimeout(r, 20));
    expect(quits).toBe(0);
    await new Promise((r) => setTimeout(r, 80));
    expect(quits).toBe(1);

    const failing = quitAfter(
      () => Promise.reject(new Error('no engine')),
      () => quits++,
      10_000,
    );
    failing(event());
    await new Promise((r) => setTimeout(r, 0));
    expect(quits).toBe(2);
  });
});
