// One run of the runs folder as runs.list shows it (RunEntry): name, start time, status and test
// accuracy, read from its folder through RunFolder's tolerant readers, and who trains it when it
// is in progress (this Netforge, or another one that holds its owner lock: run-lock.ts).
import { stat } from 'node:fs/promises';
import { join } from 'node:path';

import type { RunEntry, RunStatus } from '../../shared/api.ts';
import { RunFolder } from './run-folder.ts';

/** `2026-11-26T09-51-05-123Z` at the end of a run id: when the run started. */
const STAMP_RE = /(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})-(\d{3})Z(?:-\d+)?$/;

export interface EntryContext {
  /** The run this Netforge trains now, if it is this one. */
  active: { paused: boolean } | null;
  /** This Netforge's instance id (run-lock.ts): a lock of its own is not another's. */
  instance: string;
}

/**
 * The entry of `<runsDir>/<runId>`, or null if that is not a run folder. Its status:
 *   running/paused   this Netforge trains it (`owner: 'this'`), or another live Netforge holds
 *                    its lock (`running`, `owner: 'other'`; it may be paused there)
 *   failed           error.json is there. It comes before run.json: a continued run that failed
 *                    keeps the earlier result (the test accuracy of the model still in model/),
 *                    and a continued run removes an earlier error.json once it starts, so an
 *                    error.json is always the latest attempt's
 *   incomplete       a stale lock (its holder died while training it) that is newer than run.json,
 *                    or no outcome at all
 *   else             run.json's status
 */
export async function readRunEntry(
  runsDir: string,
  runId: string,
  { active, instance }: EntryContext,
): Promise<RunEntry | null> {
  const runDir = join(runsDir, runId);
  let mtime: Date;
  try {
    const s = await stat(runDir);
    if (!s.isDirectory()) return null;
    mtime = s.mtime;
  } catch {
    return null;
  }
  const folder = new RunFolder(runDir);
  const start = await folder.readStart();
  // The graph, only when the start file lacks the name: a run made by `netforge train --out` in
  // this folder. (A graph can be large, and this runs for every run on every list and request.)
  const graph = start?.name ? null : await folder.readGraph();
  const holder = active ? null : await folder.lockHolder(instance);
  const elsewhere = holder?.state === 'held';
  if (!start && !graph && !active && !elsewhere) return null; // not a run folder
  const result = await folder.readResult();
  let status: RunStatus;
  if (active) status = active.paused ? 'paused' : 'running';
  else if (elsewhere) status = 'running';
  else if (folder.hasError()) status = 'failed';
  else if (holder?.state === 'stale' && (await cutShort(folder, holder.lock.record?.startedAt)))
    status = 'incomplete';
  else if (result) status = result.status;
  else status = 'incomplete';
  const m = STAMP_RE.exec(runId);
  const startedAt =
    typeof start?.startedAt === 'string'
      ? start.startedAt
      : m
        ? `${m[1]}T${m[2]}:${m[3]}:${m[4]}.${m[5]}Z`
        : mtime.toISOString();
  const inProgress = active !== null || elsewhere;
  return {
    runId,
    runDir,
    name: start?.name ?? graph?.name ?? runId,
    status,
    // A run in progress has no result yet; a continued one holds its previous one until it
    // writes its own.
    testAccuracy: inProgress ? null : (result?.testAccuracy ?? null),
    startedAt,
    ...(inProgress ? { owner: active ? ('this' as const) : ('other' as const) } : {}),
  };
}

/** Whether a run whose holder died (its lock taken at `lockedAt`) wrote no result since. */
async function cutShort(folder: RunFolder, lockedAt: string | undefined): Promise<boolean> {
  const written = await folder.resultWrittenAt();
  const taken = lockedAt ? Date.parse(lockedAt) : NaN;
  return written === null || !(written >= taken);
}
