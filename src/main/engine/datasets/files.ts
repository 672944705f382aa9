// Reading dataset files from a folder, compressed (.gz) or not.
import { createHash } from 'node:crypto';
import { access, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DatasetError } from './errors.ts';

const exists = (p: string): Promise<boolean> =>
  access(p).then(
    () => true,
    () => false,
  );

/** The path of `name` or `name.gz` in `dir`, or null if neither is there. */
export async function findFile(dir: string, name: string): Promise<string | null> {
  for (const candidate of [name, `${name}.gz`]) {
    const p = join(dir, candidate);
    if (await exists(p)) return p;
  }
  return null;
}

/** True if `bytes` starts with the gzip magic number. IDX files start with 0x00 and CIFAR-10 records with a label 0-9, so neither is mistaken for gzip. */
const isGzip = (bytes: Uint8Array): boolean =>
  bytes.byteLength >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;

/**
 * Reads a file, inflating it if it is gzip-compressed. The content decides, not the name: browsers
 * sometimes save an already inflated file as `name.gz`, or an inflated name with gzip content.
 * `maxBytes` is the most the format can need (the official file's size): a larger file, or a
 * gzip stream that inflates past it (a "zip bomb"), is refused before it fills the memory. A
 * folder in a file's place, a broken gzip stream or a file that cannot be read is a DatasetError
 * naming the path.
 */
export async function readDataFile(path: string, maxBytes: number): Promise<Uint8Array> {
  let raw: Buffer;
  try {
    const s = await stat(path);
    if (!s.isFile())
      throw new DatasetError(
        'E_DATA_CORRUPT',
        `${path} is ${s.isDirectory() ? 'a folder' : 'not a regular file'}, where a dataset file should be. Move it away and put the dataset's file there.`,
      );
    // A gzip stream of a file of maxBytes is smaller than that, give or take its header.
    if (s.size > maxBytes + 1024) throw tooLarge(path, `is ${s.size} bytes`, maxBytes);
    raw = await readFile(path);
  } catch (e) {
    if (e instanceof DatasetError) throw e;
    throw new DatasetError(
      'E_DATA_CORRUPT',
      `${path} could not be read (${(e as Error).message}). Check its permissions, or replace it.`,
    );
  }
  if (!isGzip(raw)) return raw;
  try {
    return gunzipSync(raw, { maxOutputLength: maxBytes });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
      throw tooLarge(path, 'inflates to more', maxBytes);
    throw new DatasetError(
      'E_DATA_CORRUPT',
      `${path} is not a readable gzip file (${(e as Error).message}); it is probably truncated. Delete it and download it again.`,
    );
  }
}

function tooLarge(path: string, what: string, maxBytes: number): DatasetError {
  return new DatasetError(
    'E_DATA_CORRUPT',
    `${path} ${what} than the ${maxBytes} bytes this dataset file has at most, so it is not the official file. Delete it and download the dataset again.`,
  );
}

export const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');
