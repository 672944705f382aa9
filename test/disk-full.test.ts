// A full disk, for real: the runs folder on a 2 MB tmpfs (mounted here when the test runs as
// root where mounts are allowed; otherwise these tests are skipped and say why, and
// test/runs/disk-full-injected.test.ts covers the same mapping with an injected ENOSPC). A start
// on a full disk is refused with E_DISK_FULL naming the path and leaves no run folder; a run that
// fills the disk fails with E_DISK_FULL naming the path, leaves no 0-byte result file, and
// continues to its end once space is freed.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, open, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { TrainingService } from '../src/main/api/training-service.ts';
import type { CodedError } from '../src/shared/errors.ts';
import type { TrainingEventOf } from '../src/shared/events.ts';
import { tempDirs, tinyGraph, writeSyntheticMnist } from './engine/fixtures.ts';
import { ended, nextEvent } from './helpers/training-events.ts';

const dirs = tempDirs('disk-full');
let mountPoint = '';
/** Why the tmpfs tests cannot run here, or '' when they can. */
let cannot = '';

function tryMount(dir: string): string {
  if (process.platform !== 'linux') return 'tmpfs is Linux only';
  if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root';
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', dir], { stdio: 'pipe' });
    return '';
  } catch (e) {
    const stderr = (e as { stderr?: Buffer }).stderr?.toString().trim();
    return `mount -t tmpfs is not permitted here (${stderr || (e as Error).message})`;
  }
}

beforeAll(async () => {
  mountPoint = await mkdtemp(join(tmpdir(), 'netforge-tmpfs-'));
  cannot = tryMount(mountPoint);
  if (cannot) console.warn(`disk-full.test.ts: skipped: ${cannot}`);
});
afterAll(async () => {
  if (!cannot) execFileSync('umount', ['-l', mountPoint]);
  await rm(mountPoint, { recursive: true, force: true });
  await dirs.cleanup();
});

/** Fills the tmpfs with one file until ENOSPC; removing that file frees the space again. */
async function fill(): Promise<string> {
  const path = join(mountPoint, 'filler');
  const handle = await open(path, 'a');
  const chunk = Buffer.alloc(16 * 1024, 1);
  try {
    for (;;) await handle.write(chunk);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
  } finally {
    await handle.close();
  }
  // What a partial chunk could not take, byte by byte.
  const tail = await open(path, 'a');
  try {
    for (;;) await tail.write(Buffer.alloc(512, 1));
  } catch {
    // full
  } finally {
    await tail.close();
  }
  return path;
}

/** Every JSON file a reader looks at in `dir` parses: none is left empty or half-written. */
async function expectWholeJsonFiles(dir: string): Promise<void> {
  for (const name of await readdir(dir, { recursive: true })) {
    if (!name.endsWith('.json') || name.includes('.writing') || /(^|\/)\./.test(name)) continue;
    const text = await readFile(join(dir, name), 'utf8').catch(() => null);
    if (text === null) continue; // gone meanwhile (the lock, released as the run ends)
    expect(() => JSON.parse(text), `${name} (${text.length} bytes)`).not.toThrow();
  }
}

const config = { dataset: 'mnist' as const, epochs: 3, batchSize: 32 };

describe('a full disk (tmpfs)', () => {
  it('refuses a start with E_DISK_FULL naming the path, and leaves no run folder', async (ctx) => {
    if (cannot) ctx.skip(`skipped: ${cannot}`);
    const runsDir = join(mountPoint, 'runs-start');
    await mkdir(runsDir);
    const filler = await fill();
    const service = new TrainingService({ runsDir, backend: 'wasm' });
    try {
      const error = await service.start({ graph: tinyGraph(), config, dataDir: null }).then(
        () => null,
        (e: unknown) => e as CodedError,
      );
      expect(await readdir(runsDir)).toEqual([]);
      expect({ code: error?.code, message: error?.message }).toEqual({
        code: 'E_DISK_FULL',
        message: expect.stringMatching(
          new RegExp(
            `^The disk is full at ${runsDir}/tiny-convnet-[^ ]+; free space and start the run again\\.$`,
          ),
        ) as string,
      });
    } finally {
      await service.close();
      await rm(filler);
    }
  });

  it('fails a run that fills the disk with E_DISK_FULL naming the path; freed, it continues', async (ctx) => {
    if (cannot) ctx.skip(`skipped: ${cannot}`);
    const data = await writeSyntheticMnist(join(await dirs.make(), 'mnist'));
    const service = new TrainingService({ runsDir: join(mountPoint, 'runs-run'), backend: 'wasm' });
    try {
      const firstCheckpoint = nextEvent(
        (l) => service.subscribe(l),
        (e) => e.type === 'checkpoint',
      );
      const paused = nextEvent(
        (l) => service.subscribe(l),
        (e) => e.type === 'status' && e.state === 'paused',
      );
      const failed = nextEvent((l) => service.subscribe(l), ended);
      const { runId, runDir } = await service.start({ graph: tinyGraph(), config, dataDir: data });
      await firstCheckpoint;
      await service.pause(runId);
      await paused;
      const filler = await fill();
      await service.resume(runId);

      const error = (await failed) as TrainingEventOf<'error'>;
      expect({ code: error.code, message: error.message }).toEqual({
        code: 'E_DISK_FULL',
        message: expect.stringMatching(
          new RegExp(`^The disk is full at ${runDir}/\\S+; free space and continue the run\\.$`),
        ) as string,
      });
      expect(error.checkpoint).toBe(join(runDir, 'checkpoints', 'last'));
      await expectWholeJsonFiles(runDir);
      if (existsSync(join(runDir, 'error.json')))
        expect(JSON.parse(await readFile(join(runDir, 'error.json'), 'utf8'))).toMatchObject({
          code: 'E_DISK_FULL',
        });

      // Space freed, the run goes on from its checkpoint to its end.
      await rm(filler);
      const done = nextEvent((l) => service.subscribe(l), ended);
      await service.continueRun(runId);
      expect(await done).toMatchObject({ type: 'finished', status: 'completed' });
      await expectWholeJsonFiles(runDir);
      const detail = await service.get(runId);
      expect(detail.view.epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
    } finally {
      await service.close();
    }
  });
});
