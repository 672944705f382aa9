// An export end to end, as a user meets it: `netforge export` from the CLI (a design, a run
// folder, a format that cannot express a layer), and export.write from the app, which runs the
// CLI in a process of its own, records the export in the run and lists it in runs.get.
import { spawnSync } from 'node:child_process';
import { cp, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import { handleRequest } from '../../src/main/api/handlers.ts';
import { TrainingService } from '../../src/main/api/training-service.ts';
import type { RunDetail } from '../../src/shared/api.ts';
import { GraphBuilder } from '../../src/shared/graph/builder.ts';
import { tempDirs } from '../engine/fixtures.ts';

const dirs = tempDirs('export-flow');
afterAll(() => dirs.cleanup());

const BIN = resolve(import.meta.dirname, '../../bin/netforge.js');
const FIXTURE_RUN = resolve(import.meta.dirname, '../fixtures/runs-v1/cli-completed');

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 240_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A transposed convolution whose size Keras's output_padding cannot make (see keras-layers). */
function kerasRefused() {
  const g = new GraphBuilder('Refused', 'mnist');
  g.chain(g.input([28, 28, 1]), [
    [
      'conv2dTranspose',
      { filters: 2, kernelSize: [2, 3], strides: [2, 2], padding: 'same', outputPadding: [1, 0] },
      'up',
    ],
    ['flatten'],
    ['dense', { units: 10 }],
  ]);
  return g.build();
}

describe('netforge export', () => {
  it('exports a template as a design and a run folder with its trained weights', async () => {
    const dir = await dirs.make();
    const design = cli(
      'export',
      'lenet5',
      '--format',
      'onnx',
      '--out',
      join(dir, 'lenet5.onnx'),
      '--json',
    );
    expect(design.code, design.stderr).toBe(0);
    expect(JSON.parse(design.stdout)).toMatchObject({
      format: 'onnx',
      path: join(dir, 'lenet5.onnx'),
      files: ['lenet5.onnx'],
      trained: false,
    });
    const run = await dirs.make();
    await cp(FIXTURE_RUN, run, { recursive: true });
    const trained = cli('export', run, '--format', 'tfjs', '--out', join(dir, 'web'), '--json');
    expect(trained.code, trained.stderr).toBe(0);
    expect(JSON.parse(trained.stdout)).toMatchObject({
      trained: true,
      files: expect.arrayContaining(['model.json']),
    });
    // Nothing but the two exports: no staging leftovers.
    expect((await readdir(dir)).sort()).toEqual(['lenet5.onnx', 'web']);
  });

  it('refuses a layer the format cannot express, naming it, and writes nothing', async () => {
    const dir = await dirs.make();
    const graph = join(dir, 'refused.json');
    await writeFile(graph, JSON.stringify(kerasRefused()));
    const out = join(dir, 'out');
    await mkdir(out);
    const r = cli('export', graph, '--format', 'keras-h5', '--out', join(out, 'refused.h5'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/\[E_EXPORT_UNSUPPORTED\] Keras HDF5.*cannot express the layer up \(/);
    expect(r.stderr).toMatch(/Nothing was written/);
    expect(await readdir(out)).toEqual([]);
  });
});

describe('export.write from the app', () => {
  it('exports a run into the exports folder, records it, and runs.get lists it', async () => {
    const runsDir = await dirs.make();
    await cp(FIXTURE_RUN, join(runsDir, 'cli-completed'), { recursive: true });
    const exportsDir = await dirs.make();
    const training = new TrainingService({ runsDir, backend: 'wasm' });
    const ctx = { projectsDir: await dirs.make(), exportsDir, training };
    try {
      const reply = await handleRequest(
        {
          id: 1,
          type: 'export.write',
          runId: 'cli-completed',
          format: 'pytorch',
          name: 'fixture-torch',
        },
        ctx,
      );
      expect(reply).toMatchObject({
        ok: true,
        result: { format: 'pytorch', path: join(exportsDir, 'fixture-torch'), trained: true },
      });
      expect((await readdir(join(exportsDir, 'fixture-torch'))).sort()).toEqual(
        expect.arrayContaining(['model.py', 'train.py', 'weights.pt']),
      );
      const detail = (await handleRequest({ id: 2, type: 'runs.get', runId: 'cli-completed' }, ctx))
        .result as RunDetail;
      expect(detail.exports).toEqual([
        expect.objectContaining({ format: 'pytorch', path: join(exportsDir, 'fixture-torch') }),
      ]);
      // A name that would leave the exports folder is refused before anything runs.
      const escape = await handleRequest(
        { id: 3, type: 'export.write', runId: 'cli-completed', format: 'onnx', name: '../x.onnx' },
        ctx,
      );
      expect(escape).toMatchObject({ ok: false, error: { code: 'E_BAD_REQUEST' } });
    } finally {
      await training.close();
    }
  });
});
