// The editor's store driven the way the UI drives it: add layers, connect them,
// edit parameters through the inspector's checks, drag, delete, copy, undo.
import { beforeEach, describe, expect, it } from 'vitest';
import { analyzeGraph } from '../../src/shared/graph/analyze.ts';
import { getLayer } from '../../src/shared/layers/registry.ts';
import { newProject, parseProject, serializeProject } from '../../src/shared/project.ts';
import { getTemplate } from '../../src/shared/templates/index.ts';
import { checkCandidate, fromDrafts } from '../../src/renderer/inspector/param-text.ts';
import { pasteNodes } from '../../src/renderer/store/graph-slice.ts';
import { initialForm } from '../../src/renderer/training/config.ts';
import { createStore } from '../../src/renderer/store/store.ts';

type Editor = ReturnType<typeof createStore>;

let editor: Editor;
const state = () => editor.getState();
const nodeOf = (id: string) => state().doc.nodes.find((n) => n.id === id)!;
const shapeOf = (id: string) => analyzeGraph(state().doc).nodes.get(id)?.outputShape;

/** What the inspector does when the user types `text` into a parameter's field. */
function typeParam(id: string, name: string, ...drafts: string[]): string | null {
  const node = nodeOf(id);
  const layer = getLayer(node.kind)!;
  const r = checkCandidate(layer, node.params, name, fromDrafts(layer.params[name]!, drafts));
  if (!r.ok) return r.error;
  state().updateParams(id, { [name]: r.value });
  return null;
}

/** Input [28, 28, 1] -> Conv2D, connected: the first minutes of every session. */
function inputAndConv() {
  const input = state().addLayer('input', { x: 0, y: 0 });
  const conv = state().addLayer('conv2d', { x: 0, y: 120 });
  state().connectNodes(input, conv);
  return { input, conv };
}

beforeEach(() => {
  editor = createStore();
});

describe('building a network', () => {
  it('adds, connects and edits layers; shapes follow each edit', () => {
    const { input, conv } = inputAndConv();
    expect(state().doc.edges).toEqual([expect.objectContaining({ source: input, target: conv })]);
    expect(state().selectedNodes).toEqual([conv]); // a new layer is selected, ready to edit

    expect(typeParam(conv, 'filters', '16')).toBeNull();
    expect(shapeOf(conv)).toEqual([26, 26, 16]);
    expect(analyzeGraph(state().doc).nodes.get(conv)?.paramCount.trainable).toBe(3 * 3 * 16 + 16);
    expect(state().dirty).toBe(true);
  });

  it('refuses invalid values without committing them', () => {
    const { conv } = inputAndConv();
    typeParam(conv, 'filters', '16');
    const before = state().doc;
    expect(typeParam(conv, 'filters', '0')).toMatch(/at least 1/);
    expect(typeParam(conv, 'filters', '')).toMatch(/whole number/);
    expect(typeParam(conv, 'filters', '2.5')).toMatch(/whole number/);
    expect(typeParam(conv, 'kernelSize', '3', '')).toMatch(/two whole numbers/);
    expect(state().doc).toBe(before);
    expect(shapeOf(conv)).toEqual([26, 26, 16]);
  });

  it('accepts pairs, explicit padding and shapes as the inspector spells them', () => {
    const { input, conv } = inputAndConv();
    expect(typeParam(conv, 'kernelSize', '5', '5')).toBeNull();
    expect(shapeOf(conv)).toEqual([24, 24, 32]);
    expect(typeParam(conv, 'padding', '2', '2', '2', '2')).toBeNull();
    expect(shapeOf(conv)).toEqual([28, 28, 32]);
    expect(typeParam(input, 'shape', '32, 32, 3')).toBeNull();
    expect(shapeOf(conv)).toEqual([32, 32, 32]);
  });

  it('renames a layer', () => {
    const { conv } = inputAndConv();
    state().rename(conv, 'stem');
    expect(nodeOf(conv).name).toBe('stem');
  });
});

describe('undo and redo', () => {
  it('undo removes the last edit and redo restores it', () => {
    const { input, conv } = inputAndConv();
    typeParam(conv, 'filters', '16');
    const edited = state().doc;

    state().undo();
    expect(nodeOf(conv).params.filters).toBeUndefined();
    expect(shapeOf(conv)).toEqual([26, 26, 32]);
    state().undo();
    expect(state().doc.edges).toHaveLength(0);

    state().redo();
    state().redo();
    expect(state().doc).toEqual(edited);
    expect(state().future).toHaveLength(0);

    state().undo();
    state().undo();
    state().undo();
    state().undo();
    expect(state().doc.nodes).toHaveLength(0);
    expect(state().past).toHaveLength(0);
    state().undo(); // nothing left: no change, no error
    expect(state().doc.nodes).toHaveLength(0);
    expect(input).not.toBe(conv);
  });

  it('a new edit after undo drops the redo history', () => {
    const { conv } = inputAndConv();
    typeParam(conv, 'filters', '16');
    state().undo();
    typeParam(conv, 'filters', '8');
    expect(state().future).toHaveLength(0);
    expect(shapeOf(conv)).toEqual([26, 26, 8]);
  });

  it('a whole drag is one undo step', () => {
    const { conv } = inputAndConv();
    const steps = state().past.length;
    state().moveNodes({ [conv]: { x: 10, y: 130 } }, false);
    state().moveNodes({ [conv]: { x: 20, y: 140 } }, false);
    state().moveNodes({ [conv]: { x: 30, y: 150 } }, false);
    expect(state().past).toHaveLength(steps); // live moves leave no history
    state().moveNodes({ [conv]: { x: 40, y: 160 } }, true);
    expect(state().past).toHaveLength(steps + 1);
    expect(nodeOf(conv).position).toEqual({ x: 40, y: 160 });

    state().undo();
    expect(nodeOf(conv).position).toEqual({ x: 0, y: 120 });
    state().redo();
    expect(nodeOf(conv).position).toEqual({ x: 40, y: 160 });
  });
});

describe('selection edits', () => {
  it('deleting a node removes its edges too', () => {
    const { input, conv } = inputAndConv();
    const flat = state().addLayer('flatten', { x: 0, y: 240 });
    state().connectNodes(conv, flat);
    state().select([conv]);
    state().deleteSelection();
    expect(state().doc.nodes.map((n) => n.id)).toEqual([input, flat]);
    expect(state().doc.edges).toHaveLength(0);
    expect(state().selectedNodes).toEqual([]);
  });

  it('deleting a selected edge keeps the nodes', () => {
    const { conv } = inputAndConv();
    state().select([], [state().doc.edges[0]!.id]);
    state().deleteSelection();
    expect(state().doc.nodes).toHaveLength(2);
    expect(state().doc.edges).toHaveLength(0);
    expect(shapeOf(conv)).toBeNull();
  });

  it('duplicate copies nodes and their inner edges with new ids and names', () => {
    const { input, conv } = inputAndConv();
    typeParam(conv, 'filters', '16');
    const copies = state().duplicate([input, conv]);
    expect(copies).toHaveLength(2);
    const all = state().doc.nodes;
    expect(new Set(all.map((n) => n.id)).size).toBe(4);
    expect(new Set(all.map((n) => n.name)).size).toBe(4);
    expect(nodeOf(copies[1]!).params.filters).toBe(16);
    expect(state().doc.edges.filter((e) => copies.includes(e.source))).toHaveLength(1);
    expect(state().selectedNodes).toEqual(copies);
    expect(analyzeGraph(state().doc).issues.map((i) => i.code)).not.toContain('E_DUPLICATE_ID');
  });

  it('copy then paste adds new layers and one undo step', () => {
    const { conv } = inputAndConv();
    state().select([conv]);
    state().copySelection();
    const clip = state().clipboard!;
    const steps = state().past.length;
    const { doc, ids } = pasteNodes(state().doc, clip.nodes, clip.edges, { x: 40, y: 40 });
    state().commit(doc);
    expect(ids).toHaveLength(1);
    expect(ids[0]).not.toBe(conv);
    expect(nodeOf(ids[0]!).name).not.toBe(nodeOf(conv).name);
    expect(nodeOf(ids[0]!).position).toEqual({ x: 40, y: 160 });
    expect(state().past).toHaveLength(steps + 1);
  });
});

describe('projects', () => {
  it('opening a template clears the history, the selection and the dirty flag', () => {
    const { conv } = inputAndConv();
    state().select([conv]);
    const lenet = getTemplate('lenet5')!;
    state().openProject(newProject(lenet.build()), null);
    expect(state().past).toEqual([]);
    expect(state().future).toEqual([]);
    expect(state().selectedNodes).toEqual([]);
    expect(state().dirty).toBe(false);
    expect(state().doc.name).toBe('LeNet-5');
    expect(analyzeGraph(state().doc).totals.total).toBe(60_074);
    state().undo(); // nothing to undo into the previous project
    expect(state().doc.name).toBe('LeNet-5');
  });

  it('saving clears the dirty flag and names the project', () => {
    inputAndConv();
    expect(state().dirty).toBe(true);
    state().markSaved('my-net');
    expect(state()).toMatchObject({ dirty: false, projectName: 'my-net' });
    expect(state().currentProject().graph).toBe(state().doc);
  });
});

describe("the Training panel's settings in the project", () => {
  /** The user's choices in the Training panel. */
  const choose = () =>
    state().setForm({ learningRate: '0.001', epochs: '12', optimizer: 'adam', seed: 'x' });

  it('are unsaved work when changed; the data folder is not', () => {
    state().setForm({ dataDir: '/data' });
    expect(state().dirty).toBe(false);
    state().setForm({ epochs: initialForm.epochs });
    expect(state().dirty).toBe(false); // nothing changed
    choose();
    expect(state().dirty).toBe(true);
  });

  it('are saved as settings, the valid ones, and come back when the project is opened', () => {
    state().setForm({ dataDir: '/data' });
    choose();
    const saved = state().currentProject().training;
    expect(saved).toMatchObject({ learningRate: 0.001, epochs: 12, optimizer: 'adam' });
    expect(saved).not.toHaveProperty('seed'); // "x" is no seed: the form's default comes back
    expect(saved).not.toHaveProperty('dataDir');
    const text = serializeProject(state().currentProject());

    state().openProject(newProject(getTemplate('lenet5')!.build()), null); // New
    expect(state().form).toEqual({ ...initialForm, dataDir: '/data' });

    state().openProject(parseProject(text), 'my-net');
    expect(state().form).toEqual({
      ...initialForm,
      dataDir: '/data', // a setting of this machine: it stays
      learningRate: '0.001',
      epochs: '12',
      optimizer: 'adam',
    });
    expect(state().dirty).toBe(false);
  });

  it('are not touched by undo and redo', () => {
    inputAndConv();
    choose();
    const form = state().form;
    state().undo();
    state().undo();
    state().redo();
    expect(state().form).toBe(form);
  });
});
