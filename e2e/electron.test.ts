// The desktop app in Electron, where an Electron binary is installed (CI and offline machines
// have none: `npm install` there skips its download). Opens the built app's window, checks its
// title and that the preload's engine API answers through IPC.
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron as electron } from 'playwright-core';
import { describe, expect, it } from 'vitest';

import { PACKAGE_ROOT } from '../src/main/server/build.ts';
import type { NetforgeBridge } from '../src/shared/bridge.ts';
import { appOutDir } from './harness.ts';

/** Electron's binary as the electron package finds it, without its download fallback. */
function electronBinary(): { path: string } | { missing: string } {
  const pkg = join(PACKAGE_ROOT, 'node_modules', 'electron');
  const pathFile = join(pkg, 'path.txt');
  if (!existsSync(pathFile))
    return { missing: 'no Electron binary (node_modules/electron/path.txt is absent)' };
  const dist = process.env['ELECTRON_OVERRIDE_DIST_PATH'] || join(pkg, 'dist');
  const path = join(dist, readFileSync(pathFile, 'utf8').trim());
  if (!existsSync(path)) return { missing: `no Electron binary at ${path}` };
  if (process.platform === 'linux' && !process.env['DISPLAY'] && !process.env['WAYLAND_DISPLAY'])
    return { missing: 'no display for Electron (DISPLAY is not set; try xvfb-run)' };
  return { path };
}

const binary = electronBinary();
const skipReason = 'missing' in binary ? binary.missing : null;
if (skipReason) console.warn(`e2e: skipping the Electron test, ${skipReason}`);

describe('desktop app in Electron', () => {
  it.skipIf(skipReason)(
    `opens a window titled Netforge whose engine answers over IPC${skipReason ? ` (skipped: ${skipReason})` : ''}`,
    async () => {
      if ('missing' in binary) return;
      const projectsDir = await mkdtemp(join(tmpdir(), 'netforge-e2e-electron-'));
      const app = await electron.launch({
        executablePath: binary.path,
        // Root (as in containers) cannot use Chromium's sandbox.
        args: [
          ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
          join(appOutDir(), 'main', 'index.js'),
        ],
        env: { ...process.env, NETFORGE_PROJECTS_DIR: projectsDir },
      });
      try {
        const window = await app.firstWindow();
        await window.waitForLoadState('domcontentloaded');
        expect(await window.title()).toMatch(/\bNetforge$/);
        const reply = await window.evaluate(() =>
          (globalThis as unknown as { netforge: NetforgeBridge }).netforge.request({
            id: 1,
            type: 'hello',
          }),
        );
        expect(reply).toMatchObject({ id: 1, ok: true, result: { projectsDir } });
        // The desktop app offers the system's folder picker for the data folder.
        expect(
          await window.evaluate(
            () =>
              typeof (globalThis as unknown as { netforge: NetforgeBridge }).netforge.chooseFolder,
          ),
        ).toBe('function');
        // And the file manager for an export, which refuses a name outside the exports folder.
        expect(
          await window.evaluate(() =>
            (globalThis as unknown as { netforge: NetforgeBridge }).netforge.showExport?.(
              '../outside',
            ),
          ),
        ).toBe('That is not an export name.');
      } finally {
        await app.close();
        await rm(projectsDir, { recursive: true, force: true });
      }
    },
  );
});
