import { describe, expect, it } from 'vitest';
import type { RunEntry } from '../../shared/api.ts';
import { runLabels, visibleRuns } from './runs-view.ts';

const run = (
  runId: string,
  name: string,
  startedAt: string,
  testAccuracy: number | null,
  settings: RunEntry['settings'] = null,
): RunEntry => ({
  runId,
  runDir: `/runs/${runId}`,
  name,
  status: testAccuracy === null ? 'failed' : 'completed',
  testAccuracy,
  startedAt,
  settings,
});

const RUNS = [
  run('a', 'LeNet-5', '2026-01-01T10:00:00Z', 0.9512, { optimizer: 'sgd', learningRate: 0.01 }),
  run('b', 'ResNet18', '2026-01-02T10:00:00Z', 0.611, { optimizer: 'adam', learningRate: 0.001 }),
  run('c', 'LeNet-5', '2026-01-03T10:00:00Z', null, { optimizer: 'adam', learningRate: 0.001 }),
  run('d', 'LeNet-5', '2026-01-04T10:00:00Z', 0.794, { optimizer: 'sgd', learningRate: 0.01 }),
  run('e', 'LeNet-5', '2026-01-05T10:00:00Z', 0.5),
];

describe('the runs list', () => {
  const labels = runLabels(RUNS);

  it('numbers the runs of each network in start order, with their optimizer, lr and accuracy', () => {
    expect(labels.get('a')).toBe('LeNet-5 #1 · SGD 0.01 · 95.1%');
    expect(labels.get('b')).toBe('ResNet18 #1 · Adam 0.001 · 61.1%');
    expect(labels.get('c')).toBe('LeNet-5 #2 · Adam 0.001');
    expect(labels.get('d')).toBe('LeNet-5 #3 · SGD 0.01 · 79.4%');
    // A run whose settings are unknown (no readable config) still gets its number.
    expect(labels.get('e')).toBe('LeNet-5 #4 · 50.0%');
  });

  it('sorts by date either way and by accuracy, best first, unevaluated runs last', () => {
    const ids = (sort: Parameters<typeof visibleRuns>[3]) =>
      visibleRuns(RUNS, labels, '', sort).map((r) => r.runId);
    expect(ids('newest')).toEqual(['e', 'd', 'c', 'b', 'a']);
    expect(ids('oldest')).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(ids('accuracy')).toEqual(['a', 'd', 'b', 'e', 'c']);
  });

  it('filters by every word typed, in the label, the status or the id', () => {
    const ids = (q: string) => visibleRuns(RUNS, labels, q, 'oldest').map((r) => r.runId);
    expect(ids('lenet adam')).toEqual(['c']);
    expect(ids('FAILED')).toEqual(['c']);
    expect(ids('resnet')).toEqual(['b']);
    expect(ids('sgd 0.01')).toEqual(['a', 'd']);
    expect(ids('vgg')).toEqual([]);
  });
});
