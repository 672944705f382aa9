// The owner lock of a run folder: netforge-lock.json says which Netforge process trains the run,
// so that two Netforge processes sharing a runs folder (the desktop app and `netforge serve`, two
// serves, or `netforge train --out` into it) never train or delete the same run at once. It is
// taken when a run starts or continues (and while a run is deleted) and removed when that ends.
//
// Taking it is an exclusive create: the record is written whole to a temporary file, which is
// then hard-linked to the lock's name; link() fails if the name exists, so of two processes
// racing for a run exactly one wins, and a reader never sees half a record.
//
// A lock whose holder is gone is stale, and the next taker breaks it: on this computer when the
// pid is not alive, or is alive but is another process (its start time in /proc/<pid>/stat
// differs, or the computer restarted since: another boot id). A holder on another computer (a
// shared network folder) cannot be checked: its lock holds unless it has not been renewed for
// STALE_AFTER_MS (holders renew it every RENEW_MS). Breaking is safe against a race too: only
// one process may remove a given stale lock (breakStale), so exactly one racer takes the run.
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { link, open, readdir, readFile, rm, stat, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';

import { CodedError } from '../../shared/errors.ts';
import { runLockSchema, type RunLock } from './run-files.ts';

/** How often a holder renews its lock (touches the file). */
export const RENEW_MS = 10 * 60 * 1000;
/** A lock from another computer not renewed for this long is taken as stale. */
export const STALE_AFTER_MS = 24 * 60 * 60 * 1000;
/** A lock file that cannot be parsed is taken as being written until it is this old. */
const DAMAGED_GRACE_MS = 60 * 1000;

/** A lock file as read: its text, its record (null if damaged) and when it was last renewed. */
export interface LockFile {
  text: string;
  record: RunLock | null;
  renewedAt: number;
}

/** Who holds a run folder's lock, as seen by the instance `self`. */
export type LockHolder =
  | { state: 'free' }
  | { state: 'mine'; lock: LockFile }
  /** Another live instance; `checked` false: on another computer, which cannot be checked. */
  | { state: 'held'; lock: LockFile; checked: boolean }
  | { state: 'stale'; lock: LockFile; why: string };

/** The process's start time since boot (/proc/<pid>/stat field 22), or null where unknown. */
function processStartOf(pid: number): { start: string; zombie: boolean } | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces and parentheses): state is field 3.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const start = fields[22 - 3];
    return start ? { start, zombie: fields[0] === 'Z' } : null;
  } catch {
    return null;
  }
}

function bootId(): string | null {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // alive, another user's
  }
}

/** A new lock record for this process and the instance `instance`. */
export function newLockRecord(instance: string): RunLock {
  return {
    pid: process.pid,
    hostname: hostname(),
    startedAt: new Date().toISOString(),
    instance,
    token: randomUUID(),
    processStart: processStartOf(process.pid)?.start ?? null,
    bootId: bootId(),
  };
}

/** The lock file at `path`, or null when there is none. */
export async function readLockFile(path: string): Promise<LockFile | null> {
  try {
    const [text, s] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    let record: RunLock | null = null;
    try {
      const parsed = runLockSchema.safeParse(JSON.parse(text));
      if (parsed.success) record = parsed.data;
    } catch {
      // damaged: record stays null
    }
    return { text, record, renewedAt: s.mtimeMs };
  } catch {
    return null;
  }
}

/** Who holds `lock`, for the instance `self` (see the top of this file). */
export function judgeLock(lock: LockFile | null, self: string, now = Date.now()): LockHolder {
  if (!lock) return { state: 'free' };
  const age = now - lock.renewedAt;
  const r = lock.record;
  if (!r)
    return age > DAMAGED_GRACE_MS
      ? { state: 'stale', lock, why: 'the lock file is damaged' }
      : { state: 'held', lock, checked: false };
  if (r.instance === self) return { state: 'mine', lock };
  if (r.hostname !== hostname())
    return age > STALE_AFTER_MS
      ? {
          state: 'stale',
          lock,
          why: `its holder on ${r.hostname} has not renewed it for ${Math.floor(age / 3_600_000)} hours`,
        }
      : { state: 'held', lock, checked: false };
  const boot = bootId();
  if (r.bootId && boot && r.bootId !== boot)
    return { state: 'stale', lock, why: 'the computer has restarted since it was taken' };
  if (!isAlive(r.pid)) return { state: 'stale', lock, why: `process ${r.pid} has ended` };
  const running = processStartOf(r.pid);
  if (running?.zombie) return { state: 'stale', lock, why: `process ${r.pid} has ended` };
  if (r.processStart && running && running.start !== r.processStart)
    return { state: 'stale', lock, why: `pid ${r.pid} now belongs to another process` };
  return { state: 'held', lock, checked: true };
}

/**
 * What a held lock means, for messages: "running in another Netforge (pid 1234 on host x) since
 * <time>", and for a holder on another computer, that it cannot be checked and when the lock
 * would count as stale.
 */
export function describeHolder(holder: LockHolder & { state: 'held' | 'mine' }): string {
  const r = holder.lock.record;
  if (!r) return 'being taken by another Netforge (its lock file is being written)';
  const which = holder.state === 'mine' ? 'this' : 'another';
  const where = `running in ${which} Netforge (pid ${r.pid} on host ${r.hostname}) since ${r.startedAt}`;
  if (holder.state === 'mine' || holder.checked) return where;
  const staleAt = new Date(holder.lock.renewedAt + STALE_AFTER_MS).toISOString();
  return (
    `${where}. Netforge cannot check a process on another computer: if it no longer runs ` +
    `there, its lock counts as stale from ${staleAt} (${STALE_AFTER_MS / 3_600_000} hours ` +
    'after it was last renewed)'
  );
}

/** E_BUSY for a run folder whose lock `holder` holds. */
export class RunLockedError extends CodedError {
  constructor(
    readonly dir: string,
    readonly holder: string,
  ) {
    super('E_BUSY', `${dir} is ${holder}.`);
    this.name = 'RunLockedError';
  }
}

let serial = 0;

/** File systems without hard links (FAT, exFAT, some network shares) refuse link() so. */
const NO_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV']);

/** Writes `text` to `path` and flushes it; `flag` 'wx' fails with EEXIST if `path` exists. */
async function writeSynced(path: string, text: string, flag: 'wx'): Promise<void> {
  const handle = await open(path, flag);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Links a complete copy of `record` to `path`; false if `path` exists. */
async function createExclusive(path: string, record: RunLock): Promise<boolean> {
  const text = JSON.stringify(record, null, 1);
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${++serial}.tmp`);
  try {
    await writeSynced(tmp, text, 'wx');
    try {
      await link(tmp, path);
    } catch (e) {
      if (!NO_LINKS.has((e as NodeJS.ErrnoException).code ?? '')) throw e;
      // Still exclusive, but a reader may see the record half-written for a moment: a lock
      // that does not parse counts as held while it is young (judgeLock).
      await writeSynced(path, text, 'wx').catch(async (err: unknown) => {
        // One this call made and could not complete (a full disk) goes again.
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') await rm(path, { force: true });
        throw err;
      });
    }
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    await rm(tmp, { force: true }).catch(() => undefined);
  }
}

/** A lock this process holds: renewed every RENEW_MS until released. */
export class HeldLock {
  private readonly timer: NodeJS.Timeout;
  private released = false;

  constructor(
    readonly path: string,
    readonly record: RunLock,
  ) {
    this.timer = setInterval(() => void this.renew(), RENEW_MS);
    this.timer.unref(); // a lock never keeps the process alive
  }

  private async renew(): Promise<void> {
    const now = new Date();
    await utimes(this.path, now, now).catch(() => undefined);
  }

  /** Removes the lock if it is still this one (never another's); safe to call twice. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    clearInterval(this.timer);
    const current = await readLockFile(this.path);
    if (current?.record?.token === this.record.token)
      await rm(this.path, { force: true }).catch(() => undefined);
  }
}

/** How long the mark of a broken lock is kept (see breakStale). */
const BROKEN_MARK_MS = 10 * 60 * 1000;

/**
 * Removes the stale lock `seen` from `path`, unless another process does. Of all processes that
 * judged this very lock stale, only the one that creates its mark `<lock>.broken-<token>`
 * (exclusively) removes it; the others leave it to that one. So a process that judged it stale a
 * moment ago can never remove the lock a faster process has taken since.
 */
async function breakStale(path: string, seen: LockFile, instance: string): Promise<void> {
  const id = seen.record?.token ?? createHash('sha1').update(seen.text).digest('hex');
  if (!(await createExclusive(`${path}.broken-${id}`, newLockRecord(instance)))) return;
  const now = await readLockFile(path);
  if (now?.text === seen.text) await rm(path, { force: true });
}

/** Removes the marks of locks broken long ago. */
async function sweepMarks(path: string): Promise<void> {
  const prefix = `${basename(path)}.broken-`;
  const names = await readdir(dirname(path)).catch(() => [] as string[]);
  for (const name of names.filter((n) => n.startsWith(prefix))) {
    const mark = join(dirname(path), name);
    const s = await stat(mark).catch(() => null);
    if (s && Date.now() - s.mtimeMs > BROKEN_MARK_MS) await rm(mark, { force: true });
  }
}

/**
 * Takes the lock at `path` for the instance `instance` (the folder must exist), breaking a stale
 * one. RunLockedError (E_BUSY) naming the holder while another live instance holds it; the
 * file-system error (ENOSPC...) if it cannot be written.
 */
export async function acquireLock(path: string, instance: string): Promise<HeldLock> {
  const record = newLockRecord(instance);
  for (let attempt = 0; attempt < 10; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 10 * attempt));
    if (await createExclusive(path, record)) {
      await sweepMarks(path);
      return new HeldLock(path, record);
    }
    const seen = await readLockFile(path);
    if (!seen) continue; // released meanwhile
    const holder = judgeLock(seen, instance);
    if (holder.state === 'held' || holder.state === 'mine')
      throw new RunLockedError(dirname(path), describeHolder(holder));
    if (holder.state === 'stale') await breakStale(path, seen, instance);
  }
  throw new RunLockedError(dirname(path), 'being taken by another Netforge');
}
