// The engine API's request handler, as both transports call it: projects saved, listed, read,
// refused; files written atomically.
import { mkdir, mkdtemp, readdir, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';

import { defaultExportsDir } from '../src/main/api/exports.ts';
import { handleMessage, handleRequest, toRequest } from '../src/main/api/handlers.ts';
import { emptyGraph } from '../src/shared/graph/types.ts';
import { newProject, parseProject, serializeProject } from '../src/shared/project.ts';
import {
  MAX_MESSAGE_BYTES,
  MAX_PROJECT_BYTES,
  utf8Bytes,
  type ApiRequest,
  type ProjectEntry,
} from '../src/shared/api.ts';
import { getTemplate } from '../src/shared/templates/index.ts';

const created: string[] = [];
let projectsDir = '';

beforeEach(async () => {
  const base = await mkdtemp(join(tmpdir(), 'netforge-requests-'));
  created.push(base);
  // A folder that does not exist yet: the handler creates it when first needed.
  projectsDir = join(base, 'Netforge', 'projects');
});
afterAll(async () => {
  await Promise.all(created.map((d) => rm(d, { recursive: true, force: true })));
});

const lenetText = (name = 'LeNet-5') =>
  serializeProject(newProject(getTemplate('lenet5')!.build(), name));
const ask = (req: ApiRequest) => handleRequest(req, { projectsDir });

describe('handleRequest', () => {
  it('does not follow a link planted in the projects folder out of it', async () => {
    await mkdir(projectsDir, { recursive: true });
    const outside = join(projectsDir, '..', 'secret.txt');
    await writeFile(outside, 'SECRET');
    await symlink(outside, join(projectsDir, 'planted.netforge.json'));
    const reply = await ask({ id: 1, type: 'projects.read', name: 'planted' });
    expect(reply).toMatchObject({ ok: false, error: { code: 'E_NOT_FOUND' } });
    expect(reply.error?.message).toMatch(/link to a file outside the projects folder/);
    expect(JSON.stringify(reply)).not.toContain('SECRET');
    // Nor does the list offer it.
    expect((await ask({ id: 2, type: 'projects.list' })).result).toEqual([]);
    // A link inside the folder is fine.
    await writeFile(join(projectsDir, 'real.netforge.json'), lenetText());
    await symlink(
      join(projectsDir, 'real.netforge.json'),
      join(projectsDir, 'alias.netforge.json'),
    );
    expect(await ask({ id: 3, type: 'projects.read', name: 'alias' })).toMatchObject({ ok: true });
  });

  it.each(['CON', 'nul', 'Com1', 'LPT9.json', 'aux.backup', 'name.', 'name '])(
    'refuses the project name %j, which Windows cannot hold',
    async (name) => {
      const reply = await ask({ id: 4, type: 'projects.write', name, text: lenetText() });
      expect(reply).toMatchObject({ ok: false, error: { code: 'E_BAD_REQUEST' } });
    },
  );

  it('refuses a project text over the limit in UTF-8 bytes, not characters', async () => {
    // 6M CJK characters are 18 MB on the wire: fewer characters than bytes allowed, too many bytes.
    const text = '漢'.repeat(6 * 1024 * 1024);
    expect(text.length).toBeLessThan(MAX_PROJECT_BYTES);
    const reply = await ask({ id: 9, type: 'projects.write', name: 'big', text });
    expect(reply).toMatchObject({ id: 9, ok: false, error: { code: 'E_BAD_REQUEST' } });
    expect(reply.error?.message).toMatch(/at most 16 MiB/);
    expect(utf8Bytes('aé漢😀')).toBe(new TextEncoder().encode('aé漢😀').length);
    // The socket takes the largest allowed project however JSON escapes it.
    expect(MAX_MESSAGE_BYTES).toBeGreaterThan(6 * MAX_PROJECT_BYTES);
  });

  it('hello names the version, the projects folder and the exports folder', async () => {
    const reply = await ask({ id: 1, type: 'hello' });
    expect(reply).toMatchObject({ id: 1, ok: true, result: { projectsDir } });
    expect((reply.result as { version: string }).version).toMatch(/^\d+\.\d+\.\d+/);
    expect((reply.result as { exportsDir: string }).exportsDir).toBe(defaultExportsDir());
    const exportsDir = join(projectsDir, '..', 'exports');
    expect(
      await handleRequest({ id: 2, type: 'hello' }, { projectsDir, exportsDir }),
    ).toMatchObject({ ok: true, result: { exportsDir } });
  });

  it('lists nothing in a new folder, and creates the folder', async () => {
    expect(await ask({ id: 2, type: 'projects.list' })).toEqual({ id: 2, ok: true, result: [] });
    expect(await readdir(projectsDir)).toEqual([]);
  });

  it('saves a project, lists it and reads the same text back', async () => {
    const text = lenetText();
    const written = await ask({ id: 3, type: 'projects.write', name: 'my lenet', text });
    expect(written).toEqual({ id: 3, ok: true, result: { name: 'my lenet' } });
    expect(await readdir(projectsDir)).toEqual(['my lenet.netforge.json']);

    const list = await ask({ id: 4, type: 'projects.list' });
    expect(list.result).toEqual([
      { name: 'my lenet', modified: expect.any(String), bytes: Buffer.byteLength(text) },
    ]);

    const read = await ask({ id: 5, type: 'projects.read', name: 'my lenet' });
    expect(read).toEqual({ id: 5, ok: true, result: { text } });
    expect(parseProject((read.result as { text: string }).text).graph.name).toBe('LeNet-5');
  });

  it('replaces a project saved again under the same name', async () => {
    await ask({ id: 1, type: 'projects.write', name: 'net', text: lenetText('first') });
    await ask({ id: 2, type: 'projects.write', name: 'net', text: lenetText('second') });
    const read = await ask({ id: 3, type: 'projects.read', name: 'net' });
    expect(parseProject((read.result as { text: string }).text).name).toBe('second');
    expect(await readdir(projectsDir)).toEqual(['net.netforge.json']);
  });

  it('lists the most recently modified project first, and only project files', async () => {
    for (const name of ['old', 'newest', 'middle'])
      await ask({ id: 1, type: 'projects.write', name, text: lenetText(name) });
    const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
    await utimes(join(projectsDir, 'old.netforge.json'), at(1), at(1));
    await utimes(join(projectsDir, 'middle.netforge.json'), at(2), at(2));
    await utimes(join(projectsDir, 'newest.netforge.json'), at(3), at(3));
    await writeFile(join(projectsDir, 'notes.txt'), 'not a project');
    await mkdir(join(projectsDir, 'folder.netforge.json'));

    const list = (await ask({ id: 2, type: 'projects.list' })).result as ProjectEntry[];
    expect(list.map((p) => p.name)).toEqual(['newest', 'middle', 'old']);
    expect(list[0]!.modified).toBe(at(3).toISOString());
  });

  it('reading a project that does not exist is E_NOT_FOUND, naming it and the folder', async () => {
    const reply = await ask({ id: 7, type: 'projects.read', name: 'missing' });
    expect(reply).toMatchObject({ id: 7, ok: false, error: { code: 'E_NOT_FOUND' } });
    expect(reply.error!.message).toContain('"missing"');
    expect(reply.error!.message).toContain(projectsDir);
  });

  it.each([
    ['a name with a slash', { id: 1, type: 'projects.read', name: '../etc/passwd' }],
    ['a name starting with a dot', { id: 1, type: 'projects.read', name: '.hidden' }],
    ['an empty name', { id: 1, type: 'projects.write', name: '', text: '{}' }],
    ['an unknown type', { id: 1, type: 'projects.delete', name: 'x' }],
    ['a missing field', { id: 1, type: 'projects.write', name: 'x' }],
    ['train.start without a config', { id: 1, type: 'train.start', graph: emptyGraph() }],
    [
      'train.start with a bad setting',
      { id: 1, type: 'train.start', graph: emptyGraph(), config: { dataset: 'mnist', epochs: -1 } },
    ],
    ['train.pause without a run id', { id: 1, type: 'train.pause' }],
    ['train.stop with a path as run id', { id: 1, type: 'train.stop', runId: '../runs' }],
  ])('refuses %s with E_BAD_REQUEST', async (_what, req) => {
    const reply = await handleRequest(req as ApiRequest, { projectsDir });
    expect(reply).toMatchObject({ id: 1, ok: false, error: { code: 'E_BAD_REQUEST' } });
    expect(reply.error!.message).toMatch(/^Invalid request: /);
  });

  it('answers train.* and runs.list with E_NO_TRAINING when there is no training service', async () => {
    expect(await ask({ id: 1, type: 'runs.list' })).toMatchObject({
      id: 1,
      ok: false,
      error: { code: 'E_NO_TRAINING' },
    });
    expect(await ask({ id: 2, type: 'train.stop', runId: 'a-run' })).toMatchObject({
      ok: false,
      error: { code: 'E_NO_TRAINING' },
    });
  });

  it('refuses to save text that is not a project, and saves nothing', async () => {
    const reply = await ask({ id: 1, type: 'projects.write', name: 'junk', text: '{"a": 1}' });
    expect(reply).toMatchObject({ ok: false, error: { code: 'E_BAD_PROJECT' } });
    expect(reply.error!.message).toMatch(/not a Netforge project.*Nothing was saved/);
    expect(await ask({ id: 2, type: 'projects.list' })).toMatchObject({ result: [] });
  });

  it.each([-1, 0.5, '2'])(
    'refuses to save a project whose version is %j with E_BAD_PROJECT, not a crash',
    async (version) => {
      const text = JSON.stringify({ ...newProject(emptyGraph()), version });
      const reply = await ask({ id: 1, type: 'projects.write', name: 'odd', text });
      expect(reply).toMatchObject({ ok: false, error: { code: 'E_BAD_PROJECT' } });
      expect(reply.error!.message).toMatch(/is damaged: its "version" is .*Nothing was saved/);
    },
  );

  it('reads a saved project that starts with a UTF-8 byte order mark', async () => {
    await mkdir(projectsDir, { recursive: true });
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(lenetText('BOM'))]);
    await writeFile(join(projectsDir, 'bom.netforge.json'), bytes);
    const read = await ask({ id: 1, type: 'projects.read', name: 'bom' });
    expect(parseProject((read.result as { text: string }).text).name).toBe('BOM');
  });

  it('a failed save leaves no temp file behind and reports E_IO', async () => {
    // A folder where the file should go makes the final rename fail.
    await mkdir(join(projectsDir, 'blocked.netforge.json', 'inside'), { recursive: true });
    const reply = await ask({ id: 1, type: 'projects.write', name: 'blocked', text: lenetText() });
    expect(reply).toMatchObject({ ok: false, error: { code: 'E_IO' } });
    expect(reply.error!.message).toContain('The previous version, if any, is unchanged');
    expect(await readdir(projectsDir)).toEqual(['blocked.netforge.json']);
  });

  it('a successful save leaves only the project file (no temp files)', async () => {
    await Promise.all(
      ['a', 'b', 'a', 'b'].map((name, i) =>
        ask({ id: i, type: 'projects.write', name, text: lenetText(`${name}${i}`) }),
      ),
    );
    expect((await readdir(projectsDir)).sort()).toEqual(['a.netforge.json', 'b.netforge.json']);
  });
});

describe('toRequest and handleMessage', () => {
  it('accepts a valid request as it is', () => {
    expect(toRequest({ id: 4, type: 'hello' })).toEqual({ request: { id: 4, type: 'hello' } });
  });

  it('answers malformed JSON with E_BAD_REQUEST and id 0', async () => {
    const reply = await handleMessage('{"id": 3, "type": ', { projectsDir });
    expect(reply).toMatchObject({ id: 0, ok: false, error: { code: 'E_BAD_REQUEST' } });
    expect(reply.error!.message).toMatch(/not valid JSON/);
  });

  it('keeps the id of a request that does not match the protocol', async () => {
    const reply = await handleMessage('{"id": 9, "type": "nope"}', { projectsDir });
    expect(reply).toMatchObject({ id: 9, ok: false, error: { code: 'E_BAD_REQUEST' } });
  });
});
