// A full disk, injected (test/disk-full.test.ts fills a real tmpfs where it can mount one): while
// `full.on`, a file opened for writing takes half of what is written to it and then fails with
// ENOSPC, and appends fail with ENOSPC. ENOSPC anywhere becomes E_DISK_FULL naming the path and
// what to do; no result file is left half-written or empty; a start leaves no run folder.
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import type * as fsPromises from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

import { TrainingService } from '../../src/main/api/training-service.ts';
import { selectBackend } from '../../src/main/engine/backend.ts';
import { runTraining } from '../../src/main/engine/run.ts';
import { diskFullError } from '../../src/main/runs/errors.ts';
import { RunFolder } from '../../src/main/runs/run-folder.ts';
import type { CodedError } from '../../src/shared/errors.ts';
import type { TrainingEvent, TrainingEventOf } from '../../src/shared/events.ts';
import { trainConfigSchema } from '../../src/shared/train-config.ts';
import { tempDirs, tinyGraph, trainRequest, writeSyntheticMnist } from '../engine/fixtures.ts';

const full = vi.hoisted(() => ({ on: false }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof fsPromises>();
  const enospc = (path?: string) =>
    Object.assign(new Error('ENOSPC: no space left on device, write'), {
      code: 'ENOSPC',
      ...(path ? { path } : {}),
    });
  const open: typeof fs.open = async (...args) => {
    const handle = await fs.open(...args);
    if (full.on)
      handle.writeFile = async (data) => {
        const bytes = typeof data === 'string' ? Buffer.from(data) : (data as Uint8Array);
        await handle.write(bytes.subarray(0, Math.floor(bytes.length / 2)));
        throw enospc(); // a FileHandle's errors name no file
      };
    return handle;
  };
  const appendFile: typeof fs.appendFile = async (path, ...rest) => {
    if (full.on) throw enospc(String(path));
    return fs.appendFile(path, ...rest);
  };
  return { ...fs, open, appendFile };
});

const dirs = tempDirs('disk-full-injected');
let data = '';
beforeAll(async () => {
  data = await writeSyntheticMnist(join(await dirs.make(), 'mnist'));
  await selectBackend('wasm');
});
afterEach(() => void (full.on = false));
afterAll(() => dirs.cleanup());

describe('ENOSPC as E_DISK_FULL', () => {
  it('names the path the error carries, or the one given, and what to do', () => {
    const at = (e: object) => diskFullError(e, '/runs/r1', 'continue the run');
    expect(at({ code: 'ENOSPC', path: '/runs/r1/metrics.jsonl' })).toMatchObject({
      code: 'E_DISK_FULL',
      message: 'The disk is full at /runs/r1/metrics.jsonl; free space and continue the run.',
    });
    expect(at({ code: 'ENOSPC' })!.message).toBe(
      'The disk is full at /runs/r1; free space and continue the run.',
    );
    expect(at({ code: 'EDQUOT' })!.message).toMatch(/^Your disk quota is used up at \/runs\/r1;/);
    expect(at({ code: 'EACCES' })).toBeNull();
    expect(at(new Error('boom'))).toBeNull();
  });

  it('an atomic write that fails names the file meant, not its temporary name', async () => {
    const folder = new RunFolder(join(await dirs.make(), 'run'));
    await folder.ensure();
    full.on = true;
    const e = await folder.writeConfig(trainConfigSchema.parse({ dataset: 'mnist' })).then(
      () => null,
      (err: unknown) => err,
    );
    full.on = false;
    expect(e).toMatchObject({ code: 'ENOSPC', path: folder.configFile });
    expect(await readdir(folder.dir)).toEqual([]); // no temporary file, no half a config.json
  });

  it('a run that fills the disk fails with E_DISK_FULL naming the path, writes no 0-byte error.json, and continues once freed', async () => {
    const runDir = await dirs.make();
    const events: TrainingEvent[] = [];
    const config = { epochs: 3 };
    await runTraining(trainRequest(runDir, data, config), (e) => {
      events.push(e);
      if (e.type === 'checkpoint') full.on = true; // the disk fills after the first checkpoint
    });
    full.on = false;
    const error = events.at(-1) as TrainingEventOf<'error'>;
    expect({ code: error.code, message: error.message }).toEqual({
      code: 'E_DISK_FULL',
      message: expect.stringMatching(
        new RegExp(`^The disk is full at ${runDir}/\\S+; free space and continue the run\\.$`),
      ) as string,
    });
    expect(error.checkpoint).toBe(join(runDir, 'checkpoints', 'last'));
    // error.json could not be written either: it is not there, rather than empty or half.
    expect(existsSync(join(runDir, 'error.json'))).toBe(false);
    expect(await readdir(runDir)).not.toContain('run.json');

    const resumed: TrainingEvent[] = [];
    await runTraining(trainRequest(runDir, data, config, { resume: true }), (e) => resumed.push(e));
    expect(resumed.at(-1)).toMatchObject({ type: 'finished', status: 'completed' });
    expect(JSON.parse(await readFile(join(runDir, 'run.json'), 'utf8'))).toMatchObject({
      status: 'completed',
    });
  });

  it('a start on a full disk is E_DISK_FULL naming the run folder, and leaves no run folder', async () => {
    const runsDir = join(await dirs.make(), 'runs');
    const service = new TrainingService({ runsDir, backend: 'wasm' });
    try {
      await service.list(); // (nothing yet)
      full.on = true;
      const error = await service
        .start({ graph: tinyGraph(), config: { dataset: 'mnist' }, dataDir: data })
        .then(
          () => null,
          (e: unknown) => e as CodedError,
        );
      full.on = false;
      expect(await readdir(runsDir)).toEqual([]);
      expect(error).toMatchObject({ code: 'E_DISK_FULL' });
      expect(error!.message).toMatch(
        new RegExp(
          `^The disk is full at ${runsDir}/tiny-convnet-\\S+; free space and start the run again\\.$`,
        ),
      );
    } finally {
      await service.close();
    }
  });
});
