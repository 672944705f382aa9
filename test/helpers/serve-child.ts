// Browser mode's server in a process of its own, as `netforge serve` runs it (the server owns its
// training service; SIGINT or SIGTERM closes it), for tests that must see whether hostile input
// kills it or what stopping it keeps: prints `{"port":N,"token":"..."}` on one line once it
// listens, and exits with 0 once close() has finished.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { startServer } from '../../src/main/server/server.ts';
import { stopSignal } from '../../src/main/server/stop-signal.ts';

const base = process.argv[2];
if (!base) throw new Error('usage: serve-child.ts BASE_DIR');
const renderer = join(base, 'renderer');
await mkdir(renderer, { recursive: true });
await writeFile(join(renderer, 'index.html'), '<!doctype html><title>Netforge</title>');
const server = await startServer({
  port: 0,
  rendererDir: renderer,
  projectsDir: join(base, 'projects'),
  runsDir: join(base, 'runs'),
});
process.stdout.write(`${JSON.stringify({ port: server.port, token: server.token })}\n`);
await stopSignal();
await server.close();
process.exit(0);
