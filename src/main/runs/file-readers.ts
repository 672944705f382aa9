// Reading one file of a run folder, two ways. Tolerant: a run in progress or one that died may
// have any file missing, half-written (by a version before writes were atomic) or damaged, and
// a view of the run shows what is there; such a file reads as null. Strict: the caller cannot go
// on without the file (continue, evaluate, resume), so it fails with a coded error that names
// the file and what is wrong with it; the caller adds what the user should do.
import { readFile } from 'node:fs/promises';
import type { z } from 'zod';

import { CodedError } from '../../shared/errors.ts';

const isMissing = (e: unknown) => (e as NodeJS.ErrnoException).code === 'ENOENT';

/** The file's JSON if it is there and matches `schema`, else null. */
export async function readJsonOrNull<S extends z.ZodType>(
  path: string,
  schema: S,
): Promise<z.infer<S> | null> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch {
    return null;
  }
  const parsed = schema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

/** The file's text, or '' if it cannot be read. */
export async function readTextOrEmpty(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return '';
  }
}

/** The file's bytes; E_NOT_FOUND if it is missing, E_IO if it cannot be read. */
export async function readBytesStrict(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (e) {
    if (isMissing(e)) throw new CodedError('E_NOT_FOUND', `There is no ${path}.`);
    throw new CodedError('E_IO', `Could not read ${path} (${(e as Error).message}).`);
  }
}

/** The file's JSON, checked against `schema`; E_NOT_FOUND if missing, E_IO if damaged. */
export async function readJsonStrict<S extends z.ZodType>(
  path: string,
  schema: S,
): Promise<z.infer<S>> {
  const bytes = await readBytesStrict(path);
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw new CodedError('E_IO', `${path} is damaged: it is not JSON (${(e as Error).message}).`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
    throw new CodedError('E_IO', `${path} is damaged: ${where}${issue?.message ?? 'invalid'}.`);
  }
  return parsed.data;
}
