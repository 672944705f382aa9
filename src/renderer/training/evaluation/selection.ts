// What the evaluation view shows, as pure functions: the examples behind a confusion-matrix
// cell and how many of the cell's count they are, the gallery's order and pages, shading and
// keyboard moves in the matrix.
import { EXAMPLES_PER_CLASS, type Evaluation } from '../../../shared/events.ts';

/** One test image with what the network said about it. */
export interface Example {
  index: number;
  label: number;
  predicted: number;
  /** The softmax probability of the predicted class. */
  confidence: number;
}

export interface CellSelection {
  trueClass: number;
  predicted: number;
  /** The cell's count in the confusion matrix. */
  count: number;
  /** The examples the evaluation kept for this cell, in test order (count or fewer). */
  examples: Example[];
  /** Why fewer examples than the count are available, or null when all are. */
  note: string | null;
}

const fmt = (n: number) => n.toLocaleString('en-US');
const plural = (n: number, one: string, many = `${one}s`) => `${fmt(n)} ${n === 1 ? one : many}`;

/** Wrong predictions in the whole test set (off-diagonal sum of the confusion matrix). */
export function wrongTotal(evaluation: Evaluation): number {
  let n = 0;
  evaluation.confusion.forEach((row, t) =>
    row.forEach((count, p) => {
      if (t !== p) n += count;
    }),
  );
  return n;
}

/**
 * The images behind confusion[trueClass][predicted]: off the diagonal from `misclassified`
 * (the engine keeps the first 1,000 wrong predictions), on it from `correct` (the first
 * EXAMPLES_PER_CLASS right ones per class; runs from before it was kept have none).
 */
export function cellExamples(
  evaluation: Evaluation,
  trueClass: number,
  predicted: number,
): CellSelection {
  const count = evaluation.confusion[trueClass]?.[predicted] ?? 0;
  let examples: Example[];
  let note: string | null = null;
  if (trueClass === predicted) {
    examples = evaluation.correct
      .filter((c) => c.label === trueClass)
      .map((c) => ({ ...c, predicted: c.label }));
    if (examples.length < count)
      note =
        evaluation.correct.length === 0
          ? 'This run kept no examples of right predictions (it predates them), so none can be shown.'
          : `The run keeps only the first ${EXAMPLES_PER_CLASS} right predictions of each class, in test order.`;
  } else {
    examples = evaluation.misclassified.filter(
      (m) => m.label === trueClass && m.predicted === predicted,
    );
    if (examples.length < count)
      note =
        `The run keeps only the first ${fmt(evaluation.misclassified.length)} of its ` +
        `${fmt(wrongTotal(evaluation))} wrong predictions, in test order.`;
  }
  return { trueClass, predicted, count, examples, note };
}

/** "Showing all 12 images." or "Showing 50 of 980 images." */
export function cellCountText(cell: CellSelection): string {
  const n = cell.examples.length;
  if (n === cell.count) return n === 1 ? 'Showing the 1 image.' : `Showing all ${fmt(n)} images.`;
  return `Showing ${fmt(n)} of ${plural(cell.count, 'image')}.`;
}

export type GalleryOrder = 'confidence' | 'test';

/**
 * The gallery's order: 'confidence' puts the most confident predictions first (for wrong ones
 * the most instructive: what the network is sure of and gets wrong), ties in test order;
 * 'test' is test-set order.
 */
export function orderExamples<T extends { index: number; confidence: number }>(
  items: readonly T[],
  order: GalleryOrder,
): T[] {
  const sorted = [...items];
  if (order === 'confidence')
    sorted.sort((a, b) => b.confidence - a.confidence || a.index - b.index);
  else sorted.sort((a, b) => a.index - b.index);
  return sorted;
}

export interface Page<T> {
  items: T[];
  /** The page shown, clamped to the pages there are (0-based). */
  page: number;
  /** At least 1, even for no items. */
  pages: number;
  /** The first item's position (0-based) and one past the last. */
  start: number;
  end: number;
  total: number;
}

export function pageOf<T>(items: readonly T[], page: number, size: number): Page<T> {
  const total = items.length;
  const pages = Math.max(1, Math.ceil(total / size));
  const p = Math.min(Math.max(0, Math.floor(page)), pages - 1);
  const start = Math.min(p * size, total);
  const end = Math.min(start + size, total);
  return { items: items.slice(start, end), page: p, pages, start, end, total };
}

/** "41–80 of 1,000" (positions 1-based), or "none". */
export function pageText(page: Page<unknown>): string {
  if (page.total === 0) return 'none';
  return `${fmt(page.start + 1)}–${fmt(page.end)} of ${fmt(page.total)}`;
}

/**
 * How strongly a cell is shaded, 0..1: its count relative to its row (the true class's
 * samples), on a square-root scale so that a few errors among a thousand still show.
 */
export function cellShade(count: number, rowTotal: number): number {
  if (rowTotal <= 0 || count <= 0) return 0;
  return Math.sqrt(Math.min(1, count / rowTotal));
}

export type MatrixKey = 'ArrowLeft' | 'ArrowRight' | 'ArrowUp' | 'ArrowDown' | 'Home' | 'End';

/**
 * The non-zero cell a key moves to from (t, p) in the confusion matrix: the next one in that
 * direction (arrows), the row's first or last (Home, End), or null if there is none.
 */
export function nextCell(
  confusion: number[][],
  t: number,
  p: number,
  key: MatrixKey,
): [number, number] | null {
  const nonZero = (r: number, c: number) => (confusion[r]?.[c] ?? 0) > 0;
  const cols = confusion[t]?.length ?? 0;
  const step = (dr: number, dc: number): [number, number] | null => {
    for (let r = t + dr, c = p + dc; r >= 0 && r < confusion.length && c >= 0 && c < cols;) {
      if (nonZero(r, c)) return [r, c];
      r += dr;
      c += dc;
    }
    return null;
  };
  switch (key) {
    case 'ArrowLeft':
      return step(0, -1);
    case 'ArrowRight':
      return step(0, 1);
    case 'ArrowUp':
      return step(-1, 0);
    case 'ArrowDown':
      return step(1, 0);
    case 'Home':
      for (let c = 0; c < cols; c++) if (nonZero(t, c)) return c === p ? null : [t, c];
      return null;
    case 'End':
      for (let c = cols - 1; c >= 0; c--) if (nonZero(t, c)) return c === p ? null : [t, c];
      return null;
  }
}

/** A class's name, or its number when the names are missing. */
export function className(names: readonly string[], i: number): string {
  return names[i] ?? String(i);
}

/** 0.934 -> "93%"; digits after the point as asked. */
export function percent(x: number, digits = 0): string {
  return Number.isFinite(x) ? `${(x * 100).toFixed(digits)}%` : '–';
}

/** "7 → 2" for a wrong prediction, "7" for a right one. */
export function exampleNames(names: readonly string[], e: Example): string {
  return e.label === e.predicted
    ? className(names, e.label)
    : `${className(names, e.label)} → ${className(names, e.predicted)}`;
}

/** "7 → 2 · 93%" */
export function exampleCaption(names: readonly string[], e: Example): string {
  return `${exampleNames(names, e)} · ${percent(e.confidence)}`;
}

/** A typed test-image number, or null unless it is a whole number in 0..samples-1. */
export function parseIndex(text: string, samples: number): number | null {
  if (!/^\s*\d+\s*$/.test(text)) return null;
  const n = Number(text);
  return Number.isSafeInteger(n) && n < samples ? n : null;
}
