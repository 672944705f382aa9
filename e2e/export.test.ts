// The Export dialog in browser mode: a LeNet-5 trained for a few steps on the real MNIST files
// (../shared/datasets; skipped, saying why, without them) exported as ONNX into the exports
// folder, and a design with a layer Keras cannot express, marked on the canvas and refused by
// name until another format is chosen. The server writes runs and exports into temp folders.
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { PROJECT_SUFFIX } from '../src/main/api/handlers.ts';
import type { RunningServer } from '../src/main/server/server.ts';
import { GraphBuilder } from '../src/shared/graph/builder.ts';
import { newProject, serializeProject } from '../src/shared/project.ts';
import { chromiumMissing, openApp, watchForErrors, type AppPage } from './harness.ts';
import { fillTraining, openTemplate, startTraining } from './training-form.ts';

const ROOT = resolve(import.meta.dirname, '..');
const DATA_DIR = resolve(ROOT, '..', 'shared', 'datasets');
const SCREENSHOTS = join(ROOT, 'docs', 'screenshots');

const dataMissing = existsSync(join(DATA_DIR, 'mnist', 'train-images-idx3-ubyte.gz'))
  ? null
  : `no MNIST files in ${DATA_DIR} (see its README: the real datasets live beside the project)`;
if (dataMissing) console.warn(`e2e: skipping the export test, ${dataMissing}`);

/** LeNet-5's parameters, as float32 bytes: an ONNX file with its weights holds at least these. */
const LENET5_WEIGHT_BYTES = 60_074 * 4;

/** A transposed convolution whose size Keras's output_padding cannot make (keras-layers.ts). */
function kerasRefused() {
  const g = new GraphBuilder('Upsampler', 'mnist');
  g.chain(g.input([28, 28, 1]), [
    [
      'conv2dTranspose',
      { filters: 2, kernelSize: [2, 3], strides: [2, 2], padding: 'same', outputPadding: [1, 0] },
      'up',
    ],
    ['flatten'],
    ['dense', { units: 10 }],
  ]);
  return g.build();
}

describe.skipIf(chromiumMissing || dataMissing)('the Export dialog', () => {
  let app: AppPage;
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let projectsDir: string;
  let exportsDir: string;
  const shots: Record<string, Buffer> = {};

  beforeAll(async () => {
    // Runs and exports go to the harness's temp folders, never to ~/Netforge.
    app = await openApp({ width: 1280, height: 720 });
    ({ server, browser, page, errors, projectsDir, exportsDir } = app);
  });
  afterAll(async () => {
    await app?.close();
    // Only a passing run updates the screenshot in the docs, and only when asked
    // (NETFORGE_SCREENSHOTS=1 npx vitest run --project e2e e2e/export.test.ts).
    if (process.env.NETFORGE_SCREENSHOTS && Object.keys(shots).length > 0) {
      await mkdir(SCREENSHOTS, { recursive: true });
      for (const [name, png] of Object.entries(shots))
        await writeFile(join(SCREENSHOTS, `${name}.png`), png);
    }
  });

  it(
    'exports a trained LeNet-5 as ONNX into the exports folder',
    { timeout: 240_000 },
    async () => {
      await openTemplate(page, 'lenet5', '60,074');
      const panel = page.getByTestId('training-panel');
      // A few steps: 256 images in batches of 32, one epoch.
      await fillTraining(panel, {
        dataDir: DATA_DIR,
        limitTrain: 256,
        limitTest: 100,
        validationPercent: 0,
        epochs: 1,
        batchSize: 32,
      });
      await startTraining(panel);
      const dash = page.getByTestId('dashboard');
      await expect
        .poll(() => dash.getByTestId('train-test-accuracy').textContent(), { timeout: 120_000 })
        .toMatch(/Test accuracy/);
      // A few steps indeed: 8 batches.
      expect(await dash.getByTestId('dash-settings').textContent()).toMatch(
        /first 256 training images/,
      );

      // Export from the run's header: pick ONNX, keep the suggested name, export.
      await dash.getByTestId('run-export').click();
      const dialog = page.getByTestId('export-dialog');
      await dialog.waitFor();
      expect(await dialog.getByTestId('export-history-empty').textContent()).toMatch(/Nothing/);
      expect(await dialog.getByTestId('export-confirm').isDisabled()).toBe(true); // no format yet
      const onnx = dialog.getByTestId('export-format-onnx');
      expect(await onnx.textContent()).toMatch(/Opens with ONNX Runtime/);
      await onnx.click();
      expect(await dialog.getByTestId('export-name').inputValue()).toBe('lenet-5.onnx');
      await expect
        .poll(() => dialog.getByTestId('export-destination').textContent())
        .toContain(`${exportsDir}/lenet-5.onnx`);
      expect(await dialog.getByTestId('export-refused').count()).toBe(0);
      // A name the exports folder would not take holds Export back, saying why.
      await dialog.getByTestId('export-name').fill('../lenet.onnx');
      expect(await dialog.getByTestId('export-name-error').textContent()).toMatch(
        /letters, digits/,
      );
      expect(await dialog.getByTestId('export-confirm').isDisabled()).toBe(true);
      await dialog.getByTestId('export-name').fill('lenet-5.onnx');
      await dialog.getByTestId('export-confirm').click();
      // export.write runs `netforge export` in a process of its own: busy for a few seconds.
      await dialog.getByTestId('export-busy').waitFor();
      expect(await dialog.getByTestId('export-confirm').isDisabled()).toBe(true);
      await dialog.getByTestId('export-done').waitFor({ timeout: 120_000 });
      const path = join(exportsDir, 'lenet-5.onnx');
      expect(await dialog.getByTestId('export-result-path').textContent()).toBe(path);
      expect(await dialog.getByTestId('export-done').textContent()).toMatch(/the trained weights/);
      // The file is on disk, with the weights in it, and nothing else was left in the folder.
      expect((await stat(path)).size).toBeGreaterThan(LENET5_WEIGHT_BYTES);
      expect(await readdir(exportsDir)).toEqual(['lenet-5.onnx']);
      // The run's folder records it; the dialog and the dashboard list it.
      await expect.poll(() => dialog.getByTestId('export-record').count()).toBe(1);
      expect(await dialog.getByTestId('export-record').getAttribute('data-format')).toBe('onnx');
      // Browser mode has no file manager to show it in.
      expect(await dialog.getByTestId('export-show').count()).toBe(0);
      shots['export-dialog'] = await page.screenshot();

      await dialog.getByTestId('export-cancel').click();
      await expect.poll(() => dialog.count()).toBe(0);
      expect(await dash.getByTestId('run-exports').textContent()).toMatch(/1 export/);
      // From the runs list too: the run's exports, newest first, after a second one.
      const item = dash.getByTestId('run-item').first();
      await item.hover();
      await item.getByTestId('run-item-export').click();
      // Opened again, it shows the last export, and its name follows a new format.
      expect(await dialog.getByTestId('export-result-path').textContent()).toBe(path);
      await dialog.getByTestId('export-format-tfjs').click();
      expect(await dialog.getByTestId('export-name').inputValue()).toBe('lenet-5-tfjs');
      await dialog.getByTestId('export-confirm').click();
      await dialog.getByTestId('export-busy').waitFor();
      await dialog.getByTestId('export-done').waitFor({ timeout: 120_000 });
      expect(await dialog.getByTestId('export-result-file').allTextContents()).toContain(
        'model.json',
      );
      await expect.poll(() => dialog.getByTestId('export-record').count()).toBe(2);
      expect(
        await dialog
          .getByTestId('export-record')
          .evaluateAll((els) => els.map((e) => e.getAttribute('data-format'))),
      ).toEqual(['tfjs', 'onnx']);
      await page.keyboard.press('Escape');
      await expect.poll(() => dialog.count()).toBe(0);
      expect(errors).toEqual([]);
    },
  );

  it(
    'offers the desktop app’s file manager for a written export',
    { timeout: 120_000 },
    async () => {
      // Browser mode has none; a page whose bridge has one (the desktop preload's, here a stand-in
      // that records what it was asked, since Electron can't run on this machine) shows the button.
      const desk = await browser.newPage();
      await desk.setViewportSize({ width: 1280, height: 720 });
      const deskErrors = watchForErrors(desk);
      await desk.addInitScript(
        `window.netforge = { version: 'test', showExport: async (name) => { window.shownExport = name; return null; } };`,
      );
      await desk.goto(server.url);
      await desk.getByTestId('tab-dashboard').click();
      const item = desk.getByTestId('run-item').first();
      await item.hover();
      await item.getByTestId('run-item-export').click();
      const dialog = desk.getByTestId('export-dialog');
      // A run's dialog lists what its folder records, without exporting anything first.
      await expect.poll(() => dialog.getByTestId('export-record').count()).toBe(2);
      await dialog.getByTestId('export-format-keras-py').click();
      await dialog.getByTestId('export-distribute').check();
      await dialog.getByTestId('export-name').fill('lenet-5 multi-gpu.py');
      await dialog.getByTestId('export-confirm').click();
      await dialog.getByTestId('export-done').waitFor({ timeout: 120_000 });
      const script = await readFile(join(exportsDir, 'lenet-5 multi-gpu.py'), 'utf8');
      expect(script).toContain('MirroredStrategy');
      await dialog.getByTestId('export-show').click();
      await expect
        .poll(() => desk.evaluate(() => (globalThis as { shownExport?: string }).shownExport))
        .toBe('lenet-5 multi-gpu.py');
      await desk.close();
      expect(deskErrors).toEqual([]);
    },
  );

  it(
    'marks a layer the format cannot express and names it until another format is chosen',
    { timeout: 180_000 },
    async () => {
      const text = serializeProject(newProject(kerasRefused()));
      await writeFile(join(projectsDir, `upsampler${PROJECT_SUFFIX}`), text);
      await page.getByTestId('btn-open').click();
      await page.getByTestId('project-item-upsampler').click();
      await expect.poll(() => page.getByTestId('project-title').textContent()).toMatch(/upsampler/);

      await page.getByTestId('btn-export').click();
      const dialog = page.getByTestId('export-dialog');
      expect(await dialog.locator('h2').textContent()).toMatch(/design “Upsampler”/);
      await dialog.getByTestId('export-format-keras-h5').click();
      const refused = dialog.getByTestId('export-refused-layer');
      await expect.poll(() => refused.count()).toBe(1);
      expect(await refused.getAttribute('data-layer')).toBe('up');
      expect(await refused.textContent()).toMatch(/output padding on both axes or neither/);
      expect(await dialog.getByTestId('export-confirm').isDisabled()).toBe(true);
      expect(await dialog.getByTestId('export-blocker').textContent()).toBe(
        'Keras HDF5 (.h5) cannot express up.',
      );
      // The node carries the mark on the canvas, with the reason on hover.
      const node = page.getByTestId('node-up');
      await expect.poll(() => node.getAttribute('data-export-refused')).toBe('true');
      const mark = node.getByTestId('node-export-mark');
      expect(await mark.getAttribute('title')).toMatch(
        /^Not exportable to Keras HDF5 \(\.h5\): .*output padding on both axes or neither/,
      );
      // Only that node: the other layers are expressed.
      expect(await page.locator('[data-export-refused]').count()).toBe(1);
      // The Keras script refuses it too; the layer is then shown on the canvas, in the inspector.
      await dialog.getByTestId('export-format-keras-py').click();
      await expect.poll(() => refused.count()).toBe(1);
      await dialog.getByTestId('export-refused-show').click();
      await expect.poll(() => dialog.count()).toBe(0);
      expect(await page.getByTestId('inspector-export-mark').textContent()).toMatch(
        /^Not exportable to Keras training script \(\.py\): .*output padding/,
      );
      const bar = page.getByTestId('export-marks-bar');
      expect(await bar.textContent()).toMatch(/^1 layer not in Keras training script \(\.py\)/);
      expect(await bar.locator('.export-marks-text').getAttribute('title')).toMatch(
        /^1 layer marked: Keras training script \(\.py\) cannot express it/,
      );

      // Opened again, the dialog keeps the marked format; ONNX expresses the layer: the mark
      // goes, and the design exports with its initial weights.
      await page.getByTestId('btn-export').click();
      expect(await dialog.getByTestId('export-name').inputValue()).toBe('upsampler.py');
      await expect.poll(() => refused.count()).toBe(1);
      await dialog.getByTestId('export-format-onnx').click();
      await expect.poll(() => node.getAttribute('data-export-refused')).toBeNull();
      expect(await dialog.getByTestId('export-refused').count()).toBe(0);
      expect(await dialog.getByTestId('export-name').inputValue()).toBe('upsampler.onnx');
      await dialog.getByTestId('export-confirm').click();
      await dialog.getByTestId('export-busy').waitFor();
      await dialog.getByTestId('export-done').waitFor({ timeout: 120_000 });
      expect(await dialog.getByTestId('export-done').textContent()).toMatch(/initial weights/);
      expect((await stat(join(exportsDir, 'upsampler.onnx'))).size).toBeGreaterThan(0);
      await dialog.getByTestId('export-cancel').click();
      // Nothing left to mark: the bar is gone with the marks.
      expect(await page.getByTestId('export-marks-bar').count()).toBe(0);
      expect(errors).toEqual([]);
    },
  );
});
