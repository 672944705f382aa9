// The child's side of the host link: Node IPC (a send after the host is gone is dropped, never an
// unhandled 'error') or Electron's parentPort (a utility process).
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';

import { hostChannel, type ChildProcessSide } from '../../src/main/host/host-channel.ts';

/** A forked child's `process` as far as the channel uses it. */
class NodeProcess extends EventEmitter {
  connected = true;
  sent: unknown[] = [];
  failWith: Error | null = null;
  send(message: unknown, callback?: (e: Error | null) => void): boolean {
    // As Node does: a failure goes to the callback when there is one, else to 'error'.
    const e = this.failWith;
    if (e) {
      if (callback) queueMicrotask(() => callback(e));
      else queueMicrotask(() => this.emit('error', e));
      return false;
    }
    this.sent.push(message);
    return true;
  }
}
const nodeProcess = () => new NodeProcess();

describe('hostChannel over Node IPC', () => {
  it('sends, receives and reports the host gone', () => {
    const proc = nodeProcess();
    const channel = hostChannel(proc as unknown as ChildProcessSide);
    const got: unknown[] = [];
    let gone = 0;
    channel.onMessage((m) => got.push(m));
    channel.onHostGone(() => gone++);
    channel.send({ kind: 'ready' });
    proc.emit('message', { kind: 'shutdown' });
    proc.emit('disconnect');
    expect(proc.sent).toEqual([{ kind: 'ready' }]);
    expect(got).toEqual([{ kind: 'shutdown' }]);
    expect(gone).toBe(1);
  });

  it('drops a message once the host is gone, and a send that fails (EPIPE) emits no error', async () => {
    const proc = nodeProcess();
    const errors: unknown[] = [];
    proc.on('error', (e) => errors.push(e));
    const channel = hostChannel(proc as unknown as ChildProcessSide);
    proc.failWith = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
    channel.send({ kind: 'event' });
    proc.connected = false;
    proc.failWith = null;
    channel.send({ kind: 'idle' });
    await new Promise((r) => setTimeout(r, 10));
    expect(errors).toEqual([]);
    expect(proc.sent).toEqual([]);
  });
});

describe('hostChannel in an Electron utility process', () => {
  it("uses process.parentPort: postMessage out, each message's data in", () => {
    const port = Object.assign(new EventEmitter(), {
      posted: [] as unknown[],
      postMessage(m: unknown) {
        this.posted.push(m);
      },
    });
    const proc = Object.assign(nodeProcess(), { parentPort: port });
    const channel = hostChannel(proc as unknown as ChildProcessSide);
    const got: unknown[] = [];
    channel.onMessage((m) => got.push(m));
    channel.send({ kind: 'ready' });
    port.emit('message', { data: { kind: 'shutdown' } });
    expect(port.posted).toEqual([{ kind: 'ready' }]);
    expect(proc.sent).toEqual([]);
    expect(got).toEqual([{ kind: 'shutdown' }]);
  });
});
