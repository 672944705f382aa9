// The CLI as a user runs it: the bin script in a child process.
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
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

describe('netforge CLI', () => {
  it.each([
    ['lenet5', 60_074, 60_074],
    ['mlp', 335_114, 335_114],
    ['vgg13', 9_570_506, 9_570_506],
    ['resnet18', 11_184_778, 11_176_970],
    ['lenet5-bn', 60_162, 60_118],
  ])('summary %s --json reports %i parameters', async (name, total, trainable) => {
    const r = await run('summary', name, '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(out.totalParams).toBe(total);
    expect(out.trainableParams).toBe(trainable);
    expect(out.nonTrainableParams).toBe(total - trainable);
    expect(typeof out.multiplyAdds).toBe('number');
    const layers = out.layers as {
      name: string;
      kind: string;
      outputShape: unknown;
      params: number;
    }[];
    expect(layers.at(-1)).toMatchObject({ kind: 'dense', outputShape: [null, 10] });
    expect(layers.reduce((n, l) => n + l.params, 0)).toBe(total);
  });

  it('summary without --json prints a Keras-style table', async () => {
    const r = await run('summary', 'lenet5');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('(None, 26, 26, 6)');
    expect(r.stdout).toContain('Total params: 60,074');
  });

  it('templates lists every template with its parameter count', async () => {
    const r = await run('templates', '--json');
    const rows = JSON.parse(r.stdout) as { id: string; totalParams: number }[];
    expect(rows.find((t) => t.id === 'resnet34')?.totalParams).toBe(21_304_074);
    expect((await run('templates')).stdout).toMatch(/lenet5\s+mnist\s+60,074/);
  });

  it('reads a graph file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'netforge-cli-'));
    const file = join(dir, 'net.json');
    await writeFile(file, JSON.stringify(getTemplate('lenet5')!.build()));
    const r = await run('summary', file, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).totalParams).toBe(60_074);
  });

  it.each([
    ['malformed JSON', '{"format": "netforge-graph", nodes: [', /not valid JSON/],
    ['another kind of JSON', '{"hello": "world"}', /not a Netforge graph/],
    [
      'a newer format version',
      '{"format":"netforge-graph","version":7,"name":"x","nodes":[],"edges":[]}',
      /newer Netforge/,
    ],
  ])('a file with %s exits 1 with a readable message', async (_what, text, message) => {
    const dir = await mkdtemp(join(tmpdir(), 'netforge-cli-'));
    const file = join(dir, 'bad.json');
    await writeFile(file, text);
    const r = await run('summary', file);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/); // no stack trace
  });

  it('an unknown template or a missing file exits 1 and says what exists', async () => {
    const unknown = await run('summary', 'lenet6');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/lenet6.*Templates: .*lenet5/);
    const missing = await run('summary', './nowhere/net.json');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/No such file/);
  });

  it('a graph with faults prints them with their codes and exits 1', async () => {
    const doc = getTemplate('lenet5')!.build();
    doc.edges = doc.edges.slice(1); // disconnect the first conv from the input
    const dir = await mkdtemp(join(tmpdir(), 'netforge-cli-'));
    const file = join(dir, 'broken.json');
    await writeFile(file, JSON.stringify(doc));
    const r = await run('summary', file, '--json');
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { issues: { code: string; nodeId?: string }[] };
    expect(out.issues.map((i) => i.code)).toContain('E_MISSING_INPUT');
  });
});
