import { describe, expect, it } from 'vitest';
import type { Evaluation } from '../../../shared/events.ts';
import {
  cellCountText,
  cellExamples,
  cellShade,
  exampleCaption,
  nextCell,
  orderExamples,
  pageOf,
  pageText,
  parseIndex,
  percent,
  wrongTotal,
} from './selection.ts';

/** Three classes, 30 test images; 4 wrong. */
function evaluation(over: Partial<Evaluation> = {}): Evaluation {
  return {
    testLoss: 0.5,
    testAccuracy: 26 / 30,
    samples: 30,
    classNames: ['cat', 'dog', 'owl'],
    confusion: [
      [9, 1, 0],
      [2, 8, 0],
      [0, 1, 9],
    ],
    perClassAccuracy: [0.9, 0.8, 0.9],
    misclassified: [
      { index: 3, label: 1, predicted: 0, confidence: 0.6 },
      { index: 11, label: 0, predicted: 1, confidence: 0.9 },
      { index: 17, label: 1, predicted: 0, confidence: 0.7 },
      { index: 25, label: 2, predicted: 1, confidence: 0.55 },
    ],
    correct: [
      { index: 0, label: 0, confidence: 0.99 },
      { index: 1, label: 1, confidence: 0.8 },
      { index: 2, label: 0, confidence: 0.95 },
    ],
    ...over,
  };
}

describe('cellExamples', () => {
  it('takes an off-diagonal cell from the wrong predictions with that label and prediction', () => {
    const cell = cellExamples(evaluation(), 1, 0);
    expect(cell.count).toBe(2);
    expect(cell.examples.map((e) => e.index)).toEqual([3, 17]);
    expect(cell.note).toBeNull();
    expect(cellCountText(cell)).toBe('Showing all 2 images.');
  });

  it('takes a diagonal cell from the right predictions of that class', () => {
    const cell = cellExamples(evaluation(), 0, 0);
    expect(cell.examples).toEqual([
      { index: 0, label: 0, predicted: 0, confidence: 0.99 },
      { index: 2, label: 0, predicted: 0, confidence: 0.95 },
    ]);
    expect(cell.count).toBe(9);
    expect(cellCountText(cell)).toBe('Showing 2 of 9 images.');
    expect(cell.note).toMatch(/first 50 right predictions of each class/);
  });

  it('explains a capped wrong-prediction list', () => {
    // The engine kept only two of the four wrong predictions.
    const ev = evaluation({ misclassified: evaluation().misclassified.slice(0, 2) });
    const cell = cellExamples(ev, 1, 0);
    expect(cell.examples.map((e) => e.index)).toEqual([3]);
    expect(cellCountText(cell)).toBe('Showing 1 of 2 images.');
    expect(cell.note).toBe(
      'The run keeps only the first 2 of its 4 wrong predictions, in test order.',
    );
  });

  it('says when a run kept no right predictions at all (older runs)', () => {
    const cell = cellExamples(evaluation({ correct: [] }), 2, 2);
    expect(cell.examples).toEqual([]);
    expect(cellCountText(cell)).toBe('Showing 0 of 9 images.');
    expect(cell.note).toMatch(/kept no examples of right predictions/);
  });

  it('has one image, or none for a cell outside the matrix', () => {
    expect(cellCountText(cellExamples(evaluation(), 2, 1))).toBe('Showing the 1 image.');
    expect(cellExamples(evaluation(), 5, 0)).toMatchObject({ count: 0, examples: [], note: null });
  });
});

describe('wrongTotal', () => {
  it('sums the confusion matrix off its diagonal', () => {
    expect(wrongTotal(evaluation())).toBe(4);
  });
});

describe('orderExamples', () => {
  const items = evaluation().misclassified;
  it('puts the most confident first, ties in test order', () => {
    const tied = [...items, { index: 1, label: 0, predicted: 2, confidence: 0.6 }];
    expect(orderExamples(tied, 'confidence').map((e) => e.index)).toEqual([11, 17, 1, 3, 25]);
  });
  it('or keeps test order', () => {
    expect(orderExamples([...items].reverse(), 'test').map((e) => e.index)).toEqual([
      3, 11, 17, 25,
    ]);
  });
  it('does not change its input', () => {
    const copy = [...items];
    orderExamples(items, 'confidence');
    expect(items).toEqual(copy);
  });
});

describe('pageOf', () => {
  const items = Array.from({ length: 95 }, (_, i) => i);
  it('cuts pages of the given size, the last one shorter', () => {
    const first = pageOf(items, 0, 40);
    expect(first).toMatchObject({ page: 0, pages: 3, start: 0, end: 40, total: 95 });
    expect(first.items).toHaveLength(40);
    const last = pageOf(items, 2, 40);
    expect(last.items).toEqual(items.slice(80));
    expect(pageText(last)).toBe('81–95 of 95');
  });
  it('clamps a page out of range', () => {
    expect(pageOf(items, 9, 40).page).toBe(2);
    expect(pageOf(items, -1, 40).page).toBe(0);
  });
  it('has one empty page for no items', () => {
    const empty = pageOf([], 3, 40);
    expect(empty).toMatchObject({ items: [], page: 0, pages: 1, start: 0, end: 0, total: 0 });
    expect(pageText(empty)).toBe('none');
  });
  it('formats large counts', () => {
    const many = Array.from({ length: 1000 }, (_, i) => i);
    expect(pageText(pageOf(many, 24, 40))).toBe('961–1,000 of 1,000');
  });
});

describe('cellShade', () => {
  it('is the square root of the share of the row, 0 for an empty cell or row', () => {
    expect(cellShade(25, 100)).toBeCloseTo(0.5);
    expect(cellShade(100, 100)).toBe(1);
    expect(cellShade(0, 100)).toBe(0);
    expect(cellShade(3, 0)).toBe(0);
  });
});

describe('nextCell', () => {
  const m = [
    [5, 0, 1],
    [0, 0, 3],
    [2, 0, 4],
  ];
  it('moves along a row or a column to the next non-zero cell', () => {
    expect(nextCell(m, 0, 0, 'ArrowRight')).toEqual([0, 2]);
    expect(nextCell(m, 0, 2, 'ArrowRight')).toBeNull();
    expect(nextCell(m, 0, 0, 'ArrowDown')).toEqual([2, 0]);
    expect(nextCell(m, 2, 2, 'ArrowUp')).toEqual([1, 2]);
    expect(nextCell(m, 2, 0, 'ArrowLeft')).toBeNull();
  });
  it("goes to the row's first or last non-zero cell", () => {
    expect(nextCell(m, 2, 2, 'Home')).toEqual([2, 0]);
    expect(nextCell(m, 2, 0, 'End')).toEqual([2, 2]);
    expect(nextCell(m, 1, 2, 'Home')).toBeNull();
  });
});

describe('captions', () => {
  it('shows true → predicted and the confidence', () => {
    const names = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
    expect(exampleCaption(names, { index: 0, label: 7, predicted: 2, confidence: 0.934 })).toBe(
      '7 → 2 · 93%',
    );
    expect(exampleCaption(names, { index: 0, label: 4, predicted: 4, confidence: 1 })).toBe(
      '4 · 100%',
    );
    expect(exampleCaption([], { index: 0, label: 3, predicted: 1, confidence: 0.5 })).toBe(
      '3 → 1 · 50%',
    );
  });
  it('formats percentages', () => {
    expect(percent(0.98374, 2)).toBe('98.37%');
    expect(percent(Number.NaN)).toBe('–');
  });
});

describe('parseIndex', () => {
  it('takes whole numbers from 0 to samples - 1', () => {
    expect(parseIndex('0', 10)).toBe(0);
    expect(parseIndex(' 9 ', 10)).toBe(9);
  });
  it('rejects anything else', () => {
    for (const text of ['', '10', '-1', '1.5', '1e3', 'abc', '0x1'])
      expect(parseIndex(text, 10), text).toBeNull();
    expect(parseIndex('0', 0)).toBeNull();
  });
});
