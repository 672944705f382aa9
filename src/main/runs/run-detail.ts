// runs.get: everything kept of one run, read from its folder. Its view is its events
// (metrics.jsonl) replayed through reduceRun, the same fold the dashboard applies live. The
// folder may belong to a run in progress or to one that died, so every file may be missing,
// partial or corrupt: such a file counts as absent and a half-written last line is skipped.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import type { RunDetail, RunEntry } from '../../shared/api.ts';
import { runErrorSchema } from '../../shared/events.ts';
import { graphDocSchema } from '../../shared/graph/types.ts';
import {
  emptyRunView,
  hasEnded,
  parseEventLines,
  reduceEvents,
  reduceRun,
  settleRun,
  type RunView,
} from '../../shared/run.ts';
import { trainConfigSchema } from '../../shared/train-config.ts';
import { ERROR_FILE, readJson, readRunStart } from './run-folder.ts';

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return '';
  }
}

function parsed<T>(schema: { safeParse(v: unknown): { success: boolean; data?: T } }, v: unknown) {
  if (v === undefined) return null;
  const r = schema.safeParse(v);
  return r.success ? (r.data as T) : null;
}

/**
 * The run's view from its events. error.json holds the end of a run whose engine could not log
 * it (E_ENGINE_DIED: main writes it); a run no engine works on any more (`active` false) that
 * never ended is settled as incomplete.
 */
export function viewOf(metrics: string, errorFile: unknown, active: boolean): RunView {
  let view = reduceEvents(emptyRunView, parseEventLines(metrics));
  const error = parsed(runErrorSchema, errorFile);
  if (error && !hasEnded(view.phase)) view = reduceRun(view, { type: 'error', ...error });
  return active ? view : settleRun(view);
}

/** Everything kept of the run `entry` describes (see RunDetail), read from its folder. */
export async function readRunDetail(entry: RunEntry): Promise<RunDetail> {
  const dir = entry.runDir;
  const [graph, config, start, metrics, error] = await Promise.all([
    readJson(join(dir, 'graph.json')),
    readJson(join(dir, 'config.json')),
    readRunStart(dir),
    readText(join(dir, 'metrics.jsonl')),
    readJson(join(dir, ERROR_FILE)),
  ]);
  const active = entry.status === 'running' || entry.status === 'paused';
  return {
    entry,
    graph: parsed(graphDocSchema, graph),
    config: parsed(trainConfigSchema, config),
    dataDir: start?.dataDir ?? null,
    view: viewOf(metrics, error, active),
  };
}
