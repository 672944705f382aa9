// The packaged app's Electron fuses (scripts/set-fuses.ts): the configuration, and the script
// run on a stand-in binary (no Electron binary here): bytes around the fuse wire as Electron
// lays it out (a sentinel, the wire's version and length, one byte per fuse).
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { FuseV1Options, FuseVersion, getCurrentFuseWire } from '@electron/fuses';

import { fuseMismatches, NETFORGE_FUSES, setFuses } from '../../scripts/set-fuses.ts';
import { tempDirs } from '../engine/fixtures.ts';

const SCRIPT = join(import.meta.dirname, '..', '..', 'scripts', 'set-fuses.ts');
const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const ON = 0x31; // '1'
const OFF = 0x30; // '0'
/** Electron's defaults for the nine fuses of wire version 1. */
const DEFAULTS = [ON, OFF, ON, ON, OFF, OFF, OFF, ON, ON];

const dirs = tempDirs('fuses');
afterAll(() => dirs.cleanup());

/** A file laid out like an Electron binary around its fuse wire. */
async function standIn(wire = DEFAULTS): Promise<string> {
  const file = join(await dirs.make(), 'netforge');
  await writeFile(
    file,
    Buffer.concat([
      Buffer.alloc(4096, 0x90),
      Buffer.from(SENTINEL),
      Buffer.from([1, wire.length, ...wire]),
      Buffer.alloc(4096, 0x90),
    ]),
  );
  return file;
}

describe('the fuse configuration', () => {
  it('turns off running as Node, NODE_OPTIONS and --inspect; turns on cookie encryption and asar-only', () => {
    expect(NETFORGE_FUSES).toMatchObject({
      version: FuseVersion.V1,
      [FuseV1Options.RunAsNode]: false,
      [FuseV1Options.EnableCookieEncryption]: true,
      [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
      [FuseV1Options.EnableNodeCliInspectArguments]: false,
      [FuseV1Options.OnlyLoadAppFromAsar]: true,
    });
  });

  it('decides every fuse @electron/fuses knows, and fails on one it does not', () => {
    expect(NETFORGE_FUSES.strictlyRequireAllFuses).toBe(true);
    const known = Object.values(FuseV1Options).filter((v) => typeof v === 'number');
    for (const fuse of known)
      expect(typeof NETFORGE_FUSES[fuse], FuseV1Options[fuse]).toBe('boolean');
  });
});

describe('scripts/set-fuses.ts', () => {
  it('flips the fuses of a binary and reads them back', async () => {
    const file = await standIn();
    expect((await fuseMismatches(file)).sort()).toEqual([
      'EnableCookieEncryption: is false, should be true',
      'EnableNodeCliInspectArguments: is true, should be false',
      'EnableNodeOptionsEnvironmentVariable: is true, should be false',
      'OnlyLoadAppFromAsar: is false, should be true',
      'RunAsNode: is true, should be false',
    ]);
    const size = (await readFile(file)).length;
    expect(await setFuses(file)).toEqual([]);
    const wire = await getCurrentFuseWire(file);
    expect(wire[FuseV1Options.RunAsNode]).toBe(OFF);
    expect(wire[FuseV1Options.EnableCookieEncryption]).toBe(ON);
    expect(wire[FuseV1Options.OnlyLoadAppFromAsar]).toBe(ON);
    expect((await readFile(file)).length).toBe(size);
  });

  it('as a command: sets them, says so, exits 0', async () => {
    const file = await standIn();
    const { stdout } = await promisify(execFile)(process.execPath, [
      '--import',
      'tsx',
      SCRIPT,
      file,
    ]);
    expect(stdout).toContain('RunAsNode: false');
    expect(stdout).toContain(`The fuses of ${file} are set.`);
    expect(await fuseMismatches(file)).toEqual([]);
  });

  it('refuses a binary with a fuse it has no decision for, and one without fuses', async () => {
    const newer = await standIn([...DEFAULTS, ON]);
    const run = (f: string) =>
      promisify(execFile)(process.execPath, ['--import', 'tsx', SCRIPT, f]).then(
        () => ({ code: 0, stderr: '' }),
        (e: { code: number; stderr: string }) => e,
      );
    const r = await run(newer);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Could not set the fuses of .*strictlyRequireAllFuses/);
    // Nothing was changed.
    expect((await getCurrentFuseWire(newer))[FuseV1Options.RunAsNode]).toBe(ON);

    const plain = join(await dirs.make(), 'not-electron');
    await writeFile(plain, 'just text');
    const p = await run(plain);
    expect(p.code).toBe(1);
    expect(p.stderr).toMatch(/Could not find sentinel/);
  });
});
