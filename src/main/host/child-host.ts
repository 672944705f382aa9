// One host for every process Netforge starts: the engine (engine-host.ts), the feature-map
// process (feature-maps-host.ts) and, later, a Python engine. It starts the child on first use,
// waits a bounded time for its 'ready' message, checks every message against a schema, reports
// the child's death once, starts a new child on the next use, and ends it within a bound: a
// polite SHUTDOWN message first, then SIGTERM, then SIGKILL.
//
// How messages travel is a ChildLink, kept apart from the host: nodeChild() forks a Node entry
// and uses Node's IPC channel; the desktop app uses Electron utility processes instead
// (desktop/utility-child.ts; the child's side of either is host-channel.ts). A Python child would get a link made with spawn() that writes and
// reads one JSON object per line on stdin/stdout; nothing in ChildHost assumes the child is Node.
import { fork, type Serializable } from 'node:child_process';
import type { ZodType } from 'zod';

import type { NodeEntry } from './entries.ts';
import { SHUTDOWN } from './child-protocol.ts';

/** A started process as the host sees it. */
export interface ChildLink {
  readonly pid: number | undefined;
  send(message: unknown): void;
  kill(signal: NodeJS.Signals): void;
  /** Whether the process keeps this one's event loop alive (a pooled, idle child should not). */
  setRef(keep: boolean): void;
  onMessage(listener: (raw: unknown) => void): void;
  /**
   * Called once when the process has ended or could not start, with how it ended ("exit code 1",
   * "signal SIGKILL"); at once if that has already happened.
   */
  onEnd(listener: (how: string) => void): void;
}

/**
 * How a host starts a Node entry: nodeChild (child_process.fork, for the CLI, the server and the
 * tests) or, in the desktop app, desktop/utility-child.ts (an Electron utility process).
 */
export type Launcher = (entry: NodeEntry, args?: string[]) => () => ChildLink;

/** Forks a Node entry (see entries.ts) with an IPC channel; its output goes to ours. */
export function nodeChild(entry: NodeEntry, args: string[] = []): () => ChildLink {
  return () => {
    const child = fork(entry.file, args, {
      execArgv: entry.execArgv,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      // A process group of its own (POSIX): a terminal's Ctrl+C goes to the whole foreground
      // group, and only the host may decide how its child ends (the engine saves a checkpoint
      // first). The engine also ignores SIGINT (Windows has no groups to leave), but only once its
      // code has loaded; out of the group it is safe from the start. A child whose host is gone
      // ends by itself ('disconnect').
      detached: process.platform !== 'win32',
    });
    let ended: string | null = null;
    let failure: string | null = null;
    const endListeners: ((how: string) => void)[] = [];
    const end = (how: string) => {
      if (ended !== null) return;
      ended = failure ? `${how}, after ${failure}` : how;
      for (const l of endListeners.splice(0)) l(ended);
    };
    child.on('exit', (code, signal) => end(signal ? `signal ${signal}` : `exit code ${code}`));
    // A fork that failed, or a message to a process that just died. 'exit' may or may not
    // follow (Node's docs), so a process that never started ends here; a live one is killed,
    // which brings its 'exit'.
    child.on('error', (e) => {
      failure = e.message;
      if (child.pid === undefined) end(`error: ${e.message}`);
      else if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    const channel = () => child.channel as { ref?(): void; unref?(): void } | null | undefined;
    return {
      get pid() {
        return child.pid;
      },
      send: (m) => {
        if (child.connected) child.send(m as Serializable);
      },
      kill: (signal) => {
        if (ended === null) child.kill(signal);
      },
      setRef: (keep) => {
        if (keep) {
          child.ref();
          channel()?.ref?.();
        } else {
          child.unref();
          channel()?.unref?.();
        }
      },
      onMessage: (l) => void child.on('message', l),
      onEnd: (l) => (ended !== null ? l(ended) : void endListeners.push(l)),
    };
  };
}

/** The child did not become ready: it exited first, or took longer than readyTimeoutMs. */
export class ChildStartError extends Error {
  override readonly name = 'ChildStartError';
}

export interface ChildHostOptions<M extends { kind: string }> {
  /** The process in messages, capitalised: "The engine process". */
  name: string;
  launch: () => ChildLink;
  /** Every message from the child is checked against it; { kind: 'ready' } must pass too. */
  messages: ZodType<M>;
  /** Each checked message but 'ready', from the current child only. */
  onMessage(message: M): void;
  /** A message that failed the check (zod's explanation). */
  onMalformed(error: string): void;
  /** The current child ended after it was ready without close(): once per child. */
  onDeath?(how: string): void;
  /** Longest wait for 'ready' (default 60 s: loading tfjs on a busy machine takes a while). */
  readyTimeoutMs?: number;
  /** How long close() waits after SHUTDOWN (default 10 s), then after SIGTERM (default 5 s). */
  graceMs?: number;
  termMs?: number;
}

interface Child {
  link: ChildLink;
  ready: Promise<ChildLink>;
  isReady: boolean;
}

export class ChildHost<M extends { kind: string }> {
  private current: Child | null = null;

  constructor(private readonly o: ChildHostOptions<M>) {}

  /** The current child's process id; undefined when none runs. */
  get pid(): number | undefined {
    return this.current?.link.pid;
  }

  /** Starts a child unless one runs; resolves when it is ready. */
  async start(): Promise<void> {
    await this.started();
  }

  /** Sends a message to the child, starting one first if none runs. */
  async send(message: unknown): Promise<void> {
    (await this.started()).send(message);
  }

  /** See ChildLink.setRef; no-op without a child. */
  setRef(keep: boolean): void {
    this.current?.link.setRef(keep);
  }

  /**
   * Ends the current child, which is no longer reported (its messages are dropped, its end is no
   * death): SHUTDOWN (unless `polite` is false or it is not ready yet), SIGTERM after graceMs,
   * SIGKILL after termMs more. Resolves when it has ended, or 5 s after SIGKILL at worst.
   */
  async close({ polite = true }: { polite?: boolean } = {}): Promise<void> {
    const child = this.current;
    if (!child) return;
    this.current = null;
    const { link } = child;
    const ended = new Promise<void>((resolve) => link.onEnd(() => resolve()));
    if (polite && child.isReady) {
      link.send(SHUTDOWN);
      if (await within(ended, this.o.graceMs ?? 10_000)) return;
    }
    link.kill('SIGTERM');
    if (await within(ended, this.o.termMs ?? 5_000)) return;
    link.kill('SIGKILL');
    await within(ended, 5_000);
  }

  private started(): Promise<ChildLink> {
    if (this.current) return this.current.ready;
    const link = this.o.launch();
    let resolveReady!: (link: ChildLink) => void;
    let rejectReady!: (e: Error) => void;
    const child: Child = {
      link,
      isReady: false,
      ready: new Promise<ChildLink>((resolve, reject) => {
        resolveReady = resolve;
        rejectReady = reject;
      }),
    };
    // The caller awaits `ready`; a child closed while starting must not also be unhandled.
    child.ready.catch(() => {});
    this.current = child;
    const timeoutMs = this.o.readyTimeoutMs ?? 60_000;
    const timer = setTimeout(() => {
      if (this.current === child) this.current = null;
      link.kill('SIGKILL');
      rejectReady(
        new ChildStartError(
          `${this.o.name} did not get ready within ${timeoutMs / 1000} s. Try again; if it persists, its error output may say why.`,
        ),
      );
    }, timeoutMs);
    link.onMessage((raw) => {
      if (this.current !== child) return; // a late message from a replaced or closed child
      const parsed = this.o.messages.safeParse(raw);
      if (!parsed.success) return this.o.onMalformed(parsed.error.message);
      if (parsed.data.kind !== 'ready') return this.o.onMessage(parsed.data);
      if (child.isReady) return;
      child.isReady = true;
      clearTimeout(timer);
      resolveReady(link);
    });
    link.onEnd((how) => {
      clearTimeout(timer);
      if (!child.isReady)
        rejectReady(
          new ChildStartError(
            `${this.o.name} exited while starting (${how}). Its error output says why; try again.`,
          ),
        );
      if (this.current !== child) return; // closed or replaced on purpose
      this.current = null;
      if (child.isReady) this.o.onDeath?.(how);
    });
    return child.ready;
  }
}

/** Whether `p` settles within `ms` (the timer does not outlive the wait). */
async function within(p: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([p.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
