// Parity of the generated PyTorch module with tfjs: for every layer kind and block, and the
// cases where TensorFlow and PyTorch differ (uneven 'same' padding with even kernels and
// strides, dilation, transposed convolutions with output padding or a requested size,
// separable and depthwise convolutions with a depth multiplier, pooling with padding, flatten
// order), the module loaded with torch.load from the exported weights gives tfjs's outputs
// on random inputs within 1e-4. Every kind of the registry must appear in some case.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { tf } from '../../src/main/engine/backend.ts';
import { compileGraph } from '../../src/main/engine/compile.ts';
import { flattenNetwork } from '../../src/shared/graph/layers.ts';
import { LAYERS } from '../../src/shared/layers/registry.ts';
import { jsonLines, runPython, torchPython, torchTitle } from '../helpers/torch-python.ts';
import { PARITY_CASES } from './parity-cases.ts';
import {
  CHECK_FORWARD,
  randomizeWeights,
  writeForward,
  writeModule,
  type ForwardResult,
} from './torch-cases.ts';

const TOLERANCE = 1e-4;
const BACKENDS = ['cpu', 'wasm'] as const;

describe('parity cases', () => {
  it('cover every layer kind and block of the registry', () => {
    const used = new Set<string>();
    for (const c of PARITY_CASES) for (const n of c.graph().nodes) used.add(n.kind);
    expect(LAYERS.map((l) => l.kind).filter((k) => !used.has(k))).toEqual([]);
  });
});

describe.skipIf(!torchPython())(torchTitle('generated PyTorch module vs tfjs'), () => {
  let root = '';
  const results = new Map<string, ForwardResult>();

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'netforge-torch-parity-'));
    const dirs: string[] = [];
    for (const backend of BACKENDS) {
      await tf.setBackend(backend);
      for (const [i, c] of PARITY_CASES.entries()) {
        const doc = c.graph();
        const model = compileGraph(tf, doc);
        randomizeWeights(tf, model, 100 * i);
        const dir = join(root, `${backend}-${i}`);
        await writeModule(dir, model, flattenNetwork(doc), c.name);
        const shape = flattenNetwork(doc).input.outputShape;
        const x = tf.randomNormal([3, ...shape], 0, 1, 'float32', i + 1);
        await writeForward(dir, tf, model, x);
        x.dispose();
        model.dispose();
        dirs.push(dir);
      }
    }
    const r = await runPython(CHECK_FORWARD, dirs);
    if (r.code !== 0) throw new Error(`python3 failed: ${r.stderr}`);
    for (const line of jsonLines<ForwardResult>(r.stdout)) results.set(line.dir, line);
  }, 600_000);

  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  const rows = BACKENDS.flatMap((b) => PARITY_CASES.map((c, i) => [b, c.name, i] as const));
  it.each(rows)('%s: %s', (backend, _name, i) => {
    const r = results.get(join(root, `${backend}-${i}`));
    expect(r?.error).toBeUndefined();
    expect(r?.maxDiff, `max |tfjs - torch| (outputs up to ${r?.maxAbs})`).toBeLessThan(TOLERANCE);
  });

  afterAll(() => {
    const worst = [...results.values()].reduce((m, r) => Math.max(m, r.maxDiff ?? Infinity), 0);
    console.log(
      `PyTorch parity: ${results.size} cases, max |tfjs - torch| = ${worst.toExponential(2)}`,
    );
  });
});
