// Training with the PyTorch engine chosen in the Training panel (issue 13), in browser mode: the
// Engine field says what engines.status found, the run trains LeNet-5 on the real MNIST files in
// ../shared/datasets through the Python runner, the engine line names PyTorch, pause and resume
// work, and the evaluation (tfjs's, on the TF.js model the runner wrote) shows at the end; a
// reload reopens the run with the same engine line. Skipped, saying why ("python3 has no torch"),
// where the engine's own detection finds no Python with torch: the one the server runs, so the
// story and the server agree ($NETFORGE_PYTHON alone, else python3, then /usr/bin/python3).
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { detectTorch } from '../src/main/engine/torch/detect.ts';
import { chromiumMissing, openApp, type AppPage } from './harness.ts';
import { fillTraining, openTemplate, startTraining } from './training-form.ts';

const DATA_DIR = resolve(import.meta.dirname, '..', '..', 'shared', 'datasets');
const dataMissing = existsSync(join(DATA_DIR, 'mnist', 'train-images-idx3-ubyte.gz'))
  ? null
  : `no MNIST files in ${DATA_DIR} (see its README: the real datasets live beside the project)`;
const probe = await detectTorch();
const noTorch = probe.ok ? null : probe.why;
for (const why of [dataMissing, noTorch])
  if (why) console.warn(`e2e: skipping the PyTorch training story, ${why}`);

/** PyTorch's detection line, as the Engine field and the engine line show it. */
const TORCH_LINE = /^PyTorch \d+\.\d+ on (CPU, \d+ threads?|CUDA \(.+\)|Apple MPS)/;

const step = async (page: Page): Promise<number> =>
  Number((await page.getByTestId('train-progress').getAttribute('data-step')) ?? 0);

const attr = async (l: Locator, name: string): Promise<number> =>
  Number((await l.getAttribute(name)) ?? 0);

describe.skipIf(chromiumMissing || dataMissing || noTorch)(
  `training LeNet-5 with the PyTorch engine chosen in the Training panel${noTorch ? ` (skipped: ${noTorch})` : ''}`,
  () => {
    let app: AppPage;
    let page: Page;
    let errors: string[];

    beforeAll(async () => {
      app = await openApp({ width: 1600, height: 1000 });
      ({ page, errors } = app);
    });
    afterAll(() => app?.close());

    it(
      'trains, pauses, resumes and shows the evaluation, naming PyTorch',
      { timeout: 300_000 },
      async () => {
        await openTemplate(page, 'lenet5', '60,074');

        const panel = page.getByTestId('training-panel');
        const engineStatus = panel.getByTestId('train-engine-status');
        // Auto, as the test suite pins it (NETFORGE_ENGINE=tfjs, which pins auto and nothing else).
        // Finding PyTorch takes a few seconds on a cold, busy machine.
        expect(await panel.getByTestId('train-engine').inputValue()).toBe('auto');
        await expect
          .poll(() => engineStatus.textContent(), { timeout: 60_000 })
          .toBe('Auto: TensorFlow.js (NETFORGE_ENGINE=tfjs)');
        await panel.getByTestId('train-engine').selectOption('torch');
        await expect.poll(() => engineStatus.textContent()).toMatch(TORCH_LINE);
        expect(await engineStatus.getAttribute('data-problem')).toBeNull();

        // 1,800 training samples (200 held out) in batches of 32: 57 steps an epoch, 456 in all.
        // PyTorch trains them in seconds; enough to pause by clicking.
        await fillTraining(panel, {
          dataDir: DATA_DIR,
          limitTrain: 2000,
          limitTest: 500,
          validationPercent: 10,
          epochs: 8,
          batchSize: 32,
        });
        await startTraining(panel);

        const dash = page.getByTestId('dashboard');
        await dash.waitFor();
        // The engine line names the engine the run used, in the panel and the dashboard's header.
        await expect
          .poll(() => panel.getByTestId('train-backend').textContent(), { timeout: 60_000 })
          .toMatch(/^Engine: PyTorch \d+\.\d+ on /);
        await expect
          .poll(() => dash.getByTestId('dash-engine').textContent())
          .toMatch(/^Engine: PyTorch \d+\.\d+ on /);

        // The charts move.
        await expect
          .poll(() => attr(dash.getByTestId('chart-loss'), 'data-points'), { timeout: 60_000 })
          .toBeGreaterThan(0);
        const first = await step(page);
        await expect.poll(() => step(page)).toBeGreaterThan(first);
        await expect
          .poll(() => panel.getByTestId('train-progress').textContent())
          .toMatch(/epoch \d+\/8, step \d+\/456, \d+ samples\/s, ETA/);

        // Pause: the runner stops at the next batch and says so; nothing moves until Resume.
        await panel.getByTestId('train-pause').click();
        await panel.getByTestId('train-resume').waitFor({ timeout: 30_000 });
        const paused = await step(page);
        expect(paused).toBeLessThan(456);
        await page.waitForTimeout(1000);
        expect(await step(page)).toBe(paused);
        await panel.getByTestId('train-resume').click();
        await expect.poll(() => step(page)).toBeGreaterThan(paused);

        // The evaluation at the end: tfjs's, on the TF.js model the runner wrote.
        await expect
          .poll(() => dash.getByTestId('train-test-accuracy').textContent(), { timeout: 180_000 })
          .toMatch(/Test accuracy \d+\.\d+% · loss \d+\.\d+ on 500 images/);
        expect(await step(page)).toBe(456);
        expect(await panel.getByTestId('train-error').count()).toBe(0);
        expect(await attr(dash.getByTestId('chart-loss'), 'data-epochs')).toBe(8);
        // LeNet-5 on 1,800 digits for 8 epochs is well past chance (10%).
        const accuracy = Number(
          /Test accuracy (\d+\.\d+)%/.exec(
            (await dash.getByTestId('train-test-accuracy').textContent()) ?? '',
          )?.[1],
        );
        expect(accuracy).toBeGreaterThan(50);
        expect(await dash.getByTestId('confusion-matrix').locator('tbody tr').count()).toBe(10);
        await dash.getByTestId('run-files').locator('summary').click();
        const files = await dash.getByTestId('run-file').allTextContents();
        expect(files.some((f) => f.startsWith('model/model.json'))).toBe(true);
        expect(errors).toEqual([]);
      },
    );

    it('reopens the run after a reload with the engine it used', { timeout: 120_000 }, async () => {
      await page.reload();
      await page.getByTestId('app').waitFor();
      // A fresh page starts at Auto: the choice is the project's, and this one was not saved.
      const panel = page.getByTestId('training-panel');
      expect(await panel.getByTestId('train-engine').inputValue()).toBe('auto');
      await page.getByTestId('tab-dashboard').click();
      const dash = page.getByTestId('dashboard');
      const runs = dash.getByTestId('run-item');
      await expect.poll(() => runs.count()).toBe(1);
      await runs.first().getByTestId('run-open').click();
      await expect
        .poll(() => dash.getByTestId('train-test-accuracy').textContent())
        .toMatch(/Test accuracy \d+\.\d+%/);
      expect(await dash.getByTestId('dash-engine').textContent()).toMatch(
        /^Engine: PyTorch \d+\.\d+ on /,
      );
      // "Edit and train again" brings back the engine it trained with.
      await dash.getByTestId('run-edit-again').click();
      await expect.poll(() => panel.getByTestId('train-engine').inputValue()).toBe('torch');
      expect(errors).toEqual([]);
    });
  },
);
