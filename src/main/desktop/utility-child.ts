// The desktop app starts its processes (the engine, the feature-map process) as Electron utility
// processes: Node processes that need no ELECTRON_RUN_AS_NODE. child_process.fork does need it,
// and the packaged app turns it off (the RunAsNode fuse, scripts/set-fuses.ts), so that nobody
// can run the app's binary as a plain Node. The child's side is host/host-channel.ts, which
// talks through process.parentPort there.
import { basename, extname } from 'node:path';

import { utilityProcess } from 'electron';

import type { ChildLink } from '../host/child-host.ts';
import type { NodeEntry } from '../host/entries.ts';

/** A Launcher (host/child-host.ts) for the desktop app: `entry` as a utility process. */
export function utilityChild(entry: NodeEntry, args: string[] = []): () => ChildLink {
  return () => {
    const child = utilityProcess.fork(entry.file, args, {
      execArgv: entry.execArgv,
      stdio: ['ignore', 'inherit', 'inherit'],
      serviceName: `Netforge ${basename(entry.file, extname(entry.file))}`,
    });
    let ended: string | null = null;
    const endListeners: ((how: string) => void)[] = [];
    // 'exit' follows every end, a failed start and a fatal V8 error ('error') included.
    child.once('exit', (code) => {
      ended = `exit code ${code}`;
      for (const l of endListeners.splice(0)) l(ended);
    });
    return {
      get pid() {
        return child.pid;
      },
      send: (m) => {
        if (ended === null) child.postMessage(m);
      },
      // A utility process takes no signal: kill() ends it (SIGTERM on POSIX), so SIGTERM and
      // the host's later SIGKILL both come to that.
      kill: () => {
        if (ended === null) child.kill();
      },
      // It does not keep the app running (its windows do); nothing to change.
      setRef: () => {},
      onMessage: (l) => void child.on('message', l),
      onEnd: (l) => (ended !== null ? l(ended) : void endListeners.push(l)),
    };
  };
}
