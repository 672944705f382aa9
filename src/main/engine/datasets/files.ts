// Reading dataset files from a folder, compressed (.gz) or not.
import { createHash } from 'node:crypto';
import { access, readFile } from 'node:fs/promises';
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
 * A broken gzip stream is a DatasetError naming the file.
 */
export async function readDataFile(path: string): Promise<Uint8Array> {
  const raw = await readFile(path);
  if (!isGzip(raw)) return raw;
  try {
    return gunzipSync(raw);
  } catch (e) {
    throw new DatasetError(
      'E_DATA_CORRUPT',
      `${path} is not a readable gzip file (${(e as Error).message}); it is probably truncated. Delete it and download it again.`,
    );
  }
}

export const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');
