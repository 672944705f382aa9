// Where `netforge train` puts a new run: a folder made and locked before the engine starts, with
// its netforge-run.json as the app writes it (name, start time, data folder), so that the app
// lists the run and `evaluate` / `--resume` find its data folder.
//
//   no --out      a new folder in the runs folder (--runs-dir, else $NETFORGE_RUNS_DIR, else
//                 ~/Netforge/runs), named as the app names its runs (runs-dir.ts)
//   --out DIR     DIR if it is new or empty. A folder with files in it is refused: training into
//                 it would overwrite a run's model and results and mix its metrics.
//   --force       only for a DIR that holds a run: that run is moved aside, whole, to
//                 DIR.replaced-<time> (a rename: nothing is deleted or rewritten, and it stays
//                 a run the app lists), then the new run starts in a fresh DIR. A folder of other
//                 files is refused even with --force: Netforge moves or writes only its own runs.
import { mkdir, readdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

import { CodedError } from '../../shared/errors.ts';
import { diskFullError } from '../runs/errors.ts';
import { RunFolder, type RunStart } from '../runs/run-folder.ts';
import { RunLockedError, type HeldLock } from '../runs/run-lock.ts';
import { createRunIn, RunDirWriteError, stampOf } from '../runs/runs-dir.ts';
import { OptionError } from './options.ts';

export interface RunTarget {
  runDir: string;
  lock: HeldLock;
  /** Where --force moved the run that was in the folder, or null. */
  replaced: string | null;
}

export interface TargetOptions {
  /** --out, as typed. */
  out: string | undefined;
  /** The runs folder, for a run without --out. */
  runsDir: string;
  force: boolean;
}

const writeError = (e: unknown, where: string): CodedError =>
  diskFullError(e, where, 'train again') ??
  new CodedError('E_IO', `Could not write in ${where} (${(e as Error).message}).`);

/** Makes the new run's folder (see the top of the file); OptionError or CodedError if it cannot. */
export async function makeRunTarget(
  o: TargetOptions,
  start: RunStart,
  instance: string,
): Promise<RunTarget> {
  if (o.out === undefined) {
    try {
      const { runDir, lock } = await createRunIn(o.runsDir, start, instance);
      return { runDir, lock, replaced: null };
    } catch (e) {
      if (e instanceof RunDirWriteError) throw writeError(e.cause, e.where);
      throw e;
    }
  }
  const dir = resolve(o.out);
  const names = await readdir(dir).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return null;
    if (e.code === 'ENOTDIR') throw new OptionError(`--out ${dir} is a file; give a folder.`);
    throw writeError(e, dir);
  });
  let replaced: string | null = null;
  if (names?.length) {
    const folder = new RunFolder(dir);
    const isRun = folder.holdsRun();
    if (!isRun)
      throw new OptionError(
        `--out ${dir} is not empty and holds no Netforge run: Netforge trains only into a new or ` +
          'empty folder and leaves other files alone (--force replaces only a run). Choose a new folder.',
      );
    if (!o.force)
      throw new OptionError(
        `--out ${dir} already holds a run: training into it would overwrite its model and ` +
          `results. Choose a new folder, continue that run with \`netforge train --resume ${dir}\`, ` +
          'or add --force to move it aside (to a folder next to it) and start afresh.',
      );
    replaced = await moveAside(folder, instance);
  } else if (names) {
    // Empty: RunFolder.create makes the folder itself, so that no other run can take it.
    await rmdir(dir).catch((e: unknown) => {
      throw writeError(e, dir);
    });
  } else {
    await mkdir(dirname(dir), { recursive: true }).catch((e: unknown) => {
      throw writeError(e, dirname(dir));
    });
  }
  try {
    const { lock } = await RunFolder.create(dir, start, instance);
    return { runDir: dir, lock, replaced };
  } catch (e) {
    if (replaced) await rename(replaced, dir).catch(() => undefined);
    if ((e as NodeJS.ErrnoException).code === 'EEXIST')
      throw new OptionError(`--out ${dir} was made by someone else meanwhile. Train again.`);
    throw writeError(e, dir);
  }
}

/**
 * Moves the run in `folder` to `<dir>.replaced-<time>` under its owner lock (E_BUSY while another
 * Netforge trains it), and returns where it went. The lock file moved with it is removed.
 */
async function moveAside(folder: RunFolder, instance: string): Promise<string> {
  let lock: HeldLock;
  try {
    lock = await folder.lock(instance);
  } catch (e) {
    if (e instanceof RunLockedError)
      throw new CodedError(
        'E_BUSY',
        `${folder.dir} is ${e.holder}: --force does not move a run that is training. Wait for it to finish, or choose another folder.`,
      );
    throw writeError(e, folder.dir);
  }
  const aside = `${folder.dir}.replaced-${stampOf(new Date())}`;
  try {
    await rename(folder.dir, aside);
  } catch (e) {
    await lock.release();
    throw writeError(e, dirname(folder.dir));
  }
  await lock.release(); // its file is gone from the old path: this only stops its renewal
  await rm(new RunFolder(aside).lockFile, { force: true }).catch(() => undefined);
  return aside;
}

/**
 * After the job: a run that left nothing but its netforge-run.json (the engine refused it before
 * writing anything) is removed, and the run --force moved aside is put back.
 */
export async function discardIfUnused(target: RunTarget): Promise<boolean> {
  const names = await readdir(target.runDir).catch(() => null);
  const start = new RunFolder(target.runDir).startFile;
  if (!names || names.some((n) => resolve(target.runDir, n) !== start)) return false;
  await rm(target.runDir, { recursive: true, force: true }).catch(() => undefined);
  if (target.replaced && !(await stat(target.runDir).catch(() => null)))
    await rename(target.replaced, target.runDir).catch(() => undefined);
  return true;
}
