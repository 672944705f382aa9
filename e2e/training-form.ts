// What many stories do before they look at something: open a template from the gallery, fill the
// Training panel and press Start. Each story still says which numbers it uses and why.
import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';

/** Opens a template from the gallery; waits for the summary's total when one is given. */
export async function openTemplate(page: Page, id: string, total?: string): Promise<void> {
  await page.getByTestId('btn-templates').click();
  await page.getByTestId(`template-card-${id}`).click();
  // The template is laid out first, then opened with its own training settings: the total
  // shows once that is done, so nothing typed after it is lost.
  if (total)
    await expect.poll(() => page.getByTestId('summary-total').textContent()).toContain(total);
}

export interface TrainingFields {
  /** The data folder; the story waits until the panel finds `dataset` in it. */
  dataDir?: string;
  dataset?: 'MNIST' | 'CIFAR-10';
  limitTrain?: number;
  limitTest?: number;
  /** Per cent of the training images held out. */
  validationPercent?: number;
  epochs?: number;
  batchSize?: number;
}

/** Fills the given fields of the Training panel (`panel`), the data folder first. */
export async function fillTraining(panel: Locator, f: TrainingFields): Promise<void> {
  if (f.dataDir !== undefined) {
    await panel.getByTestId('train-data-dir').fill(f.dataDir);
    await expect
      .poll(() => panel.getByTestId('train-dataset-status').textContent())
      .toMatch(new RegExp(`${f.dataset ?? 'MNIST'} found in the data folder`));
  }
  const numbers: [string, number | undefined][] = [
    ['train-limit-train', f.limitTrain],
    ['train-limit-test', f.limitTest],
    ['train-val-split', f.validationPercent],
    ['train-epochs', f.epochs],
    ['train-batch-size', f.batchSize],
  ];
  for (const [id, value] of numbers)
    if (value !== undefined) await panel.getByTestId(id).fill(String(value));
}

/** Presses Start once the panel allows it. */
export async function startTraining(panel: Locator): Promise<void> {
  await expect.poll(() => panel.getByTestId('train-start').isEnabled()).toBe(true);
  await panel.getByTestId('train-start').click();
}
