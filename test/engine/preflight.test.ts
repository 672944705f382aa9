// Before a run: a graph that cannot be trained here is refused with the reason and the fix,
// before anything is written or allocated.
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import { TrainingService } from '../../src/main/api/training-service.ts';
import { MAX_DEPTH, preflight } from '../../src/main/engine/preflight.ts';
import { CodedError } from '../../src/shared/errors.ts';
import { emptyGraph, type GraphDoc } from '../../src/shared/graph/types.ts';
import { TEMPLATES } from '../../src/shared/templates/index.ts';
import { tempDirs, tinyGraph } from './fixtures.ts';

const dirs = tempDirs('preflight');
afterAll(() => dirs.cleanup());

const settings = { batchSize: 32, optimizer: 'sgd' as const, momentum: 0 };

/** Input -> Flatten -> `depth` Dense layers of `units`, built directly (the builder is O(n^2)). */
function denseChain(depth: number, units = 10): GraphDoc {
  const doc = emptyGraph('Deep chain', 'mnist');
  const at = (i: number) => ({ x: 0, y: i * 100 });
  doc.nodes.push({
    id: 'in',
    kind: 'input',
    name: 'in',
    params: { shape: [28, 28, 1] },
    position: at(0),
  });
  doc.nodes.push({ id: 'f', kind: 'flatten', name: 'f', params: {}, position: at(1) });
  doc.edges.push({ id: 'e-f', source: 'in', target: 'f' });
  let prev = 'f';
  for (let i = 0; i < depth; i++) {
    const id = `d${i}`;
    const last = i === depth - 1;
    doc.nodes.push({
      id,
      kind: 'dense',
      name: id,
      params: { units: last ? 10 : units },
      position: at(i + 2),
    });
    doc.edges.push({ id: `e${i}`, source: prev, target: id });
    prev = id;
  }
  return doc;
}

function refusal(f: () => unknown): CodedError {
  try {
    f();
  } catch (e) {
    if (e instanceof CodedError) return e;
    throw e;
  }
  throw new Error('preflight accepted it');
}

describe('preflight', () => {
  it('accepts every template at batch size 32 within 16 GiB', () => {
    for (const t of TEMPLATES)
      expect(
        () => preflight(t.build(), settings, { memoryBytes: 16 * 2 ** 30 }),
        t.id,
      ).not.toThrow();
  });

  it('refuses an empty graph with what to do', () => {
    const e = refusal(() => preflight(emptyGraph('Nothing', 'mnist'), settings));
    expect(e.code).toBe('E_GRAPH');
    expect(e.message).toMatch(/"Nothing" is empty\. Add an Input layer/);
  });

  it('refuses a graph with problems, listing them by code', () => {
    const g = tinyGraph();
    const broken = { ...g, edges: g.edges.slice(1) }; // the convolution loses its input
    const e = refusal(() => preflight(broken, settings));
    expect(e.code).toBe('E_GRAPH');
    expect(e.message).toMatch(/cannot be trained: \[E_/);
  });

  it(`refuses a network deeper than ${MAX_DEPTH} layers instead of overflowing the stack`, () => {
    expect(() => preflight(denseChain(MAX_DEPTH - 10), settings)).not.toThrow();
    const e = refusal(() => preflight(denseChain(3 * MAX_DEPTH), settings));
    expect(e.code).toBe('E_GRAPH');
    expect(e.message).toMatch(/6,002 layers deep; Netforge trains networks up to 2,000/);
  });

  it('refuses a Dense layer too large for the memory, naming it and the fix', () => {
    const e = refusal(() => preflight(denseChain(2, 1e9), settings, { memoryBytes: 24 * 2 ** 30 }));
    expect(e.code).toBe('E_CONFIG');
    expect(e.message).toMatch(/largest layer being d[01]/);
    expect(e.message).toMatch(/Lower the batch size or make the layers smaller/);
  });
});

describe('starting a run that preflight refuses', () => {
  it('answers with the code and leaves no run folder behind', async () => {
    const runsDir = join(await dirs.make(), 'runs');
    const service = new TrainingService({ runsDir, backend: 'wasm' });
    try {
      await expect(
        service.start({ graph: emptyGraph('Nothing', 'mnist'), config: { dataset: 'mnist' } }),
      ).rejects.toMatchObject({ code: 'E_GRAPH' });
      await expect(
        service.start({ graph: denseChain(2, 2 ** 31), config: { dataset: 'mnist' } }),
      ).rejects.toMatchObject({ code: 'E_CONFIG' });
      expect(existsSync(runsDir) ? await readdir(runsDir) : []).toEqual([]);
    } finally {
      await service.close();
    }
  });
});
