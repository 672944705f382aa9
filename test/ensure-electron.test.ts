// `npm start` / `npm run dev` first run scripts/ensure-electron.ts: with Electron's binary there it
// lets them go on; when the download fails it says what failed and that `netforge serve` works
// without Electron, instead of Electron's bare "TypeError: fetch failed". A fake electron
// package folder stands in for the real one (NETFORGE_ELECTRON_DIR).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { downloadFailedMessage } from '../scripts/ensure-electron.ts';

const SCRIPT = join(import.meta.dirname, '..', 'scripts', 'ensure-electron.ts');

async function ensure(dir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', SCRIPT],
      { env: { ...process.env, NETFORGE_ELECTRON_DIR: dir } },
    );
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

/** An electron package folder whose install.js runs `body`. */
async function fakeElectron(body: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'netforge-electron-'));
  await writeFile(join(dir, 'install.js'), body);
  return dir;
}

describe('ensure-electron (npm start, npm run dev)', () => {
  it('an offline first start says what failed and that netforge serve works without it', async () => {
    // What Electron's installer prints offline.
    const dir = await fakeElectron(
      "console.error('TypeError: fetch failed\\n    at node:internal/deps/undici'); process.exit(1);",
    );
    const r = await ensure(dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      "the desktop app cannot start: Electron's binary is missing and downloading it failed (TypeError: fetch failed)",
    );
    expect(r.stderr).toContain('npx netforge serve');
    expect(r.stderr).not.toContain('undici'); // no stack
  });

  it('a binary already downloaded: nothing is run and npm start goes on', async () => {
    const dir = await fakeElectron(
      "require('fs').writeFileSync(require('path').join(__dirname, 'ran'), ''); process.exit(1);",
    );
    await mkdir(join(dir, 'dist'));
    await writeFile(join(dir, 'path.txt'), 'electron');
    await writeFile(join(dir, 'dist', 'electron'), '');
    const r = await ensure(dir);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(dir, 'ran'))).toBe(false);
  });

  it("names Electron's Node requirement under an older Node, and only then", () => {
    expect(downloadFailedMessage('TypeError: fetch failed', 'v20.20.2')).toContain(
      'Node 22.12.0 or newer (this is Node v20.20.2)',
    );
    const current = downloadFailedMessage('TypeError: fetch failed', 'v22.12.0');
    expect(current).not.toContain('this is Node');
    expect(current).toContain('ELECTRON_MIRROR');
  });
});
