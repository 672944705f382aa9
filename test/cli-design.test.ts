// What summary, train and export take as the network (src/main/cli/design.ts): a template name,
// a project file as the app saves it (this version or an older one), or a bare graph file (also
// one an editor began with a byte order mark); and the one message listing these when a
// reference is none of them. The bin script runs in a child process, as a user runs it.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { newProject, serializeProject } from '../src/shared/project.ts';
import { getTemplate } from '../src/shared/templates/index.ts';

const BIN = join(import.meta.dirname, '..', 'bin', 'netforge.js');

async function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args]);
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

let dir = '';
const files: Record<string, string> = {};
const mlp = getTemplate('mlp')!.build();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'netforge-design-'));
  const write = async (name: string, text: string) => {
    files[name] = join(dir, name);
    await writeFile(files[name], text);
  };
  // As the app's Save writes it (with training settings), and as the previous version did.
  const project = { ...newProject(mlp, 'my mlp'), training: { epochs: 3, learningRate: 0.05 } };
  await write('project.netforge.json', serializeProject(project));
  await write(
    'old.netforge.json',
    JSON.stringify({ format: 'netforge-project', version: 1, name: 'old', graph: mlp }),
  );
  await write('graph.json', JSON.stringify(mlp));
  await write('bom.json', `\uFEFF${JSON.stringify(mlp)}`);
  await write('bom-project.netforge.json', `\uFEFF${serializeProject(project)}`);
  await write('other.json', JSON.stringify({ format: 'keras-model' }));
});

describe('a design for summary, train and export', () => {
  it.each([
    'mlp',
    'project.netforge.json',
    'old.netforge.json',
    'graph.json',
    'bom.json',
    'bom-project.netforge.json',
  ])('summary reads %s', async (ref) => {
    const r = await run('summary', files[ref] ?? ref, '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).totalParams).toBe(335_114);
  });

  it('export writes a project file as it writes its graph', async () => {
    const out = join(dir, 'mlp.py');
    const r = await run(
      'export',
      files['project.netforge.json']!,
      '--format',
      'keras-py',
      '--out',
      out,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(out);
    expect(await readFile(out, 'utf8')).toContain('Dense');
  });

  it('a project whose version is newer is refused, saying to update', async () => {
    const newer = join(dir, 'newer.netforge.json');
    await writeFile(
      newer,
      JSON.stringify({ format: 'netforge-project', version: 99, name: 'x', graph: mlp }),
    );
    const r = await run('summary', newer);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/newer Netforge.*Update Netforge/);
  });

  it.each([
    ['summary', []],
    ['train', ['--dataset', 'mnist']],
    ['export', ['--format', 'onnx']],
  ])('%s names what it takes when given a file of another kind', async (command, extra) => {
    const r = await run(command, files['other.json']!, ...extra);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('is not a Netforge graph or project file');
    expect(r.stderr).toContain(
      'a template name (`netforge templates` lists them), a project file saved by the app (NAME.netforge.json) or a graph file (.json)',
    );
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
  });

  it('a name that is neither a template nor a file lists the templates', async () => {
    const r = await run('train', 'lenet6');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/"lenet6" is neither a template nor a file\. Give a template name/);
    expect(r.stderr).toMatch(/Templates: .*lenet5/);
  });
});
