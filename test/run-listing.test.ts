// Where a run's results are (issue 14): runs.files lists a run's folder and every file in it, and
// runs.list carries each run's optimizer and learning rate, so the app can name runs apart.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { handleRequest } from '../src/main/api/handlers.ts';
import { TrainingService } from '../src/main/api/training-service.ts';
import type { RunEntry, RunFiles } from '../src/shared/api.ts';
import { trainConfigSchema } from '../src/shared/train-config.ts';
import { tempDirs } from './engine/fixtures.ts';

const temp = tempDirs('run-listing');
let service: TrainingService;
let ctx: { projectsDir: string; training: TrainingService };

async function write(dir: string, files: Record<string, string>): Promise<void> {
  for (const [name, text] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), text);
  }
}

async function ask<T>(req: object): Promise<T> {
  const reply = await handleRequest({ id: 1, ...req }, ctx);
  if (!reply.ok) throw new Error(`${reply.error?.code}: ${reply.error?.message}`);
  return reply.result as T;
}

beforeAll(async () => {
  service = new TrainingService({ runsDir: await temp.make() });
  ctx = { projectsDir: await temp.make(), training: service };
  const start = (name: string) =>
    JSON.stringify({ name, startedAt: '2026-01-02T03:04:05.678Z', dataDir: null });
  const config = trainConfigSchema.parse({
    dataset: 'mnist',
    optimizer: 'adam',
    learningRate: 0.002,
  });
  await write(join(service.runsDir, 'lenet-1'), {
    'netforge-run.json': start('LeNet-5'),
    'config.json': JSON.stringify(config),
    'metrics.jsonl': '',
    'model/model.json': '{}',
    'model/weights.bin': 'x'.repeat(1000),
  });
  await write(join(service.runsDir, 'bare-1'), { 'netforge-run.json': start('Bare') });
});
afterAll(async () => {
  await service.close();
  await temp.cleanup();
});

describe('a run’s folder and files', () => {
  it('lists every file under the run’s folder, nested ones by relative path, with sizes', async () => {
    const files = await ask<RunFiles>({ type: 'runs.files', runId: 'lenet-1' });
    expect(files.runDir).toBe(join(service.runsDir, 'lenet-1'));
    expect(files.files.map((f) => f.path)).toEqual([
      'config.json',
      'metrics.jsonl',
      'model/model.json',
      'model/weights.bin',
      'netforge-run.json',
    ]);
    expect(files.files.find((f) => f.path === 'model/weights.bin')?.bytes).toBe(1000);
    expect(files.truncated).toBe(false);
  });

  it('refuses a run that is not there, saying so', async () => {
    const reply = await handleRequest({ id: 1, type: 'runs.files', runId: 'nope' }, ctx);
    expect(reply.ok).toBe(false);
    expect(reply.error?.code).toBe('E_NOT_FOUND');
    expect(reply.error?.message).toMatch(/no run "nope"/);
  });

  it('gives each listed run its optimizer and learning rate, or null without a config', async () => {
    const runs = await ask<RunEntry[]>({ type: 'runs.list' });
    const byId = new Map(runs.map((r) => [r.runId, r]));
    expect(byId.get('lenet-1')?.settings).toEqual({ optimizer: 'adam', learningRate: 0.002 });
    expect(byId.get('bare-1')?.settings).toBeNull();
  });
});
