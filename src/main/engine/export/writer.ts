// What every format's writer does, and the staging that makes an export all-or-nothing: it is
// written under a temporary name beside its destination and renamed into place at the end, so a
// failed export leaves no partial file and never replaces a good one with half of a new one.
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

import type { ExportFormat } from '../../../shared/export/formats.ts';
import type { Tf } from '../backend.ts';
import type { ExportSource } from './source.ts';

export interface ExportOptions {
  /** keras-py: wrap training in tf.distribute.MirroredStrategy. */
  distribute?: boolean;
}

/** Told how far an export is (0..1) and what it is doing. */
export type ExportProgress = (fraction: number, what: string) => void;

export interface ExportWriter {
  format: ExportFormat;
  /**
   * Writes the export into `staged`: the file itself, or an empty folder for folder formats
   * (see formatInfo(format).output). Returns the names of the files written, relative to the
   * folder (or the file's own name).
   */
  write(
    tf: Tf,
    source: ExportSource,
    staged: string,
    options: ExportOptions,
    progress: ExportProgress,
  ): Promise<string[]>;
}

/**
 * Runs `write` against a staging path beside `out` and renames the result to `out`, replacing
 * what was there only once the new export is complete. On failure the staging path is removed.
 */
export async function staged<T>(
  out: string,
  kind: 'file' | 'folder',
  write: (path: string) => Promise<T>,
): Promise<T> {
  await mkdir(dirname(out), { recursive: true });
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const path = join(dirname(out), `.${basename(out)}.partial-${tag}`);
  try {
    if (kind === 'folder') await mkdir(path);
    const result = await write(path);
    const old = join(dirname(out), `.${basename(out)}.old-${tag}`);
    const had = await stat(out).then(
      () => true,
      () => false,
    );
    if (had) await rename(out, old);
    await rename(path, out);
    if (had) await rm(old, { recursive: true, force: true });
    return result;
  } catch (e) {
    await rm(path, { recursive: true, force: true });
    throw e;
  }
}
