// Training from the editor in browser mode: the Training panel drives the server's training
// service on the real MNIST files in ../shared/datasets (skipped, saying why, without them).
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startServer, type RunningServer } from '../src/main/server/server.ts';
import { appOutDir, chromiumMissing, launchChromium, watchForErrors } from './harness.ts';

const ROOT = resolve(import.meta.dirname, '..');
const DATA_DIR = resolve(ROOT, '..', 'shared', 'datasets');
const SCREENSHOTS = join(ROOT, 'docs', 'screenshots');

const dataMissing = existsSync(join(DATA_DIR, 'mnist', 'train-images-idx3-ubyte.gz'))
  ? null
  : `no MNIST files in ${DATA_DIR} (see its README: the real datasets live beside the project)`;
if (dataMissing) console.warn(`e2e: skipping the training test, ${dataMissing}`);

const step = async (page: Page): Promise<number> =>
  Number((await page.getByTestId('train-progress').getAttribute('data-step')) ?? 0);

describe.skipIf(chromiumMissing || dataMissing)('training LeNet-5 from the editor', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  const temp: string[] = [];

  beforeAll(async () => {
    const projectsDir = await mkdtemp(join(tmpdir(), 'netforge-e2e-projects-'));
    const runsDir = await mkdtemp(join(tmpdir(), 'netforge-e2e-runs-'));
    temp.push(projectsDir, runsDir);
    // Runs go to a temp folder, never to ~/Netforge/runs.
    server = await startServer({
      port: 0,
      rendererDir: join(appOutDir(), 'renderer'),
      projectsDir,
      runsDir,
    });
    browser = await launchChromium();
    page = await browser.newPage();
    await page.setViewportSize({ width: 1600, height: 1000 });
    errors = watchForErrors(page);
    page.on('dialog', (d) => void d.accept());
    await page.goto(server.url);
    await page.getByTestId('app').waitFor();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    for (const dir of temp) await rm(dir, { recursive: true, force: true });
  });

  it('trains, pauses, resumes and shows the evaluation', { timeout: 180_000 }, async () => {
    await page.getByTestId('btn-templates').click();
    await page.getByTestId('template-card-lenet5').click();
    await expect.poll(() => page.getByTestId('summary-total').textContent()).toContain('60,074');

    const panel = page.getByTestId('training-panel');
    await panel.getByTestId('train-data-dir').fill(DATA_DIR);
    await panel.getByTestId('train-limit-train').fill('640');
    await panel.getByTestId('train-limit-test').fill('500');
    // 640 samples in batches of 32 are 20 steps, about half a second on wasm: too short to
    // pause by clicking. 15 epochs of them (300 steps, several seconds) leave time to.
    await panel.getByTestId('train-epochs').fill('15');
    await panel.getByTestId('train-batch-size').fill('32');
    await expect.poll(() => panel.getByTestId('train-start').isEnabled()).toBe(true);
    await panel.getByTestId('train-start').click();

    await expect.poll(() => panel.getByTestId('train-backend').textContent()).toMatch(/Backend:/);
    await expect
      .poll(async () => Number(await panel.getByTestId('train-chart').getAttribute('data-points')))
      .toBeGreaterThan(0);
    const first = await step(page);
    await expect.poll(() => step(page)).toBeGreaterThan(first);
    await expect
      .poll(() => panel.getByTestId('train-progress').textContent())
      .toMatch(/epoch \d+\/15, step \d+\/300, \d+ samples\/s, ETA/);
    await panel.getByTestId('train-pause').click();
    await panel.getByTestId('train-resume').waitFor(); // the engine reported "paused"
    const paused = await step(page);
    await panel.getByTestId('train-chart').scrollIntoViewIfNeeded();
    const midRun = await page.screenshot();
    await page.waitForTimeout(1000);
    expect(await step(page)).toBe(paused);

    await panel.getByTestId('train-resume').click();
    await expect.poll(() => step(page)).toBeGreaterThan(paused);

    await expect
      .poll(() => panel.getByTestId('train-test-accuracy').textContent(), { timeout: 120_000 })
      .toMatch(/Test accuracy \d+\.\d+%/);
    const matrix = panel.getByTestId('confusion-matrix');
    await expect.poll(() => matrix.isVisible()).toBe(true);
    expect(await matrix.locator('tbody tr').count()).toBe(10);
    expect(await step(page)).toBe(300);
    expect(await panel.getByTestId('train-error').count()).toBe(0);
    await matrix.scrollIntoViewIfNeeded();
    const evaluation = await page.screenshot();
    expect(errors).toEqual([]);

    // Only a passing run updates the screenshots in the docs, and only when asked
    // (NETFORGE_SCREENSHOTS=1 npx vitest run --project e2e e2e/training.test.ts).
    if (process.env.NETFORGE_SCREENSHOTS) {
      await mkdir(SCREENSHOTS, { recursive: true });
      await writeFile(join(SCREENSHOTS, 'dashboard-mid-run.png'), midRun);
      await writeFile(join(SCREENSHOTS, 'evaluation.png'), evaluation);
    }
  });
});
