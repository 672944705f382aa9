// The Training panel's Engine field where no Python has torch (issue 13): PyTorch stays in the
// list, labelled "not found"; chosen, it is marked with the reason and Start waits, saying what to
// do; Auto and TensorFlow.js start as before. The server's Python is a stand-in that answers
// detection's probe as a Python without torch does, so this runs the same on every machine.
// Browser mode in Chromium; nothing is trained.
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, startBrowserMode, watchForErrors, type BrowserMode } from './harness.ts';

describe.skipIf(chromiumMissing)('the Engine field without PyTorch', () => {
  let mode: BrowserMode;
  let page: Page;
  let errors: string[];
  let dir: string;
  let python: string;
  const before = process.env.NETFORGE_PYTHON;

  beforeAll(async () => {
    // What detect.ts's probe prints where `import torch` fails (the server runs in this process
    // and reads $NETFORGE_PYTHON when engines.status is asked).
    dir = await mkdtemp(join(tmpdir(), 'netforge-e2e-notorch-'));
    python = join(dir, 'python3');
    await writeFile(
      python,
      `#!/bin/sh\necho '{"error": "ModuleNotFoundError: No module named torch"}'\n`,
    );
    await chmod(python, 0o755);
    process.env.NETFORGE_PYTHON = python;
    mode = await startBrowserMode();
    page = await mode.newPage();
    await page.setViewportSize({ width: 1600, height: 1000 });
    errors = watchForErrors(page);
    await page.goto(mode.server.url);
    await page.getByTestId('app').waitFor();
  });
  afterAll(async () => {
    await mode?.close();
    if (before === undefined) delete process.env.NETFORGE_PYTHON;
    else process.env.NETFORGE_PYTHON = before;
    await rm(dir, { recursive: true, force: true });
  });

  it('marks PyTorch with why it cannot train here, and Start waits', async () => {
    await page.getByTestId('btn-templates').click();
    await page.getByTestId('template-card-lenet5').click();
    const panel = page.getByTestId('training-panel');
    const field = panel.getByTestId('train-engine');
    const note = panel.getByTestId('train-engine-status');
    const start = panel.getByTestId('train-start');
    // Auto trains with TensorFlow.js (the tests pin it; without torch it would be anyway).
    await expect.poll(() => note.textContent()).toMatch(/^Auto: /);
    await expect.poll(() => start.isEnabled()).toBe(true);
    expect(await field.locator('option[value="torch"]').textContent()).toBe('PyTorch (not found)');

    await field.selectOption('torch');
    await expect
      .poll(() => note.textContent())
      .toBe(
        `PyTorch cannot train here: ${python} has no torch. Choose Auto or TensorFlow.js, or ` +
          'install PyTorch (pip install torch, or apt-get install python3-torch) and set ' +
          'NETFORGE_PYTHON to that Python before starting Netforge.',
      );
    expect(await note.getAttribute('data-problem')).toBe('true');
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    expect(await start.isDisabled()).toBe(true);
    expect(await start.getAttribute('title')).toBe(await note.textContent());
    expect(await panel.getByTestId('train-blocker').textContent()).toBe(await note.textContent());

    // TensorFlow.js trains anywhere: the mark goes, Start is back.
    await field.selectOption('tfjs');
    await expect.poll(() => start.isEnabled()).toBe(true);
    expect(await field.getAttribute('aria-invalid')).toBeNull();
    expect(await note.getAttribute('data-problem')).toBeNull();
    expect(await note.textContent()).toMatch(/^TensorFlow\.js/);
    expect(errors).toEqual([]);
  });
});
