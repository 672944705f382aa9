// The Export dialog's state driven as the dialog drives it, against a fake Host: an export of
// the design and of a run, one at a time, recorded in the run's exports; a refusal with its
// code's advice; the canvas's marks for a format that cannot express a layer; export names.
import { beforeEach, describe, expect, it } from 'vitest';
import type { Result } from '../../src/shared/api.ts';
import { ERRORS } from '../../src/shared/errors.ts';
import { GraphBuilder } from '../../src/shared/graph/builder.ts';
import { getTemplate } from '../../src/shared/templates/index.ts';
import { EngineError } from '../../src/renderer/engine/client.ts';
import {
  checkExportName,
  checkGraph,
  exportMarksOf,
  exportStem,
  nameInFolder,
  suggestedName,
} from '../../src/renderer/export/export-check.ts';
import { createStore } from '../../src/renderer/store/store.ts';
import { deferred, fakeHost, type FakeHost } from './fake-host.ts';

let store: ReturnType<typeof createStore>;
let fake: FakeHost;
const state = () => store.getState();
const lenet = getTemplate('lenet5')!.build();

/** A transposed convolution whose size Keras's output_padding cannot make (keras-layers.ts). */
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

const written = (path: string, files: string[]): Result<'export.write'> => ({
  format: 'onnx',
  path,
  files,
  trained: true,
});

beforeEach(() => {
  store = createStore();
  fake = fakeHost();
});

describe('an export from the dialog', () => {
  it('writes the design with its settings, one export at a time, and says where', async () => {
    const answer = deferred<Result<'export.write'>>();
    fake.handlers['export.write'] = () => answer.promise;
    const request = { format: 'onnx' as const, name: 'lenet-5.onnx', distribute: false };
    const design = { graph: lenet, config: { dataset: 'mnist' as const, seed: 7 } };
    const first = state().startExport(fake.host, { kind: 'design' }, request, design);
    expect(state().exportJob).toMatchObject({
      state: 'busy',
      format: 'onnx',
      name: 'lenet-5.onnx',
    });
    // A second Export while the first is written sends nothing.
    await state().startExport(fake.host, { kind: 'design' }, request, design);
    expect(fake.calls.filter((c) => c.method === 'export.write')).toHaveLength(1);
    expect(fake.calls[0]!.params).toMatchObject({
      format: 'onnx',
      name: 'lenet-5.onnx',
      graph: lenet,
      config: { dataset: 'mnist', seed: 7 },
    });
    expect(fake.calls[0]!.params).not.toHaveProperty('runId');
    answer.resolve({ ...written('/x/lenet-5.onnx', ['lenet-5.onnx']), trained: false });
    await first;
    expect(state().exportJob).toMatchObject({ state: 'done', result: { path: '/x/lenet-5.onnx' } });
    // The dialog may have been closed meanwhile: the status bar says it too.
    expect(state().notice).toEqual({
      kind: 'info',
      text: 'Exported ONNX (opset 13) to /x/lenet-5.onnx',
    });
  });

  it("records a run's export in its list, after the ones its folder had", async () => {
    const earlier = { format: 'tfjs', path: '/x/a-tfjs', files: ['model.json'], at: '2026-01-01' };
    state().setRunExports('r1', [earlier]);
    fake.handlers['export.write'] = () => written('/x/b.onnx', ['b.onnx']);
    await state().startExport(
      fake.host,
      { kind: 'run', runId: 'r1' },
      { format: 'onnx', name: 'b.onnx', distribute: false },
    );
    expect(fake.calls[0]!.params).toMatchObject({ runId: 'r1', format: 'onnx', name: 'b.onnx' });
    expect(fake.calls[0]!.params).not.toHaveProperty('graph');
    expect(state().runExports['r1']).toEqual([
      earlier,
      expect.objectContaining({ format: 'onnx', path: '/x/b.onnx', files: ['b.onnx'] }),
    ]);
  });

  it("shows a refusal with its code and the registry's advice", async () => {
    fake.handlers['export.write'] = () => {
      throw new EngineError(
        'E_EXPORT_UNSUPPORTED',
        'Keras HDF5 (.h5) cannot express the layer up (...). Nothing was written.',
      );
    };
    state().openExport({ kind: 'run', runId: 'r1' });
    await state().startExport(
      fake.host,
      { kind: 'run', runId: 'r1' },
      { format: 'keras-h5', name: 'x.h5', distribute: false },
    );
    const job = state().exportJob!;
    expect(job.state).toBe('failed');
    expect(job.error!.code).toBe('E_EXPORT_UNSUPPORTED');
    expect(job.error!.message).toContain('cannot express the layer up');
    expect(job.error!.message).toContain(ERRORS.E_EXPORT_UNSUPPORTED.fix);
    // The dialog is open on it, so the status bar is left alone.
    expect(state().notice).toBeNull();
  });
});

describe('what a format cannot express', () => {
  it('marks the nodes of the design the chosen format refuses, with the reason', () => {
    state().loadDoc(kerasRefused());
    const up = state().doc.nodes.find((n) => n.name === 'up')!;
    expect(exportMarksOf(state()).size).toBe(0); // no format chosen
    state().markExport('keras-h5');
    const marks = exportMarksOf(state());
    expect([...marks.keys()]).toEqual([up.id]);
    expect(marks.get(up.id)).toMatch(/output padding on both axes or neither/);
    // ONNX expresses it; so does a fixed layer.
    state().markExport('onnx');
    expect(exportMarksOf(state()).size).toBe(0);
    state().markExport('keras-h5');
    state().updateParams(up.id, { outputPadding: null });
    expect(exportMarksOf(state()).size).toBe(0);
    // Opening a run's dialog leaves the canvas unmarked: a run's layers are not its nodes.
    state().openExport({ kind: 'run', runId: 'r1' });
    expect(state().exportMarks).toBeNull();
  });

  it('says a graph with problems must be fixed first instead of checking it', () => {
    const broken = { ...lenet, edges: lenet.edges.slice(1) };
    expect(checkGraph(broken, 'onnx')).toMatchObject({ kind: 'problems' });
    expect(checkGraph(lenet, 'onnx')).toEqual({ kind: 'checked', refused: [] });
    expect(checkGraph(kerasRefused(), 'keras-py')).toMatchObject({
      kind: 'checked',
      refused: [expect.objectContaining({ layer: 'up' })],
    });
  });
});

describe('export names', () => {
  it('suggests a name the API takes, per format', () => {
    expect(exportStem('LeNet-5 (MNIST)')).toBe('lenet-5-mnist');
    expect(exportStem('***')).toBe('model');
    expect(suggestedName('LeNet-5', 'onnx')).toBe('lenet-5.onnx');
    expect(suggestedName('LeNet-5', 'tfjs')).toBe('lenet-5-tfjs');
    for (const n of ['LeNet-5 (MNIST)', 'a..b', '...', 'ünïcode net'])
      expect(checkExportName(suggestedName(n, 'keras-h5'))).toBeNull();
    expect(checkExportName('../x.onnx')).toMatch(/letters, digits/);
    expect(checkExportName('x.')).toMatch(/cannot end/);
  });

  it('finds an export by its name only directly in the exports folder', () => {
    expect(nameInFolder('/home/u/Netforge/exports/a.onnx', '/home/u/Netforge/exports')).toBe(
      'a.onnx',
    );
    expect(nameInFolder('C:\\u\\exports\\a-tfjs', 'C:\\u\\exports\\')).toBe('a-tfjs');
    expect(nameInFolder('/home/u/Netforge/exports2/a.onnx', '/home/u/Netforge/exports')).toBeNull();
    expect(nameInFolder('/elsewhere/a.onnx', '/home/u/Netforge/exports')).toBeNull();
    expect(nameInFolder('/home/u/Netforge/exports/a/b', '/home/u/Netforge/exports')).toBeNull();
    expect(nameInFolder('/x/a.onnx', null)).toBeNull();
  });
});
