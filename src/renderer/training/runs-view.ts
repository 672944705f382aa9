// The runs list as the user reads it: each run named so that runs of one network tell apart
// ("LeNet-5 #3 · SGD 0.01 · 79.4%"), filtered by what the user types and sorted by date or
// test accuracy. Pure, over the entries runs.list gives.
import type { RunEntry } from '../../shared/api.ts';
import { OPTIMIZER_NAMES } from './settings-line.ts';

export type RunSort = 'newest' | 'oldest' | 'accuracy';

export const RUN_SORTS: { value: RunSort; label: string }[] = [
  { value: 'newest', label: 'Newest first' },
  { value: 'oldest', label: 'Oldest first' },
  { value: 'accuracy', label: 'Best accuracy first' },
];

const time = (r: RunEntry): number => {
  const t = Date.parse(r.startedAt);
  return Number.isNaN(t) ? 0 : t;
};

const byAge = (a: RunEntry, b: RunEntry) => time(a) - time(b) || a.runId.localeCompare(b.runId);

/**
 * Each run's name: the network's, numbered in start order among the runs of that network, its
 * optimizer and learning rate when known, and its test accuracy once evaluated.
 */
export function runLabels(runs: readonly RunEntry[]): Map<string, string> {
  const counts = new Map<string, number>();
  const labels = new Map<string, string>();
  for (const r of [...runs].sort(byAge)) {
    const n = (counts.get(r.name) ?? 0) + 1;
    counts.set(r.name, n);
    const parts = [`${r.name} #${n}`];
    const s = r.settings;
    if (s) {
      const name = OPTIMIZER_NAMES[s.optimizer as keyof typeof OPTIMIZER_NAMES] ?? s.optimizer;
      parts.push(`${name} ${s.learningRate}`);
    }
    if (r.testAccuracy !== null) parts.push(`${(r.testAccuracy * 100).toFixed(1)}%`);
    labels.set(r.runId, parts.join(' · '));
  }
  return labels;
}

/** The runs whose label, status or id hold every word of `query`, in `sort` order. */
export function visibleRuns(
  runs: readonly RunEntry[],
  labels: ReadonlyMap<string, string>,
  query: string,
  sort: RunSort,
): RunEntry[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const shown = runs.filter((r) => {
    const text = `${labels.get(r.runId) ?? r.name} ${r.status} ${r.runId}`.toLowerCase();
    return words.every((w) => text.includes(w));
  });
  if (sort === 'oldest') return shown.sort(byAge);
  if (sort === 'newest') return shown.sort((a, b) => byAge(b, a));
  // Best first; runs without a test accuracy last, newest first among them.
  return shown.sort((a, b) => (b.testAccuracy ?? -1) - (a.testAccuracy ?? -1) || byAge(b, a));
}
