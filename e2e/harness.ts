// Shared set-up of the e2e tests: browser mode served from the app built by global-setup.ts,
// with a temp projects folder, opened in Debian's Chromium through playwright-core.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { inject } from 'vitest';

import { startServer, type RunningServer } from '../src/main/server/server.ts';

export const CHROMIUM_PATH = process.env['NETFORGE_CHROMIUM'] || '/usr/bin/chromium';

/** Why the browser tests cannot run here, or null if they can. */
export const chromiumMissing: string | null = existsSync(CHROMIUM_PATH)
  ? null
  : `no Chromium at ${CHROMIUM_PATH}: install it (apt-get install chromium) or set NETFORGE_CHROMIUM`;

if (chromiumMissing) console.warn(`e2e: skipping the browser tests, ${chromiumMissing}`);

/** The app built for this test run (main/, preload/, renderer/). */
export const appOutDir = (): string => inject('appOutDir');

export interface BrowserMode {
  server: RunningServer;
  projectsDir: string;
  browser: Browser;
  /** A fresh page, not yet navigated; closed with the browser. */
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
    ],
  });
}

/** Starts `netforge serve`'s server on a free port with an empty projects folder, and Chromium. */
export async function startBrowserMode(): Promise<BrowserMode> {
  const projectsDir = await mkdtemp(join(tmpdir(), 'netforge-e2e-projects-'));
  const server = await startServer({
    port: 0,
    rendererDir: join(appOutDir(), 'renderer'),
    projectsDir,
  });
  let browser: Browser;
  try {
    browser = await launchChromium();
  } catch (e) {
    await server.close();
    throw e;
  }
  return {
    server,
    projectsDir,
    browser,
    newPage: () => browser.newPage(),
    async close() {
      await browser.close();
      await server.close();
      await rm(projectsDir, { recursive: true, force: true });
    },
  };
}

/** Collects what a page reports as going wrong: uncaught errors and console errors. */
export function watchForErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  return errors;
}
