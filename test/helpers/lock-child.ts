// A second Netforge process for the owner-lock tests (test/runs/run-lock.test.ts): takes the lock
// of the run folder DIR and holds it until its stdin closes (or it is killed).
//   hold DIR   take it now; print {"pid":N,"locked":true}
//   race DIR   print {"pid":N,"ready":true}, wait for the line "go" on stdin (sent to all racers
//              at once), take it; print {"pid":N,"locked":true} or {..."locked":false,"message"}
import { createInterface } from 'node:readline';

import { RunFolder } from '../../src/main/runs/run-folder.ts';

const [mode, dir] = process.argv.slice(2);
if (!dir || (mode !== 'hold' && mode !== 'race'))
  throw new Error('usage: lock-child.ts hold|race DIR');
const say = (value: object) =>
  process.stdout.write(`${JSON.stringify({ pid: process.pid, ...value })}\n`);
const lines = createInterface({ input: process.stdin });
const folder = new RunFolder(dir);
if (mode === 'race') {
  say({ ready: true });
  await new Promise<void>((resolve) => lines.once('line', () => resolve()));
}
try {
  const lock = await folder.lock(`child-${process.pid}`);
  say({ locked: true });
  lines.once('close', () => void lock.release().then(() => process.exit(0)));
} catch (e) {
  say({ locked: false, message: (e as Error).message });
  lines.once('close', () => process.exit(0));
}
