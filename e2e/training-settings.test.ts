// A project keeps its training settings (issue 10), the engine choice among them (issue 13): what
// the user sets in the Training panel is saved with the project and comes back when it is opened,
// after a reload too. Browser mode in Chromium; no dataset is needed, nothing is trained.
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, openApp, type AppPage } from './harness.ts';

/** The Training panel's fields this story sets, as the form shows them. */
const settings = async (panel: Locator) => ({
  lr: await panel.getByTestId('train-lr').inputValue(),
  epochs: await panel.getByTestId('train-epochs').inputValue(),
  optimizer: await panel.getByTestId('train-optimizer').inputValue(),
  engine: await panel.getByTestId('train-engine').inputValue(),
});

const DEFAULTS = { lr: '0.01', epochs: '5', optimizer: 'sgd', engine: 'auto' };

describe.skipIf(chromiumMissing)("a project keeps the Training panel's settings", () => {
  let app: AppPage;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    app = await openApp({ width: 1600, height: 1000 });
    ({ page, errors } = app);
  });
  afterAll(() => app?.close());

  it('changes lr, epochs, optimizer and engine, saves, reloads, opens: the form shows them', async () => {
    await page.getByTestId('btn-templates').click();
    await page.getByTestId('template-card-lenet5').click();
    await expect.poll(() => page.getByTestId('summary-total').textContent()).toContain('60,074');
    const panel = page.getByTestId('training-panel');
    expect(await settings(panel)).toEqual(DEFAULTS);

    await panel.getByTestId('train-optimizer').selectOption('adam');
    await panel.getByTestId('train-lr').fill('0.0005');
    await panel.getByTestId('train-epochs').fill('12');
    // TensorFlow.js: a choice every machine can train with.
    await panel.getByTestId('train-engine').selectOption('tfjs');
    // Changed settings are unsaved work, like an edit of the graph.
    await expect
      .poll(() => page.getByTestId('project-title').getAttribute('data-dirty'))
      .toBe('true');

    await page.getByTestId('btn-save').click(); // never saved: asks for a name
    await page.getByTestId('save-name').fill('lenet settings');
    await page.getByTestId('save-confirm').click();
    await expect
      .poll(() => page.getByTestId('notice').textContent())
      .toMatch(/Saved "lenet settings"/);

    await page.reload();
    await page.getByTestId('app').waitFor();
    if (await page.getByTestId('recovery').isVisible())
      await page.getByTestId('recovery-discard').click();
    // A fresh page starts with the form's defaults.
    expect(await settings(panel)).toEqual(DEFAULTS);

    await page.getByTestId('btn-open').click();
    await page.getByTestId('project-item-lenet settings').click();
    await expect.poll(() => page.getByTestId('summary-total').textContent()).toContain('60,074');
    await expect
      .poll(() => settings(panel))
      .toEqual({ lr: '0.0005', epochs: '12', optimizer: 'adam', engine: 'tfjs' });
    expect(await page.getByTestId('project-title').getAttribute('data-dirty')).toBe('false');

    // New starts over with the defaults; the saved project still has its settings.
    await page.getByTestId('btn-new').click();
    await expect.poll(() => settings(panel)).toEqual(DEFAULTS);
    expect(errors).toEqual([]);
  });
});
