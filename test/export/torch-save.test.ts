// weights.pt written in TypeScript: a zip in torch.save's layout that torch.load reads.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { crc32, torchSave } from '../../src/main/engine/export/torch-save.ts';
import { jsonLines, runPython, torchPython, torchTitle } from '../helpers/torch-python.ts';

describe('torchSave', () => {
  it("computes zip's CRC-32", () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  it('aligns every entry to 64 bytes, as PyTorch does (memory-mapped loading needs it)', () => {
    const bytes = torchSave([{ name: 'w', shape: [3], data: Float32Array.from([1, 2, 3]) }], 'w');
    const view = new DataView(bytes.buffer);
    expect(view.getUint32(0, true)).toBe(0x04034b50);
    // The data of the first entry (data.pkl) starts after header, name and padding extra.
    const start = 30 + view.getUint16(26, true) + view.getUint16(28, true);
    expect(start % 64).toBe(0);
    expect(String.fromCharCode(bytes[start]!, bytes[start + 1]!)).toBe('\x80\x02');
  });
});

describe.skipIf(!torchPython())(torchTitle('torch.load reads it'), () => {
  it('float and int64 tensors of every rank and size', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'netforge-torch-save-'));
    try {
      const big = Float32Array.from({ length: 70_000 }, (_, i) => i * 0.5);
      await writeFile(
        join(dir, 'w.pt'),
        torchSave([
          { name: 'scalar', shape: [], data: Float32Array.from([2.5]) },
          { name: 'count', shape: [], data: BigInt64Array.from([123456789012n]) },
          {
            name: 'layer.weight',
            shape: [2, 3, 1, 2],
            data: Float32Array.from({ length: 12 }, (_, i) => -i),
          },
          { name: 'wide', shape: [300, 1], data: Float32Array.from({ length: 300 }, (_, i) => i) },
          { name: 'long', shape: [70_000], data: big },
          { name: 'empty', shape: [0, 4], data: new Float32Array(0) },
        ]),
      );
      const r = await runPython(
        `import json, sys, torch
sd = torch.load(sys.argv[1], weights_only=True)
print(json.dumps({k: [str(v.dtype), list(v.shape), v.flatten()[-3:].tolist(), v.is_contiguous()] for k, v in sd.items()}))`,
        [join(dir, 'w.pt')],
      );
      expect(r.code, r.stderr).toBe(0);
      expect(jsonLines(r.stdout)[0]).toEqual({
        scalar: ['torch.float32', [], [2.5], true],
        count: ['torch.int64', [], [123456789012], true],
        'layer.weight': ['torch.float32', [2, 3, 1, 2], [-9, -10, -11], true],
        wide: ['torch.float32', [300, 1], [297, 298, 299], true],
        long: ['torch.float32', [70_000], [34998.5, 34999, 34999.5], true],
        empty: ['torch.float32', [0, 4], [], true],
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
