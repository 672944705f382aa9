// The IDX format of MNIST: a big-endian magic number (0x0000 then type byte
// 0x08 = uint8, then the number of dimensions), the dimensions, then the data.
import { DatasetError } from './errors.ts';

export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

export function parseIdx(bytes: Uint8Array, expectedMagic: number, file: string): IdxArray {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const corrupt = (why: string): DatasetError =>
    new DatasetError(
      'E_DATA_CORRUPT',
      `${file} is not a valid MNIST IDX file: ${why}. Replace it with the original file.`,
    );
  if (bytes.byteLength < 8) throw corrupt('it is too short');
  const magic = view.getUint32(0, false);
  if (magic !== expectedMagic) throw corrupt(`magic number ${magic}, expected ${expectedMagic}`);
  const rank = magic & 0xff;
  const header = 4 + 4 * rank;
  if (bytes.byteLength < header) throw corrupt('the header is cut short');
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i, false));
  const size = dims.reduce((a, b) => a * b, 1);
  if (bytes.byteLength - header < size)
    throw corrupt(
      `it holds ${bytes.byteLength - header} data bytes but its header announces ${size} (truncated download?)`,
    );
  return { dims, data: bytes.subarray(header, header + size) };
}
