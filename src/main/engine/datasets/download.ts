// Downloads into a cache folder. A file appears under its final name only
// after it is complete and its digest matches, so a partial file is never used.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DatasetError } from './errors.ts';
import type { DownloadProgress } from './types.ts';

export interface DownloadOptions {
  onProgress?: (p: DownloadProgress) => void;
  fetch?: typeof fetch;
}

/** A temporary name next to `dest`, unique per call so concurrent downloads never share one. */
const partialName = (dest: string): string =>
  `${dest}.partial-${process.pid}-${randomBytes(4).toString('hex')}`;

/** Why a fetch failed, e.g. "connect ECONNREFUSED 127.0.0.1:80" rather than just "fetch failed". */
function reason(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const cause = e.cause as { message?: string; code?: string } | undefined;
  return cause?.message || cause?.code || e.message;
}

/**
 * Fetches url to dest, checking its digest (algorithm 'sha256' or 'md5'). The bytes go to a
 * temporary file that is renamed to dest only once complete and matching; on any failure it is
 * removed and dest is left as it was.
 */
export async function downloadVerified(
  url: string,
  dest: string,
  digest: { algorithm: 'sha256' | 'md5'; hex: string },
  opts: DownloadOptions = {},
): Promise<void> {
  await mkdir(dirname(dest), { recursive: true });
  const file = basename(dest);
  let res: Response;
  try {
    res = await (opts.fetch ?? fetch)(url);
  } catch (e) {
    throw new DatasetError(
      'E_DATA_DOWNLOAD',
      `Could not download ${file} from ${url} (${reason(e)}). ` +
        'Check the internet connection, or download the file yourself and point --data-dir (NETFORGE_DATA_DIR) at its folder.',
    );
  }
  if (!res.ok || !res.body) {
    // Release the connection instead of leaving the unread body open.
    await res.body?.cancel().catch(() => {});
    throw new DatasetError(
      'E_DATA_DOWNLOAD',
      `Downloading ${file} from ${url} failed: HTTP ${res.status}. Try again later, or download it yourself and use --data-dir.`,
    );
  }
  const total = Number(res.headers.get('content-length')) || null;
  const hash = createHash(digest.algorithm);
  const tmp = partialName(dest);
  let received = 0;
  let lastReport = 0;
  try {
    const out = await open(tmp, 'w');
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        hash.update(chunk);
        received += chunk.byteLength;
        await out.write(chunk);
        const now = Date.now();
        if (now - lastReport > 200) {
          lastReport = now;
          opts.onProgress?.({ file, receivedBytes: received, totalBytes: total });
        }
      }
    } finally {
      await out.close();
    }
  } catch (e) {
    await rm(tmp, { force: true });
    throw new DatasetError(
      'E_DATA_DOWNLOAD',
      `The download of ${file} from ${url} broke off after ${received} bytes (${reason(e)}). Run again to retry.`,
    );
  }
  opts.onProgress?.({ file, receivedBytes: received, totalBytes: total });
  const got = hash.digest('hex');
  if (got !== digest.hex.toLowerCase()) {
    await rm(tmp, { force: true });
    throw new DatasetError(
      'E_DATA_CHECKSUM',
      `${file} from ${url} has ${digest.algorithm} ${got}, expected ${digest.hex}: the download is damaged or not the official file. Run again to retry.`,
    );
  }
  try {
    await rename(tmp, dest);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/** Writes a file under its final name only once it is complete. */
export async function writeAtomic(dest: string, data: Uint8Array): Promise<void> {
  await mkdir(dirname(dest), { recursive: true });
  const tmp = partialName(dest);
  try {
    await writeFile(tmp, data);
    await rename(tmp, dest);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/**
 * The regular files in a .tar.gz: path -> bytes. Enough of the tar format for the CIFAR-10
 * archive: POSIX ustar (with its name prefix) and old GNU headers (whose prefix bytes hold other
 * fields, so they are not read as a prefix); other entry types (folders, links) are skipped.
 */
export function untarGz(gz: Uint8Array, name: string): Map<string, Uint8Array> {
  const corrupt = (why: string): DatasetError =>
    new DatasetError(
      'E_DATA_CORRUPT',
      `${name} is not a readable .tar.gz (${why}). Delete it and download it again.`,
    );
  let tar: Uint8Array;
  try {
    tar = gunzipSync(gz);
  } catch (e) {
    throw corrupt((e as Error).message);
  }
  const files = new Map<string, Uint8Array>();
  const text = (o: number, n: number): string => {
    const s = new TextDecoder().decode(tar.subarray(o, o + n));
    const end = s.indexOf('\0');
    return end >= 0 ? s.slice(0, end) : s;
  };
  for (let o = 0; o + 512 <= tar.byteLength;) {
    const base = text(o, 100);
    if (!base) break; // a zero block ends the archive
    const sizeField = text(o + 124, 12).trim();
    const size = sizeField ? parseInt(sizeField, 8) : 0;
    if (!/^[0-7]*$/.test(sizeField) || !Number.isSafeInteger(size))
      throw corrupt(`entry ${base} has an unreadable size field`);
    if (o + 512 + size > tar.byteLength) throw corrupt(`entry ${base} is cut short`);
    const type = text(o + 156, 1);
    // POSIX magic is "ustar\0"; old GNU tar writes "ustar  " and uses bytes 345.. for other fields.
    const prefix = text(o + 257, 6) === 'ustar' ? text(o + 345, 155) : '';
    const path = prefix ? `${prefix}/${base}` : base;
    if (type === '0' || type === '') files.set(path, tar.subarray(o + 512, o + 512 + size));
    o += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}
