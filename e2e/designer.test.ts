// The designer's day (issue 14) in browser mode: the frame at 1280x720, blocks that expand in
// place, big graphs drawn legibly, the Training form's marks and the remembered data folder.
// No dataset is needed; nothing is trained. With NETFORGE_SCREENSHOTS=1 a passing run writes the
// frame's screenshots (1280x720 and 1920x1080, light and dark) into docs/screenshots.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, openApp, type AppPage } from './harness.ts';

const SCREENSHOTS = resolve(import.meta.dirname, '..', 'docs', 'screenshots');

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

// The page's globals as far as the functions run in it (page.evaluate) use them: the e2e project
// compiles without the DOM library. Declarations only; those functions run in the browser.
interface PageElement {
  getBoundingClientRect(): Box;
  dataset: Record<string, string | undefined>;
  querySelector(selector: string): PageElement | null;
  contains(other: PageElement | null): boolean;
}
declare const document: {
  querySelectorAll(selector: string): Iterable<PageElement>;
  elementFromPoint(x: number, y: number): PageElement | null;
};
declare const window: { innerWidth: number; innerHeight: number };
declare function getComputedStyle(el: PageElement): { fontSize: string };

/** The drawn nodes' boxes on screen, by node name. */
const nodeBoxes = (page: Page): Promise<Record<string, Box>> =>
  page.evaluate(() => {
    const out: Record<string, Box> = {};
    for (const el of document.querySelectorAll('.nf-node')) {
      const r = el.getBoundingClientRect();
      out[el.dataset['testid']!.slice(5)] = { x: r.x, y: r.y, width: r.width, height: r.height };
    }
    return out;
  });

/** Pairs of drawn nodes that overlap. */
function overlapping(boxes: Record<string, Box>): string[] {
  const list = Object.entries(boxes);
  const out: string[] = [];
  for (let i = 0; i < list.length; i++)
    for (let j = i + 1; j < list.length; j++) {
      const [a, p] = list[i]!;
      const [b, q] = list[j]!;
      if (
        p.x < q.x + q.width &&
        q.x < p.x + p.width &&
        p.y < q.y + q.height &&
        q.y < p.y + p.height
      )
        out.push(`${a} / ${b}`);
    }
  return out;
}

/** The canvas's zoom, from React Flow's viewport transform. */
const zoomOf = async (page: Page): Promise<number> => {
  const style = (await page.locator('.react-flow__viewport').getAttribute('style')) ?? '';
  return Number(/scale\(([\d.]+)\)/.exec(style)?.[1] ?? NaN);
};

/** Whether `l` is on screen and not covered by anything at its centre. */
const uncovered = (l: Locator): Promise<boolean> =>
  l.evaluate((node) => {
    const el = node as unknown as PageElement;
    const r = el.getBoundingClientRect();
    const x = r.x + r.width / 2;
    const y = r.y + r.height / 2;
    if (r.width === 0 || y > window.innerHeight || x > window.innerWidth || y < 0) return false;
    const top = document.elementFromPoint(x, y);
    return top !== null && (top === el || el.contains(top));
  });

async function openTemplate(page: Page, id: string): Promise<void> {
  await page.getByTestId('btn-templates').click();
  await page.getByTestId(`template-card-${id}`).click();
  await page.getByTestId('template-gallery').waitFor({ state: 'detached' });
}

describe.skipIf(chromiumMissing)('the designer’s day in the browser', () => {
  let app: AppPage;
  let page: Page;
  let errors: string[];
  let empty: string;

  beforeAll(async () => {
    empty = await mkdtemp(join(tmpdir(), 'netforge-e2e-nodata-'));
    app = await openApp({ width: 1280, height: 720 });
    ({ page, errors } = app);
  });
  afterAll(async () => {
    await app?.close();
    await rm(empty, { recursive: true, force: true });
  });

  it('at 1280x720 the inspector’s first field and Start are in view, the tabs outside the canvas', async () => {
    await openTemplate(page, 'lenet5');
    await page.getByTestId('node-conv2d').click({ position: { x: 30, y: 12 } });
    const name = page.getByTestId('node-name');
    await name.waitFor();
    expect(await uncovered(name)).toBe(true);
    expect(await uncovered(page.getByTestId('train-start'))).toBe(true);
    const canvas = (await page.getByTestId('canvas').boundingBox())!;
    const tabs = (await page.getByTestId('tab-canvas').boundingBox())!;
    expect(tabs.y + tabs.height).toBeLessThanOrEqual(canvas.y);
    // The minimap takes a small corner, and the summary well under a third of the height.
    const minimap = (await page.locator('.react-flow__minimap').boundingBox())!;
    expect(minimap.width * minimap.height).toBeLessThan(0.06 * canvas.width * canvas.height);
    const bottom = (await page.getByTestId('summary').boundingBox())!;
    expect(bottom.height).toBeLessThan(720 / 4);
    expect(canvas.height).toBeGreaterThan(720 / 2);
  });

  it('resizes and folds panels, and remembers them after a reload', async () => {
    const bar = (await page.getByTestId('splitter-right').boundingBox())!;
    const before = (await page.getByTestId('inspector').boundingBox())!.width;
    await page.mouse.move(bar.x + 2, bar.y + 200);
    await page.mouse.down();
    await page.mouse.move(bar.x - 78, bar.y + 200, { steps: 4 });
    await page.mouse.up();
    const wider = (await page.getByTestId('inspector').boundingBox())!.width;
    expect(wider).toBeGreaterThan(before + 60);
    await page.getByTestId('toggle-bottom').click();
    await expect.poll(() => page.getByTestId('summary').count()).toBe(0);
    await page.getByTestId('toggle-minimap').uncheck();
    await page.reload();
    await page.getByTestId('app').waitFor();
    expect((await page.getByTestId('inspector').boundingBox())!.width).toBeCloseTo(wider, 0);
    expect(await page.getByTestId('summary').count()).toBe(0);
    expect(await page.locator('.react-flow__minimap').count()).toBe(0);
    await page.getByTestId('toggle-bottom').click();
    await page.getByTestId('toggle-minimap').check();
    await page.getByTestId('summary').waitFor();
  });

  it('drops a layer beside, never onto, the node under the pointer', async () => {
    await page.getByTestId('btn-new').click();
    const input = page.getByTestId('node-input');
    await input.waitFor();
    const box = (await input.boundingBox())!;
    const canvas = (await page.getByTestId('canvas').boundingBox())!;
    await page.getByTestId('palette-item-dense').dragTo(page.getByTestId('canvas'), {
      targetPosition: {
        x: box.x - canvas.x + box.width / 2,
        y: box.y - canvas.y + box.height / 2,
      },
    });
    await page.getByTestId('node-dense').waitFor();
    expect(overlapping(await nodeBoxes(page))).toEqual([]);
  });

  it('expands a block in place with no two nodes overlapping, the view steady; collapse and undo restore it', async () => {
    await openTemplate(page, 'resnet18');
    await page.getByTestId('node-stage2_block1').waitFor();
    const viewport = page.locator('.react-flow__viewport');
    const view = await viewport.getAttribute('style');
    const before = await nodeBoxes(page);
    await page.getByTestId('node-stage2_block1').getByTestId('node-expand').click();
    await page.getByTestId('node-stage2_block1_conv1').waitFor();
    expect(await viewport.getAttribute('style')).toBe(view);
    // The block's first layer is where the block was.
    const after = await nodeBoxes(page);
    expect(after['stage2_block1_conv1']!.y).toBeCloseTo(before['stage2_block1']!.y, 0);
    // Zoomed out so that every node is drawn (nodes out of view are not): none overlaps.
    const rows = await page.locator('[data-testid^="summary-row-"]').count();
    for (let i = 0; i < 12 && Object.keys(await nodeBoxes(page)).length < rows; i++) {
      await page.locator('.react-flow__controls-zoomout').click();
      await page.waitForTimeout(100);
    }
    expect(Object.keys(await nodeBoxes(page)).length).toBe(rows);
    expect(overlapping(await nodeBoxes(page))).toEqual([]);

    await page.getByTestId('node-stage2_block1_conv1').getByTestId('node-collapse').click();
    await page.getByTestId('node-stage2_block1').waitFor();
    const collapsed = await nodeBoxes(page);
    await page.keyboard.press('Control+z'); // back to expanded
    await page.getByTestId('node-stage2_block1_conv1').waitFor();
    expect(overlapping(await nodeBoxes(page))).toEqual([]);
    await page.keyboard.press('Control+z'); // back to the template as opened
    await page.getByTestId('node-stage2_block1').waitFor();
    expect(await nodeBoxes(page)).toEqual(collapsed);
  });

  it('draws ResNet-152 after fit with legible labels: full nodes when close, compact ones otherwise', async () => {
    await page.setViewportSize({ width: 1440, height: 900 });
    for (const template of ['lenet5', 'resnet152']) {
      await openTemplate(page, template);
      await page.getByTestId('canvas-fit').click();
      await page.waitForTimeout(400); // the fit's animation
      const zoom = await zoomOf(page);
      const drawn = await page.evaluate((z) => {
        const px = (el: PageElement | null) =>
          el ? parseFloat(getComputedStyle(el).fontSize) * z : 0;
        return [...document.querySelectorAll('.nf-node')].map((n) => ({
          detail: n.dataset['detail'],
          label: px(n.querySelector('[data-testid="node-label"]')),
          shape: px(n.querySelector('[data-testid="node-shape"]')),
        }));
      }, zoom);
      expect(drawn.length).toBeGreaterThan(5);
      const expected = zoom >= 0.75 ? 'full' : 'compact';
      for (const n of drawn) {
        expect(n.detail).toBe(expected);
        expect(n.label, `${template} at zoom ${zoom}`).toBeGreaterThanOrEqual(9);
        expect(n.shape).toBeGreaterThanOrEqual(8);
      }
    }
    // Zooming in past the threshold draws the nodes in full.
    for (let i = 0; i < 3; i++) await page.locator('.react-flow__controls-zoomin').click();
    await expect.poll(() => zoomOf(page)).toBeGreaterThanOrEqual(0.75);
    await expect
      .poll(() => page.locator('.nf-node').first().getAttribute('data-detail'))
      .toBe('full');
    await page.setViewportSize({ width: 1280, height: 720 });
  });

  it('marks every bad training field, and Start says how many', async () => {
    await openTemplate(page, 'lenet5');
    const panel = page.getByTestId('training-panel');
    await panel.getByTestId('train-lr').fill('-0.1');
    await panel.getByTestId('train-batch-size').fill('0');
    await panel.getByTestId('train-epochs').fill('abc');
    for (const id of ['train-lr', 'train-batch-size', 'train-epochs']) {
      expect(await panel.getByTestId(id).getAttribute('aria-invalid')).toBe('true');
      expect(await panel.getByTestId(`${id}-error`).textContent()).toMatch(/^Must be a/);
    }
    expect(await panel.getByTestId('train-start').isDisabled()).toBe(true);
    expect(await panel.getByTestId('train-blocker').textContent()).toMatch(
      /Fix the 3 marked settings/,
    );
    await panel.getByTestId('train-lr').fill('0.01');
    await panel.getByTestId('train-batch-size').fill('32');
    await panel.getByTestId('train-epochs').fill('2');
    expect(await panel.locator('[aria-invalid="true"]').count()).toBe(0);
  });

  it('keeps the data folder across a reload; Start waits while it lacks the files', async () => {
    const panel = page.getByTestId('training-panel');
    await panel.getByTestId('train-data-dir').fill(empty);
    await expect
      .poll(() => panel.getByTestId('train-blocker').textContent())
      .toContain(`The Data folder (${empty}) has no MNIST files`);
    expect(await panel.getByTestId('train-start').isDisabled()).toBe(true);
    expect(await panel.getByTestId('train-data-dir').getAttribute('aria-invalid')).toBe('true');
    await page.reload();
    await page.getByTestId('app').waitFor();
    if (await page.getByTestId('recovery').isVisible())
      await page.getByTestId('recovery-discard').click();
    expect(await panel.getByTestId('train-data-dir').inputValue()).toBe(empty);
    await panel.getByTestId('train-data-dir').fill('');
    expect(errors).toEqual([]);
  });

  it('frames the screenshots of the docs', async () => {
    if (!process.env.NETFORGE_SCREENSHOTS) return;
    await mkdir(SCREENSHOTS, { recursive: true });
    // The frame as a new user sees it: the panels' default sizes, not the ones resized above.
    await page.evaluate('localStorage.removeItem("netforge.panels")');
    await page.reload();
    await page.getByTestId('app').waitFor();
    for (const theme of ['light', 'dark'] as const) {
      for (const [width, height] of [
        [1280, 720],
        [1920, 1080],
      ] as const) {
        await page.setViewportSize({ width, height });
        const dark = (await page.getByTestId('btn-theme').getAttribute('aria-pressed')) === 'true';
        if (dark !== (theme === 'dark')) await page.getByTestId('btn-theme').click();
        await openTemplate(page, 'resnet18');
        await page.getByTestId('node-stage1_block2').getByTestId('node-expand').click();
        await page.getByTestId('node-stem_conv').click({ position: { x: 30, y: 12 } });
        await page.waitForTimeout(300);
        await writeFile(
          join(SCREENSHOTS, `frame-${width}x${height}-${theme}.png`),
          await page.screenshot(),
        );
      }
    }
    await page.getByTestId('btn-theme').click();
  });
});
