// `netforge serve --keep-token`: one access token per projects folder, kept across restarts so
// that a bookmarked address keeps working. Without the flag each start makes a fresh token (the
// default: an address seen once is no key for later).
//
// The tokens are kept in Netforge's config folder (configDir(): never in the repository or the
// projects folder, which may be shared or synced), in serve-tokens.json, readable by its owner
// only (0600, in a 0700 folder): the token is the key to the server and everything it can read
// and train. A file that others could read is not trusted: a new token replaces the old one.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export const TOKENS_FILE = 'serve-tokens.json';
const TOKEN_RE = /^[0-9a-f]{64}$/;

/**
 * Netforge's config folder: $NETFORGE_CONFIG_DIR, else the platform's place for an application's
 * settings (~/.config/netforge or $XDG_CONFIG_HOME/netforge, ~/Library/Application Support/Netforge,
 * %APPDATA%\Netforge).
 */
export function configDir(): string {
  const own = process.env['NETFORGE_CONFIG_DIR'];
  if (own) return own;
  if (process.platform === 'win32')
    return join(process.env['APPDATA'] || join(homedir(), 'AppData', 'Roaming'), 'Netforge');
  if (process.platform === 'darwin')
    return join(homedir(), 'Library', 'Application Support', 'Netforge');
  return join(process.env['XDG_CONFIG_HOME'] || join(homedir(), '.config'), 'netforge');
}

export interface KeptToken {
  token: string;
  /** The file it is kept in. */
  file: string;
  /** Why a new token was made: none was kept yet, or the kept one was not safe to reuse. */
  made: null | 'new' | 'unsafe';
}

type Tokens = Record<string, string>;

/** The kept tokens; `loose` when others than the owner may read the file. */
async function readTokens(file: string): Promise<{ tokens: Tokens; loose: boolean }> {
  const s = await stat(file).catch(() => null);
  if (!s) return { tokens: {}, loose: false };
  const loose = process.platform !== 'win32' && (s.mode & 0o077) !== 0;
  try {
    const data = JSON.parse(await readFile(file, 'utf8')) as { tokens?: unknown };
    const tokens: Tokens = {};
    if (typeof data.tokens === 'object' && data.tokens !== null)
      for (const [k, v] of Object.entries(data.tokens))
        if (typeof v === 'string' && TOKEN_RE.test(v)) tokens[k] = v;
    return { tokens, loose };
  } catch {
    return { tokens: {}, loose }; // damaged: made again
  }
}

/** Writes the file whole (a temp file with mode 0600, renamed over it). */
async function writeTokens(dir: string, file: string, tokens: Tokens): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const handle = await open(tmp, 'wx', 0o600);
    try {
      await handle.writeFile(`${JSON.stringify({ version: 1, tokens }, null, 1)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await chmod(tmp, 0o600); // whatever the umask made of it
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/**
 * The token kept for `projectsDir` (by its absolute path), made and saved if there is none, or
 * if the file could be read by others. Throws if the config folder cannot be written.
 */
export async function keptToken(projectsDir: string, dir = configDir()): Promise<KeptToken> {
  const file = join(dir, TOKENS_FILE);
  const key = resolve(projectsDir);
  const { tokens, loose } = await readTokens(file);
  const kept = loose ? undefined : tokens[key];
  if (kept) return { token: kept, file, made: null };
  const token = randomBytes(32).toString('hex');
  // A loose file's other tokens are no safer than this one's: none is kept.
  await writeTokens(dir, file, loose ? { [key]: token } : { ...tokens, [key]: token });
  return { token, file, made: loose ? 'unsafe' : 'new' };
}
