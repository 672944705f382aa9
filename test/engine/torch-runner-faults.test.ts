// A runner that misbehaves, played by fake interpreters (no torch needed): a line that is not the
// protocol is E_PROTOCOL, a crash is E_ENGINE_DIED quoting the end of its stderr, a reported error
// keeps its code; the engine process stays usable after each.
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { EngineHost } from '../../src/main/host/engine-host.ts';
import type { TrainingEvent, TrainingEventOf } from '../../src/shared/events.ts';
import { tempDirs, trainRequest, writeSyntheticMnist } from './fixtures.ts';

const dirs = tempDirs('torch-faults');
let data = '';
const hosts: EngineHost[] = [];

/** A "python" that answers the torch probe as PyTorch 2.4 on the CPU, then runs `runner`. */
async function fakePython(runner: string): Promise<string> {
  const path = join(await dirs.make(), 'python3');
  await writeFile(
    path,
    `#!/bin/sh
if [ "$1" = "-c" ]; then
  echo '{"version": "2.4.0", "threads": 2, "cudaDevices": [], "mps": false}'
  exit 0
fi
${runner}
`,
  );
  await chmod(path, 0o755);
  return path;
}

beforeAll(async () => {
  data = await writeSyntheticMnist(join(await dirs.make(), 'mnist'));
});
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((h) => h.close()));
});
afterAll(() => dirs.cleanup());

async function train(runner: string): Promise<TrainingEvent[]> {
  const host = new EngineHost();
  hosts.push(host);
  const events: TrainingEvent[] = [];
  host.onEvent((e) => events.push(e));
  const request = {
    ...trainRequest(await dirs.make(), data, { engine: 'torch', epochs: 1 }),
    python: await fakePython(runner),
  };
  await host.send({ type: 'train', request });
  await host.whenIdle();
  expect(host.pid).toBeTypeOf('number'); // the engine process lives on
  return events;
}

describe.skipIf(process.platform === 'win32')('a misbehaving PyTorch runner', () => {
  it('is E_PROTOCOL when it prints something that is not a protocol line', async () => {
    const events = await train(`echo 'Epoch 1 of 1'\nsleep 5`);
    expect(events[0]).toMatchObject({
      type: 'backend',
      backend: {
        backend: 'torch',
        reason: expect.stringMatching(/^PyTorch 2\.4 on CPU, 2 threads/),
      },
    });
    const error = events.at(-1) as TrainingEventOf<'error'>;
    expect(error).toMatchObject({ type: 'error', code: 'E_PROTOCOL', checkpoint: null });
    expect(error.message).toContain('Epoch 1 of 1');
  });

  it('is E_PROTOCOL for a JSON line that is no TrainingEvent', async () => {
    const events = await train(
      `echo '{"kind": "event", "event": {"type": "batch", "loss": "low"}}'`,
    );
    expect(events.at(-1)).toMatchObject({ type: 'error', code: 'E_PROTOCOL' });
  });

  it('is E_ENGINE_DIED quoting the end of its stderr when it crashes', async () => {
    const events = await train(
      `echo 'Traceback (most recent call last):' >&2\necho 'ValueError: boom' >&2\nexit 1`,
    );
    const error = events.at(-1) as TrainingEventOf<'error'>;
    expect(error).toMatchObject({ type: 'error', code: 'E_ENGINE_DIED' });
    expect(error.message).toMatch(/exit code 1.*ValueError: boom/);
  });

  it('keeps the code of an error it reports, and relays its valid events first', async () => {
    const events = await train(
      `echo '{"kind": "event", "event": {"type": "status", "state": "paused", "step": 0}}'
echo '{"kind": "error", "code": "E_NAN_LOSS", "message": "The loss became NaN at step 1."}'
exit 3`,
    );
    expect(events.map((e) => e.type)).toContain('status');
    expect(events.at(-1)).toMatchObject({
      type: 'error',
      code: 'E_NAN_LOSS',
      message: 'The loss became NaN at step 1.',
    });
  });
});
