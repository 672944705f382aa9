// Project files: what Save writes, Open reads back, old files migrate, bad ones
// are refused with a message that says what is wrong; and the autosave record.
import { describe, expect, it } from 'vitest';
import { emptyGraph } from '../../src/shared/graph/types.ts';
import {
  newProject,
  parseProject,
  PROJECT_VERSION,
  ProjectFileError,
  serializeProject,
} from '../../src/shared/project.ts';
import { TEMPLATES } from '../../src/shared/templates/index.ts';
import {
  AUTOSAVE_KEY,
  pendingRecovery,
  readAutosave,
  recordSave,
  writeAutosave,
  type KeyValueStorage,
} from '../../src/renderer/project/autosave.ts';

function parseError(text: string): ProjectFileError {
  try {
    parseProject(text, 'my-net.netforge.json');
  } catch (e) {
    expect(e).toBeInstanceOf(ProjectFileError);
    return e as ProjectFileError;
  }
  throw new Error('parseProject accepted the file');
}

describe('project files', () => {
  it.each(TEMPLATES.map((t) => [t.id, t] as const))('%s survives save and open', (_id, t) => {
    const graph = t.build();
    const text = serializeProject(newProject(graph));
    const back = parseProject(text);
    expect(back.graph).toEqual(graph);
    expect(back.name).toBe(graph.name);
    expect(back.version).toBe(PROJECT_VERSION);
    expect(back.savedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    // Saving what was opened writes the same graph again.
    expect(parseProject(serializeProject(back)).graph).toEqual(graph);
  });

  it('opens a bare graph file (version 0) as a project around it', () => {
    const graph = TEMPLATES[1]!.build();
    const p = parseProject(JSON.stringify(graph));
    expect(p).toMatchObject({
      format: 'netforge-project',
      version: PROJECT_VERSION,
      name: graph.name,
    });
    expect(p.graph).toEqual(graph);
    expect(p.runs).toEqual([]);
    expect(p.training).toEqual({}); // the form keeps its defaults
  });

  it('opens a version 1 file, dropping the schema defaults it held as training settings', () => {
    const graph = TEMPLATES[1]!.build();
    // What the previous Netforge wrote when a project was opened and saved again.
    const v1 = {
      format: 'netforge-project',
      version: 1,
      name: 'old',
      graph,
      training: { epochs: 10, batchSize: 32, optimizer: 'sgd', learningRate: 0.01, seed: 42 },
      runs: [{ runDir: '/runs/a', startedAt: '2025-01-01T00:00:00Z', testAccuracy: 0.9 }],
      savedAt: '2025-01-01T00:00:00Z',
    };
    const p = parseProject(JSON.stringify(v1));
    expect(p.version).toBe(PROJECT_VERSION);
    expect(p.name).toBe('old');
    expect(p.graph).toEqual(graph);
    expect(p.training).toEqual({});
    expect(p.runs).toHaveLength(1);
  });

  it('keeps the training settings through save and open', () => {
    const training = {
      optimizer: 'adam',
      learningRate: 0.001,
      epochs: 12,
      schedule: { kind: 'step', everyEpochs: 3, factor: 0.5 },
      earlyStopping: null,
      limitTrain: 640,
    } as const;
    const text = serializeProject({ ...newProject(emptyGraph()), training });
    expect(parseProject(text).training).toEqual(training);
  });

  it('drops training settings that are not valid values and keeps the others', () => {
    const p = {
      ...newProject(emptyGraph()),
      training: { epochs: 0, batchSize: 'big', optimizer: 'adam', learningRate: 0.5, dataset: 'x' },
    };
    expect(parseProject(JSON.stringify(p)).training).toEqual({
      optimizer: 'adam',
      learningRate: 0.5,
    });
    const junk = { ...newProject(emptyGraph()), training: 'fast' };
    expect(parseProject(JSON.stringify(junk)).training).toEqual({});
  });

  it('keeps the engine chosen in the Training panel; a file without one opens without it', () => {
    const torch = { ...newProject(emptyGraph()), training: { engine: 'torch', epochs: 3 } };
    expect(parseProject(JSON.stringify(torch)).training).toEqual({ engine: 'torch', epochs: 3 });
    // Saved before the engine select: no engine, so the form keeps its default (auto).
    const before = { ...newProject(emptyGraph()), training: { epochs: 3 } };
    expect(parseProject(JSON.stringify(before)).training).toEqual({ epochs: 3 });
    // An engine this Netforge does not know is dropped, the other settings kept.
    const unknown = { ...newProject(emptyGraph()), training: { engine: 'jax', epochs: 3 } };
    expect(parseProject(JSON.stringify(unknown)).training).toEqual({ epochs: 3 });
  });

  it('refuses a file from a newer Netforge and says to update', () => {
    const newer = { ...newProject(emptyGraph()), version: PROJECT_VERSION + 1 };
    const e = parseError(JSON.stringify(newer));
    expect(e.code).toBe('E_BAD_PROJECT');
    expect(e.message).toContain('my-net.netforge.json');
    expect(e.message).toMatch(/newer Netforge/);
    expect(e.message).toMatch(/Update Netforge/);
  });

  it.each<[string, unknown]>([
    ['-1', -1],
    ['0', 0],
    ['0.5', 0.5],
    ['1.5', 1.5],
    ['a string', '2'],
    ['null', null],
    ['an object', { major: 2 }],
    ['beyond the safe integers', 2 ** 53],
    ['Infinity (written as 1e999)', '1e999'],
  ])('refuses the version %s as damaged, saying what to do', (_name, version) => {
    const p = newProject(emptyGraph());
    const text =
      version === '1e999'
        ? JSON.stringify(p).replace(`"version":${PROJECT_VERSION}`, '"version":1e999')
        : JSON.stringify({ ...p, version });
    const e = parseError(text);
    expect(e.code).toBe('E_BAD_PROJECT');
    expect(e.message).toMatch(/^my-net\.netforge\.json is damaged: its "version" is /);
    expect(e.message).toContain(`this Netforge writes ${PROJECT_VERSION}`);
    expect(e.message).toMatch(/Restore the file from a copy/);
  });

  it('refuses a project without a version', () => {
    const { version: _v, ...p } = newProject(emptyGraph());
    expect(parseError(JSON.stringify(p)).message).toMatch(/"version" is missing/);
  });

  it('refuses version 1e9 as from a newer Netforge: a whole number above this one is a later format', () => {
    const e = parseError(JSON.stringify({ ...newProject(emptyGraph()), version: 1e9 }));
    expect(e.message).toContain(
      `newer Netforge (project version 1000000000; this one reads up to ${PROJECT_VERSION})`,
    );
  });

  it('skips a UTF-8 byte order mark at the start of the file', () => {
    const p = newProject(emptyGraph(), 'With BOM');
    const text = `\uFEFF${serializeProject(p)}`;
    expect(parseProject(text).name).toBe('With BOM');
    // From bytes, as Node's readFile(file, 'utf8') decodes them: the mark stays in the text.
    const bytes = new Uint8Array([
      0xef,
      0xbb,
      0xbf,
      ...new TextEncoder().encode(serializeProject(p)),
    ]);
    const decoded = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
    expect(decoded.charCodeAt(0)).toBe(0xfeff);
    expect(parseProject(decoded).name).toBe('With BOM');
    // Only at the start: anywhere else it is still a stray character.
    expect(parseError(` \uFEFF${serializeProject(p)}`).message).toMatch(/is not valid JSON/);
  });

  it('refuses malformed JSON, naming the file', () => {
    const e = parseError('{"format": "netforge-project", ');
    expect(e.message).toMatch(/^my-net\.netforge\.json is not valid JSON/);
  });

  it('refuses JSON that is not a project', () => {
    expect(parseError('[1, 2]').message).toMatch(/not a JSON object/);
    expect(parseError('{"hello": 1}').message).toMatch(/"format": "netforge-project"/);
  });

  it('says which field of a damaged project is wrong', () => {
    const p = newProject(emptyGraph()) as Record<string, unknown>;
    const e = parseError(JSON.stringify({ ...p, graph: { ...emptyGraph(), nodes: 'none' } }));
    expect(e.message).toMatch(/graph\.nodes/);
  });
});

/** localStorage as far as autosave uses it. */
function memoryStorage(): KeyValueStorage & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (k) => data.get(k) ?? null,
    setItem: (k, v) => void data.set(k, v),
    removeItem: (k) => void data.delete(k),
  };
}

describe('autosave', () => {
  const text = serializeProject(newProject(emptyGraph('Draft')));

  it('offers nothing when nothing was autosaved', () => {
    expect(pendingRecovery(memoryStorage())).toBeNull();
  });

  it('offers an autosave newer than the last save', () => {
    const storage = memoryStorage();
    recordSave(storage, 1000);
    writeAutosave(storage, { time: 2000, name: 'my-net', text });
    expect(pendingRecovery(storage)).toEqual({ time: 2000, name: 'my-net', text });
    expect(parseProject(pendingRecovery(storage)!.text).name).toBe('Draft');
  });

  it('drops the autosave once the project is saved', () => {
    const storage = memoryStorage();
    writeAutosave(storage, { time: 2000, name: null, text });
    recordSave(storage, 3000);
    expect(readAutosave(storage)).toBeNull();
    expect(pendingRecovery(storage)).toBeNull();
  });

  it('ignores an autosave older than the last save', () => {
    const storage = memoryStorage();
    writeAutosave(storage, { time: 2000, name: null, text });
    storage.setItem('netforge.lastSave', '5000');
    expect(pendingRecovery(storage)).toBeNull();
  });

  it('ignores a damaged record and storage that refuses writes', () => {
    const storage = memoryStorage();
    storage.setItem(AUTOSAVE_KEY, '{not json');
    expect(pendingRecovery(storage)).toBeNull();
    const full: KeyValueStorage = {
      getItem: () => null,
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
      removeItem: () => {},
    };
    expect(writeAutosave(full, { time: 1, name: null, text })).toBe(false);
  });
});
