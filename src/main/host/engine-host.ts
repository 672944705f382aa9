// Runs the engine in a child process and relays its events. If the engine
// dies, the caller gets an error event; the next start() forks a new one.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { trainingEventSchema, type TrainingEvent } from '../../shared/events.ts';
import { type EngineCommand } from '../../shared/engine-protocol.ts';
import { RunFolder } from '../runs/run-folder.ts';

const ENGINE_ENTRY = fileURLToPath(new URL('../engine/engine-process.ts', import.meta.url));

type Listener = (e: TrainingEvent) => void;

interface ChildMessage {
  kind: 'ready' | 'idle' | 'event';
  event?: unknown;
}

export class EngineHost {
  private child: ChildProcess | null = null;
  private ready: Promise<void> | null = null;
  private listeners = new Set<Listener>();
  private idleWaiters: (() => void)[] = [];
  private running = false;
  /** The run folder of the training job in progress, to point at its checkpoint if the engine dies. */
  private runDir: string | null = null;

  constructor(private readonly entry = ENGINE_ENTRY) {}

  onEvent(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Forks the engine unless one is alive; resolves when it is ready for commands. */
  start(): Promise<void> {
    if (this.child && this.ready) return this.ready;
    // tsx lets the engine run from its TypeScript sources in the CLI and tests.
    const child = fork(this.entry, [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child = child;
    this.ready = new Promise<void>((resolve, reject) => {
      const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
        reject(
          new Error(`The engine process exited while starting (code ${code}, signal ${signal}).`),
        );
      child.once('exit', onExit);
      child.on('message', (m: ChildMessage) => {
        if (m.kind === 'ready') {
          child.off('exit', onExit);
          resolve();
        }
      });
    });
    // A late message from a child that was replaced or closed is dropped.
    child.on('message', (m: ChildMessage) => {
      if (this.child === child) this.receive(m);
    });
    child.on('exit', (code, signal) => this.died(child, code, signal));
    return this.ready;
  }

  private receive(m: ChildMessage): void {
    if (m.kind === 'idle') {
      this.running = false;
      for (const w of this.idleWaiters.splice(0)) w();
      return;
    }
    if (m.kind !== 'event') return;
    const parsed = trainingEventSchema.safeParse(m.event);
    const event: TrainingEvent = parsed.success
      ? parsed.data
      : {
          type: 'error',
          code: 'E_PROTOCOL',
          message: `The engine sent a malformed event: ${parsed.error.message}`,
          checkpoint: null,
        };
    for (const l of this.listeners) l(event);
  }

  private died(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child !== child) return;
    this.child = null;
    this.ready = null;
    if (this.running) {
      const event: TrainingEvent = {
        type: 'error',
        code: 'E_ENGINE_DIED',
        message: `The training engine stopped unexpectedly (${signal ? `signal ${signal}` : `exit code ${code}`}). Its last checkpoint is kept; start the run again to resume from it.`,
        checkpoint: this.lastCheckpoint(),
      };
      for (const l of this.listeners) l(event);
    }
    this.running = false;
    for (const w of this.idleWaiters.splice(0)) w();
  }

  /** Sends a command, starting the engine if needed. */
  async send(cmd: EngineCommand): Promise<void> {
    await this.start();
    if (cmd.type === 'train' || cmd.type === 'evaluate') this.running = true;
    if (cmd.type === 'train') this.runDir = cmd.request.runDir;
    if (cmd.type === 'evaluate') this.runDir = null;
    this.child!.send(cmd);
  }

  /** Resolves when the current job has ended (finished, failed, or the engine died). */
  whenIdle(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  private lastCheckpoint(): string | null {
    return this.runDir ? new RunFolder(this.runDir).checkpoint('last') : null;
  }

  /** Ends the engine process. */
  async close(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = null;
    this.ready = null;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill();
    });
    // died() ignores a child that is no longer current, so release whenIdle() here.
    this.running = false;
    for (const w of this.idleWaiters.splice(0)) w();
  }
}
