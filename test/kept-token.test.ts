// `netforge serve --keep-token` (src/main/server/kept-token.ts): one token per projects folder,
// the same after a restart, kept readable by its owner only, in the config folder.
import { mkdtemp, readFile, rm, stat, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configDir, keptToken, TOKENS_FILE } from '../src/main/server/kept-token.ts';

let base = '';
let config = '';
beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'netforge-token-'));
  config = join(base, 'config', 'netforge');
});
afterEach(() => rm(base, { recursive: true, force: true }));

const posix = process.platform !== 'win32';

describe('kept tokens', () => {
  it('the same token for the same projects folder across starts, another for another folder', async () => {
    const first = await keptToken(join(base, 'projects'), config);
    expect(first.token).toMatch(/^[0-9a-f]{64}$/);
    expect(first.made).toBe('new');
    const again = await keptToken(join(base, 'projects'), config);
    expect(again).toEqual({ token: first.token, file: join(config, TOKENS_FILE), made: null });
    const other = await keptToken(join(base, 'other'), config);
    expect(other.token).not.toBe(first.token);
    // The first is still kept beside the second.
    expect((await keptToken(join(base, 'projects'), config)).token).toBe(first.token);
    // Keyed by the absolute path: a relative spelling of the same folder is the same folder.
    const cwd = process.cwd();
    process.chdir(base);
    try {
      expect((await keptToken('projects', config)).token).toBe(first.token);
    } finally {
      process.chdir(cwd);
    }
  });

  it.skipIf(!posix)('the file is readable by its owner only (0600), in a 0700 folder', async () => {
    const { file } = await keptToken(join(base, 'projects'), config);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(config)).mode & 0o777).toBe(0o700);
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ version: 1 });
  });

  it.skipIf(!posix)(
    'a file others could read is not trusted: a new token replaces it',
    async () => {
      const first = await keptToken(join(base, 'projects'), config);
      await chmod(first.file, 0o644);
      const next = await keptToken(join(base, 'projects'), config);
      expect(next.made).toBe('unsafe');
      expect(next.token).not.toBe(first.token);
      expect((await stat(next.file)).mode & 0o777).toBe(0o600);
    },
  );

  it('a damaged file is made again', async () => {
    const first = await keptToken(join(base, 'projects'), config);
    await writeFile(first.file, '{"tokens": {"x": ', { mode: 0o600 });
    const next = await keptToken(join(base, 'projects'), config);
    expect(next.made).toBe('new');
    expect((await keptToken(join(base, 'projects'), config)).token).toBe(next.token);
  });

  it('lives in the config folder: NETFORGE_CONFIG_DIR, else XDG_CONFIG_HOME/netforge', () => {
    const saved = { ...process.env };
    try {
      process.env.NETFORGE_CONFIG_DIR = '/somewhere/netforge';
      expect(configDir()).toBe('/somewhere/netforge');
      delete process.env.NETFORGE_CONFIG_DIR;
      process.env.XDG_CONFIG_HOME = '/xdg';
      if (process.platform === 'linux') expect(configDir()).toBe('/xdg/netforge');
    } finally {
      process.env = saved;
    }
  });
});
