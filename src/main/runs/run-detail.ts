// runs.get: everything kept of one run, read from its folder through RunFolder's tolerant
// readers. Its view is its events (metrics.jsonl) replayed through reduceRun, the same fold the
// dashboard applies live. The folder may belong to a run in progress or to one that died, so
// every file may be missing, partial or corrupt: such a file counts as absent and a
// half-written line of the events is skipped; nothing here throws.
import type { RunDetail, RunEntry } from '../../shared/api.ts';
import type { RunErrorInfo } from '../../shared/events.ts';
import {
  emptyRunView,
  hasEnded,
  parseEventLines,
  reduceEvents,
  reduceRun,
  settleRun,
  type RunView,
} from '../../shared/run.ts';
import { RunFolder } from './run-folder.ts';

/**
 * The run's view from its events. error.json holds the end of a run whose engine could not log
 * it (E_ENGINE_DIED: main writes it); a run no engine works on any more (`active` false) that
 * never ended is settled as incomplete.
 */
export function viewOf(metrics: string, error: RunErrorInfo | null, active: boolean): RunView {
  let view = reduceEvents(emptyRunView, parseEventLines(metrics));
  if (error && !hasEnded(view.phase)) view = reduceRun(view, { type: 'error', ...error });
  return active ? view : settleRun(view);
}

/** Everything kept of the run `entry` describes (see RunDetail), read from its folder. */
export async function readRunDetail(entry: RunEntry): Promise<RunDetail> {
  const folder = new RunFolder(entry.runDir);
  const [graph, config, start, metrics, error, exports] = await Promise.all([
    folder.readGraph(),
    folder.readConfig(),
    folder.readStart(),
    folder.readMetrics(),
    folder.readError(),
    folder.readExports(),
  ]);
  const active = entry.status === 'running' || entry.status === 'paused';
  return {
    entry,
    graph,
    config,
    dataDir: start?.dataDir ?? null,
    view: viewOf(metrics, error, active),
    exports,
  };
}
