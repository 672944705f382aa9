// Browser mode's server in a process of its own, for tests that must see whether hostile input
// kills it: prints `{"port":N,"token":"..."}` on one line once it listens.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { startServer } from '../../src/main/server/server.ts';

const base = process.argv[2];
if (!base) throw new Error('usage: serve-child.ts BASE_DIR');
const renderer = join(base, 'renderer');
await mkdir(renderer, { recursive: true });
await writeFile(join(renderer, 'index.html'), '<!doctype html><title>Netforge</title>');
const { TrainingService } = await import('../../src/main/api/training-service.ts');
const training = new TrainingService({ runsDir: join(base, 'runs'), backend: 'wasm' });
const server = await startServer({
  port: 0,
  rendererDir: renderer,
  projectsDir: join(base, 'projects'),
  training,
});
process.stdout.write(`${JSON.stringify({ port: server.port, token: server.token })}\n`);
process.on(
  'SIGTERM',
  () =>
    void server
      .close()
      .then(() => training.close())
      .then(() => process.exit(0)),
);
