// Project files in the projects folder: `<name>.netforge.json`, listed, read and written
// atomically (a crash or a full disk leaves the old file or the new one, never half of one).
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, open, readdir, readFile, realpath, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';

import { projectNameSchema, type ProjectEntry } from '../../shared/api.ts';
import { CodedError } from '../../shared/errors.ts';
import { parseProject, ProjectFileError } from '../../shared/project.ts';

export const PROJECT_SUFFIX = '.netforge.json';

/** Where projects live unless the user names another: $NETFORGE_PROJECTS_DIR or ~/Netforge/projects. */
export function defaultProjectsDir(): string {
  return process.env['NETFORGE_PROJECTS_DIR'] || join(homedir(), 'Netforge', 'projects');
}

const fsMessage = (e: unknown): string => (e as Error).message;

export async function listProjects(dir: string): Promise<ProjectEntry[]> {
  await ensureDir(dir);
  let files: string[];
  try {
    files = await readdir(dir);
  } catch (e) {
    throw new CodedError('E_IO', `Could not list the projects in ${dir} (${fsMessage(e)}).`);
  }
  const entries: (ProjectEntry & { mtimeMs: number })[] = [];
  for (const file of files) {
    if (!file.endsWith(PROJECT_SUFFIX)) continue;
    const name = file.slice(0, -PROJECT_SUFFIX.length);
    // Only names a client could ask for; this also skips our own temp files.
    if (!projectNameSchema.safeParse(name).success) continue;
    try {
      // Links are not followed (readProject refuses those leading out of the folder).
      const s = await lstat(join(dir, file));
      if (!s.isFile()) continue;
      entries.push({ name, modified: s.mtime.toISOString(), bytes: s.size, mtimeMs: s.mtimeMs });
    } catch {
      // Deleted between readdir and stat: not a project any more.
    }
  }
  entries.sort((a, b) => b.mtimeMs - a.mtimeMs || a.name.localeCompare(b.name));
  return entries.map(({ name, modified, bytes }) => ({ name, modified, bytes }));
}

export async function readProject(dir: string, name: string): Promise<string> {
  const file = join(dir, name + PROJECT_SUFFIX);
  try {
    // A link planted in the projects folder must not read a file from elsewhere.
    const [real, realDir] = await Promise.all([realpath(file), realpath(dir)]);
    if (dirname(real) !== realDir)
      throw new CodedError(
        'E_NOT_FOUND',
        `The project "${name}" in ${dir} is a link to a file outside the projects folder, which Netforge does not follow. Copy the file into ${dir} instead.`,
      );
    return await readFile(real, 'utf8');
  } catch (e) {
    if (e instanceof CodedError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR')
      throw new CodedError(
        'E_NOT_FOUND',
        `There is no project named "${name}" in ${dir}. The project list shows the saved ones.`,
      );
    throw new CodedError('E_IO', `Could not read project "${name}" (${fsMessage(e)}).`);
  }
}

export async function writeProject(dir: string, name: string, text: string): Promise<void> {
  try {
    parseProject(text, `The project "${name}"`);
  } catch (e) {
    if (e instanceof ProjectFileError)
      throw new CodedError('E_BAD_PROJECT', `${e.message} Nothing was saved.`);
    throw e;
  }
  await ensureDir(dir);
  try {
    await writeAtomically(join(dir, name + PROJECT_SUFFIX), text);
  } catch (e) {
    throw new CodedError(
      'E_IO',
      `Could not save project "${name}" in ${dir} (${fsMessage(e)}). The previous version, if any, is unchanged.`,
    );
  }
}

async function ensureDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (e) {
    throw new CodedError('E_IO', `Could not create the projects folder ${dir} (${fsMessage(e)}).`);
  }
}

/**
 * Writes to a temp file beside the target, flushes it and renames it over the target, so a
 * crash or a full disk leaves either the old file or the new one, never half of one.
 */
async function writeAtomically(file: string, text: string): Promise<void> {
  const tmp = join(
    dirname(file),
    `.${basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`,
  );
  try {
    const handle = await open(tmp, 'wx');
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}
