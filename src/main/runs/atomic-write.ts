// Atomic file writes for the run folder: a reader (the server answering runs.get while the engine
// saves, or the next start of the app after a crash or a full disk) sees the old file or the new
// one, never half of one. The bytes go to a temporary file beside the target, are flushed to disk,
// and the temporary file is renamed over the target; on any failure it is removed and the target
// is left as it was.
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

let serial = 0;

/** Windows refuses a rename over a file another process has open for a moment (a reader). */
const RETRYABLE = new Set(['EPERM', 'EACCES', 'EBUSY']);

async function renameOver(from: string, to: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await rename(from, to);
      return;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? '';
      if (process.platform !== 'win32' || !RETRYABLE.has(code) || attempt >= 10) throw e;
      await new Promise((resolve) => setTimeout(resolve, 20 * (attempt + 1)));
    }
  }
}

/** Writes `data` to `path` atomically (see above). The folder must exist. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  // A hidden name no reader looks for, unique to this process and call.
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${++serial}.tmp`);
  try {
    const handle = await open(tmp, 'wx');
    try {
      await handle.writeFile(data);
      await handle.sync(); // the bytes are on disk before the name points at them
    } finally {
      await handle.close();
    }
    await renameOver(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => undefined);
    // The file meant, not the temporary name (a FileHandle's errors carry no path at all), so
    // that a message such as "The disk is full at PATH" names it.
    if (e instanceof Error && 'code' in e) (e as NodeJS.ErrnoException).path = path;
    throw e;
  }
}
