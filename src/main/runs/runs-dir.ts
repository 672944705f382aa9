// The runs folder: where the app (TrainingService) and `netforge train` put new runs, and how a
// new run's folder is named. One place, so a run made from a terminal is listed by the app
// started with the same runs folder, and the two name their runs alike.
import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

import { RunFolder, type RunStart } from './run-folder.ts';
import type { HeldLock } from './run-lock.ts';

/**
 * The runs folder unless the user names another (serve's and train's --runs-dir, train's --out):
 * $NETFORGE_RUNS_DIR, else ~/Netforge/runs. Both the app and the CLI ask this.
 */
export function defaultRunsDir(): string {
  return process.env['NETFORGE_RUNS_DIR'] || join(homedir(), 'Netforge', 'runs');
}

/** `2026-11-26T09-51-05-123Z`: an ISO time that is a valid file name. */
export const stampOf = (d: Date): string => d.toISOString().replace(/[:.]/g, '-');

function slug(name: string): string {
  return (
    name
      .replace(/[^A-Za-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .toLowerCase()
      .slice(0, 60) || 'run'
  );
}

/** A failure to make the runs folder or a run's folder, with the folder it concerns. */
export class RunDirWriteError extends Error {
  constructor(
    readonly where: string,
    override readonly cause: unknown,
  ) {
    super((cause as Error).message);
    this.name = 'RunDirWriteError';
  }
}

/**
 * Makes a new run's folder in `runsDir` (made if missing), named `<name>-<start time>` (with
 * `-2`, `-3`... if taken), locked by `instance`, with its netforge-run.json. Failures are
 * RunDirWriteError naming the folder.
 */
export async function createRunIn(
  runsDir: string,
  start: RunStart,
  instance: string,
): Promise<{ runId: string; runDir: string; lock: HeldLock }> {
  const base = `${slug(start.name)}-${stampOf(new Date(start.startedAt))}`;
  try {
    await mkdir(runsDir, { recursive: true });
  } catch (e) {
    throw new RunDirWriteError(runsDir, e);
  }
  for (let n = 1; ; n++) {
    const runId = n === 1 ? base : `${base}-${n}`;
    const runDir = join(runsDir, runId);
    try {
      const { lock } = await RunFolder.create(runDir, start, instance);
      return { runId, runDir, lock };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST' && n < 100) continue;
      throw new RunDirWriteError(runDir, e);
    }
  }
}
