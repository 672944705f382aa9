// The child's side of its link to the host (child-host.ts), for every process Netforge starts:
// Node's IPC channel when the host forked it (nodeChild), or Electron's parentPort when the
// desktop app started it as a utility process (desktop/utility-child.ts). No electron import:
// Electron puts parentPort on `process` in a utility process, and it is looked up there.

/** Electron's process.parentPort, as far as it is used here. */
interface ParentPort {
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown;
  postMessage(message: unknown): void;
}

/** What of `process` the channel uses (a parameter, so that tests can give a stand-in). */
export interface ChildProcessSide {
  parentPort?: ParentPort;
  connected?: boolean;
  send?: (message: never, callback: never) => boolean;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'disconnect', listener: () => void): unknown;
}

export interface HostChannel {
  /** Sends to the host; dropped once the host is gone (nobody is left to read it). */
  send(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  /**
   * The host is gone: Node's IPC channel closed (the host ended, however it ended). A utility
   * process has no such event: Electron ends it with the app.
   */
  onHostGone(listener: () => void): void;
}

const ignore = (_error: Error | null): void => {};

export function hostChannel(proc: ChildProcessSide = process as ChildProcessSide): HostChannel {
  const port = proc.parentPort;
  if (port)
    return {
      send: (m) => port.postMessage(m),
      onMessage: (l) => void port.on('message', (e) => l(e.data)),
      onHostGone: () => {},
    };
  return {
    // Without a callback, Node reports a failed send (a closed channel, EPIPE from a host that
    // just died) as an 'error' event on `process`, which nothing handles: the child would die,
    // e.g. an engine saving its checkpoint after its host was killed. The host is gone then;
    // there is nobody left to tell.
    send: (m) => {
      if (proc.connected) proc.send?.(m as never, ignore as never);
    },
    onMessage: (l) => void proc.on('message', l),
    onHostGone: (l) => void proc.on('disconnect', l),
  };
}
