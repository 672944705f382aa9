// The editor as a reader of the chapter uses it, in browser mode (issue 5's stories).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { chromiumMissing, openApp, type AppPage } from './harness.ts';

const node = (page: Page, name: string): Locator => page.getByTestId(`node-${name}`);

/** Drags a connection from one node's output handle to another's input handle, as a user would. */
async function connect(page: Page, from: string, to: string): Promise<void> {
  const source = node(page, from).locator('.react-flow__handle.source');
  const target = node(page, to).locator('.react-flow__handle.target');
  const a = (await source.boundingBox())!;
  const b = (await target.boundingBox())!;
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 5 });
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 5 });
  await page.mouse.up();
}

/** Selects a node by clicking its title area. */
const select = (page: Page, name: string) => node(page, name).click({ position: { x: 20, y: 10 } });

describe.skipIf(chromiumMissing)('editing networks in the browser', () => {
  let app: AppPage;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    app = await openApp({ width: 1600, height: 1000 });
    ({ page, errors } = app);
  });
  afterAll(() => app?.close());

  it('opens the LeNet-5 template and reads 60,074 parameters in the summary', async () => {
    await page.getByTestId('btn-templates').click();
    await page.getByTestId('template-card-lenet5').click();
    await expect.poll(() => page.getByTestId('summary-total').textContent()).toContain('60,074');
    await expect
      .poll(() => node(page, 'dense_2').getByTestId('node-shape').textContent())
      .toContain('(None, 10)');
  });

  it('drags a Conv2D from the palette, connects it, sets 16 filters and reads its output shape on the node', async () => {
    await page.getByTestId('btn-new').click();
    await node(page, 'input').waitFor();
    await page.getByTestId('palette-search').fill('conv2d');
    const canvas = (await page.getByTestId('canvas').boundingBox())!;
    await page.getByTestId('palette-item-conv2d').dragTo(page.getByTestId('canvas'), {
      targetPosition: { x: canvas.width / 2, y: canvas.height * 0.75 },
    });
    await node(page, 'conv2d').waitFor();
    await connect(page, 'input', 'conv2d');
    await select(page, 'conv2d');
    await page.getByTestId('param-filters').fill('16');
    await expect
      .poll(() => node(page, 'conv2d').getByTestId('node-shape').textContent())
      .toContain('(None, 26, 26, 16)');
    await expect
      .poll(() => node(page, 'conv2d').getByTestId('node-params').textContent())
      .toContain('160');
  });

  it('marks an Add fed by branches of different shapes, and undo takes the fault away', async () => {
    // A second branch beside the first: Conv2D with 8 filters, both into an Add.
    await select(page, 'input');
    await page.getByTestId('palette-item-conv2d').dblclick();
    await node(page, 'conv2d_1').waitFor();
    await select(page, 'conv2d_1');
    await page.getByTestId('param-filters').fill('8');
    await page.getByTestId('palette-search').fill('add');
    await page.getByTestId('palette-item-add').dblclick(); // below conv2d_1, connected to it
    await node(page, 'add').waitFor();
    await connect(page, 'conv2d', 'add');
    await expect.poll(() => node(page, 'add').getByTestId('node-error').count()).toBe(1);
    const message = await node(page, 'add').getByTestId('node-error').getAttribute('title');
    expect(message).toMatch(/Add needs inputs of one shape/);
    await expect.poll(() => page.getByTestId('problems').textContent()).toContain('E_ADD_SHAPES');

    await page.getByTestId('canvas').click({ position: { x: 5, y: 5 } }); // focus leaves the search box
    await page.keyboard.press('Control+z');
    // The connection is gone, and with it the shape fault (the Add now only lacks a second input).
    await expect
      .poll(
        async () => (await node(page, 'add').getByTestId('node-error').getAttribute('title')) ?? '',
      )
      .not.toMatch(/one shape/);
    await expect
      .poll(() => page.getByTestId('problems').textContent())
      .not.toContain('E_ADD_SHAPES');
  });

  it('saves, reloads the page, opens the file and gets the same graph back', async () => {
    await page.getByTestId('btn-templates').click();
    await page.getByTestId('template-card-lenet5').click();
    await expect.poll(() => page.getByTestId('summary-total').textContent()).toContain('60,074');
    await select(page, 'conv2d');
    await page.getByTestId('param-filters').fill('8');
    // 8 filters: the convs hold 80 + 1,168 instead of 60 + 880.
    await expect.poll(() => page.getByTestId('summary-total').textContent()).toContain('60,382');
    const layers = await page.locator('.react-flow__node').count();

    await page.getByTestId('btn-save').click(); // never saved: asks for a name
    await page.getByTestId('save-name').fill('my lenet');
    await page.getByTestId('save-confirm').click();
    await expect.poll(() => page.getByTestId('notice').textContent()).toMatch(/Saved "my lenet"/);

    await page.reload();
    await page.getByTestId('app').waitFor();
    // An autosave of earlier unsaved work may be offered; the saved file is what we open.
    if (await page.getByTestId('recovery').isVisible())
      await page.getByTestId('recovery-discard').click();
    await page.getByTestId('btn-open').click();
    await page.getByTestId('project-item-my lenet').click();
    await expect.poll(() => page.getByTestId('summary-total').textContent()).toContain('60,382');
    await select(page, 'conv2d');
    expect(await page.getByTestId('param-filters').inputValue()).toBe('8');
    expect(await page.locator('.react-flow__node').count()).toBe(layers);
    expect(errors).toEqual([]);
  });
});
