// The owner lock of a run folder (run-lock.ts) between real processes: a second Netforge process
// (test/helpers/lock-child.ts) holds it, dies (stale: its pid is gone), or is impersonated by a
// live pid of another process (stale: another start time); a holder on another computer holds
// until its lock is a day old; of processes racing for a run, fresh or over a stale lock, exactly
// one wins.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type * as fsPromises from 'node:fs/promises';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';

import { RunFolder } from '../../src/main/runs/run-folder.ts';
import { newLockRecord, RunLockedError, STALE_AFTER_MS } from '../../src/main/runs/run-lock.ts';
import { tempDirs } from '../engine/fixtures.ts';

// A file system without hard links (FAT, exFAT), in this process only while `noLinks.on`.
const noLinks = vi.hoisted(() => ({ on: false }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof fsPromises>();
  const link: typeof fs.link = async (from, to) => {
    if (noLinks.on)
      throw Object.assign(new Error('EPERM: operation not permitted, link'), { code: 'EPERM' });
    return fs.link(from, to);
  };
  return { ...fs, link };
});

const CHILD = join(import.meta.dirname, '..', 'helpers', 'lock-child.ts');
const dirs = tempDirs('run-lock');
const children: ChildProcess[] = [];
afterEach(() => {
  noLinks.on = false;
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});
afterAll(() => dirs.cleanup());

interface Said {
  pid: number;
  ready?: boolean;
  locked: boolean;
  message?: string;
}

/** Starts lock-child.ts; `next()` resolves with the next line it prints. */
function start(...args: string[]) {
  const proc = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  children.push(proc);
  const lines = createInterface({ input: proc.stdout! })[Symbol.asyncIterator]();
  const next = async (): Promise<Said> => {
    const { value, done } = await lines.next();
    if (done) throw new Error(`lock-child ended (exit code ${proc.exitCode})`);
    return JSON.parse(value as string) as Said;
  };
  return { proc, next };
}

/** A child holding the lock of `dir` (or told it cannot). */
async function child(mode: 'hold', dir: string): Promise<{ proc: ChildProcess; said: Said }> {
  const { proc, next } = start(mode, dir);
  return { proc, said: await next() };
}

const exited = (proc: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) resolve();
    else proc.once('exit', () => resolve());
  });

async function runFolder(): Promise<RunFolder> {
  const dir = join(await dirs.make(), 'run');
  await mkdir(dir);
  return new RunFolder(dir);
}

/** The failure of taking the lock (as the instance `instance`). */
const refusalFor = (folder: RunFolder, instance: string) =>
  folder.lock(instance).then(
    () => null,
    (e: unknown) => e as RunLockedError,
  );
const refusal = (folder: RunFolder) => refusalFor(folder, 'this-test');

describe('the owner lock and another process', () => {
  it('holds while the other process lives, names it, and is broken once it has died', async () => {
    const folder = await runFolder();
    const { proc, said } = await child('hold', folder.dir);
    expect(said.locked).toBe(true);

    expect(await folder.lockHolder('this-test')).toMatchObject({ state: 'held', checked: true });
    const busy = await refusal(folder);
    expect(busy).toBeInstanceOf(RunLockedError);
    expect(busy).toMatchObject({ code: 'E_BUSY' });
    expect(busy!.message).toMatch(
      new RegExp(
        `running in another Netforge \\(pid ${proc.pid} on host ${hostname()}\\) since \\d{4}-`,
      ),
    );

    proc.kill('SIGKILL');
    await exited(proc);
    expect(await folder.lockHolder('this-test')).toMatchObject({
      state: 'stale',
      why: `process ${proc.pid} has ended`,
    });
    const lock = await folder.lock('this-test');
    expect(await folder.lockHolder('this-test')).toMatchObject({ state: 'mine' });
    expect(JSON.parse(await readFile(folder.lockFile, 'utf8'))).toMatchObject({
      pid: process.pid,
      hostname: hostname(),
      instance: 'this-test',
    });
    await lock.release();
    expect(existsSync(folder.lockFile)).toBe(false);
  });

  it.skipIf(!existsSync('/proc/self/stat'))(
    'takes a live pid that is another process now (another start time, another boot) as stale',
    async () => {
      const folder = await runFolder();
      const { proc } = await child('hold', folder.dir);
      const record = JSON.parse(await readFile(folder.lockFile, 'utf8')) as Record<string, unknown>;
      expect(record.processStart).toMatch(/^\d+$/);
      // The pid is alive (the child), but the process that took the lock started at another time.
      await writeFile(folder.lockFile, JSON.stringify({ ...record, processStart: '1' }));
      expect(await folder.lockHolder('this-test')).toMatchObject({
        state: 'stale',
        why: `pid ${proc.pid} now belongs to another process`,
      });
      await writeFile(folder.lockFile, JSON.stringify({ ...record, bootId: 'another-boot' }));
      expect(await folder.lockHolder('this-test')).toMatchObject({
        state: 'stale',
        why: 'the computer has restarted since it was taken',
      });
      // And the real one holds.
      await writeFile(folder.lockFile, JSON.stringify(record));
      expect(await folder.lockHolder('this-test')).toMatchObject({ state: 'held' });
    },
  );

  it('holds a lock from another computer until it has not been renewed for a day, and says so', async () => {
    const folder = await runFolder();
    const record = { ...newLockRecord('far-away'), hostname: 'another-host.example', pid: 4242 };
    await writeFile(folder.lockFile, JSON.stringify(record));
    expect(await folder.lockHolder('this-test')).toMatchObject({ state: 'held', checked: false });
    const busy = await refusal(folder);
    expect(busy!.message).toContain('(pid 4242 on host another-host.example)');
    expect(busy!.message).toMatch(/cannot check a process on another computer/);
    expect(busy!.message).toMatch(
      /counts as stale from \d{4}-.* \(24 hours after it was last renewed\)/,
    );

    const old = new Date(Date.now() - STALE_AFTER_MS - 60_000);
    await utimes(folder.lockFile, old, old);
    expect(await folder.lockHolder('this-test')).toMatchObject({
      state: 'stale',
      why: 'its holder on another-host.example has not renewed it for 24 hours',
    });
    await (await folder.lock('this-test')).release();
  });

  it('takes a damaged lock file as being written for a minute, then as stale', async () => {
    const folder = await runFolder();
    await writeFile(folder.lockFile, '{"pid": 12');
    expect(await folder.lockHolder('this-test')).toMatchObject({ state: 'held' });
    const old = new Date(Date.now() - 120_000);
    await utimes(folder.lockFile, old, old);
    expect(await folder.lockHolder('this-test')).toMatchObject({
      state: 'stale',
      why: 'the lock file is damaged',
    });
    await (await folder.lock('this-test')).release();
  });
});

describe('a file system without hard links', () => {
  it('still takes the lock exclusively, and releases it', async () => {
    const folder = await runFolder();
    noLinks.on = true;
    const lock = await folder.lock('this-test');
    expect(JSON.parse(await readFile(folder.lockFile, 'utf8'))).toMatchObject({
      instance: 'this-test',
    });
    expect(await folder.lockHolder('another')).toMatchObject({ state: 'held', checked: true });
    expect(await refusalFor(folder, 'another')).toMatchObject({ code: 'E_BUSY' });
    expect((await readdir(folder.dir)).sort()).toEqual(['netforge-lock.json']); // no temp file
    await lock.release();
    expect(existsSync(folder.lockFile)).toBe(false);
  });
});

describe('processes racing for one run', () => {
  const RACERS = 6;

  /** RACERS children try to take the lock of `folder` at the same moment. */
  async function race(folder: RunFolder): Promise<Said[]> {
    const racers = Array.from({ length: RACERS }, () => start('race', folder.dir));
    for (const r of racers) expect(await r.next()).toMatchObject({ ready: true });
    for (const r of racers) r.proc.stdin!.write('go\n');
    return Promise.all(racers.map((r) => r.next()));
  }

  it('lets exactly one take a free lock; the others are told who has it', async () => {
    const folder = await runFolder();
    const said = await race(folder);
    const winners = said.filter((s) => s.locked);
    expect(winners).toHaveLength(1);
    for (const loser of said.filter((s) => !s.locked))
      expect(loser.message).toContain(`(pid ${winners[0]!.pid} on host ${hostname()})`);
  });

  it('lets exactly one break a stale lock and take it', async () => {
    const folder = await runFolder();
    const { proc } = await child('hold', folder.dir);
    proc.kill('SIGKILL');
    await exited(proc);
    expect(await folder.lockHolder('this-test')).toMatchObject({ state: 'stale' });
    const said = await race(folder);
    expect(said.filter((s) => s.locked)).toHaveLength(1);
  });
});
