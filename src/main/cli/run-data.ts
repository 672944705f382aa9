// The data folder of a job on an existing run (`evaluate RUN_DIR`, `train --resume RUN_DIR`):
// --data-dir when given, else the run's own (its netforge-run.json keeps the folder it was
// trained with), so an offline machine does not try to download what the run was trained on.
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';

import type { RunFolder } from '../runs/run-folder.ts';
import { OptionError, str, type Options } from './options.ts';

/** The named data folder, else $NETFORGE_DATA_DIR, else null (the download cache). */
export function namedDataDir(o: Options): string | null {
  const named = str(o, 'data-dir') ?? process.env.NETFORGE_DATA_DIR;
  return named ? resolve(named) : null;
}

/**
 * --data-dir, else the run's own data folder, else null: the engine then reads
 * $NETFORGE_DATA_DIR or the cache, as for a run trained from the cache (or by an older
 * Netforge, which kept no data folder).
 */
export async function dataDirOfRun(folder: RunFolder, o: Options): Promise<string | null> {
  const named = str(o, 'data-dir');
  if (named) return resolve(named);
  const own = (await folder.readStart())?.dataDir ?? null;
  if (own && !(await stat(own).catch(() => null))?.isDirectory())
    throw new OptionError(
      `The run was trained with the data in ${own} (its netforge-run.json says so), which is not ` +
        'there any more. Give the folder with the dataset files with --data-dir DIR.',
    );
  return own;
}
