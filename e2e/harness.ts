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
  /** The server's runs and exports folders: temp folders, never ~/Netforge's. */
  runsDir: string;
  exportsDir: string;
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

/**
 * Starts `netforge serve`'s server on a free port with empty projects, runs and exports folders
 * of its own, and Chromium.
 */
export async function startBrowserMode(): Promise<BrowserMode> {
  const temp = (kind: string) => mkdtemp(join(tmpdir(), `netforge-e2e-${kind}-`));
  const projectsDir = await temp('projects');
  const runsDir = await temp('runs');
  const exportsDir = await temp('exports');
  const removeDirs = () =>
    Promise.all(
      [projectsDir, runsDir, exportsDir].map((d) => rm(d, { recursive: true, force: true })),
    );
  const server = await startServer({
    port: 0,
    rendererDir: join(appOutDir(), 'renderer'),
    projectsDir,
    runsDir,
    exportsDir,
  });
  let browser: Browser;
  try {
    browser = await launchChromium();
  } catch (e) {
    await server.close();
    await removeDirs();
    throw e;
  }
  return {
    server,
    projectsDir,
    runsDir,
    exportsDir,
    browser,
    newPage: () => browser.newPage(),
    async close() {
      await browser.close();
      await server.close();
      await removeDirs();
    },
  };
}

export interface AppPage extends BrowserMode {
  /** The app's page, loaded. */
  page: Page;
  /** What the page reported as going wrong (watchForErrors). */
  errors: string[];
}

/**
 * Browser mode with the app loaded in a page of the given size. Confirmations ("Discard unsaved
 * changes?") are accepted: the stories mean to discard.
 */
export async function openApp(viewport: { width: number; height: number }): Promise<AppPage> {
  const mode = await startBrowserMode();
  try {
    const page = await mode.newPage();
    await page.setViewportSize(viewport);
    const errors = watchForErrors(page);
    page.on('dialog', (d) => void d.accept());
    await page.goto(mode.server.url);
    await page.getByTestId('app').waitFor();
    return { ...mode, page, errors };
  } catch (e) {
    await mode.close();
    throw e;
  }
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
