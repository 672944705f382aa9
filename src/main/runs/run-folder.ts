// The files of a run folder that main writes itself (the engine writes the rest, see
// src/main/engine/run.ts), and tolerant readers for all of them: a run in progress or one that
// died may have any file missing or half-written.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The file a failed run leaves in its folder, so runs.list can say so later. */
export const ERROR_FILE = 'error.json';
/** Written when the folder is made, before the engine writes anything: RunStart. */
export const START_FILE = 'netforge-run.json';

/** What START_FILE holds. */
export interface RunStart {
  /** The graph's name. */
  name: string;
  /** ISO 8601. */
  startedAt: string;
  /** The data folder the run was given (the one named, else $NETFORGE_DATA_DIR); null: the cache. */
  dataDir: string | null;
}

/** A JSON file's value, or undefined if it is missing or not JSON. */
export async function readJson(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** START_FILE's fields that are there and well-formed (older runs lack dataDir). */
export async function readRunStart(runDir: string): Promise<Partial<RunStart> | undefined> {
  const raw = await readJson(join(runDir, START_FILE));
  if (!raw || typeof raw !== 'object') return undefined;
  const r = raw as Record<string, unknown>;
  const start: Partial<RunStart> = {};
  if (typeof r['name'] === 'string') start.name = r['name'];
  if (typeof r['startedAt'] === 'string') start.startedAt = r['startedAt'];
  if (typeof r['dataDir'] === 'string' || r['dataDir'] === null)
    start.dataDir = r['dataDir'] as string | null;
  return start;
}
