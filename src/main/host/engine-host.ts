// Runs the engine in a child process (child-host.ts) and relays its events. If the engine
// dies during a job, the caller gets an E_ENGINE_DIED error event; the next command starts a new
// engine.
import { z } from 'zod';

import { trainingEventSchema, type TrainingEvent } from '../../shared/events.ts';
import { type EngineCommand } from '../../shared/engine-protocol.ts';
import { RunFolder } from '../runs/run-folder.ts';
import { ChildHost, nodeChild, type Launcher } from './child-host.ts';
import { nodeEntry, nodeEntryOf, type NodeEntry } from './entries.ts';

type Listener = (e: TrainingEvent) => void;

/** What the engine process sends (engine-process.ts). */
const engineMessageSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('ready') }),
  /** The job in progress has ended (or a command was refused). */
  z.object({ kind: z.literal('idle') }),
  z.object({ kind: z.literal('event'), event: trainingEventSchema }),
]);
type EngineMessage = z.infer<typeof engineMessageSchema>;

export class EngineHost {
  private readonly process: ChildHost<EngineMessage>;
  private listeners = new Set<Listener>();
  private idleWaiters: (() => void)[] = [];
  private running = false;
  /** The run folder of the training job in progress, to point at its checkpoint if the engine dies. */
  private runDir: string | null = null;

  /**
   * `entry`: the engine's file (a .ts one runs through tsx); by default the one entries.ts picks.
   * `launch`: how to start it (the desktop app: as a utility process).
   */
  constructor(entry: string | NodeEntry = nodeEntry('engine'), launch: Launcher = nodeChild) {
    this.process = new ChildHost({
      name: 'The engine process',
      launch: launch(typeof entry === 'string' ? nodeEntryOf(entry) : entry),
      messages: engineMessageSchema,
      onMessage: (m) => this.receive(m),
      onMalformed: (error) =>
        this.emit({
          type: 'error',
          code: 'E_PROTOCOL',
          message: `The engine sent a malformed event: ${error}`,
          checkpoint: null,
        }),
      onDeath: (how) => this.died(how),
      // A training asked to end stops at its next batch and saves a checkpoint first.
      graceMs: 15_000,
    });
  }

  onEvent(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  /** Starts the engine unless one is alive; resolves when it is ready for commands. */
  start(): Promise<void> {
    return this.process.start();
  }

  private emit(event: TrainingEvent): void {
    for (const l of this.listeners) l(event);
  }

  private receive(m: EngineMessage): void {
    if (m.kind === 'idle') {
      this.running = false;
      this.releaseWaiters();
    } else if (m.kind === 'event') this.emit(m.event);
  }

  private died(how: string): void {
    if (this.running)
      this.emit({
        type: 'error',
        code: 'E_ENGINE_DIED',
        message: `The training engine stopped unexpectedly (${how}). Its last checkpoint is kept; start the run again to resume from it.`,
        checkpoint: this.lastCheckpoint(),
      });
    this.running = false;
    this.releaseWaiters();
  }

  private releaseWaiters(): void {
    for (const w of this.idleWaiters.splice(0)) w();
  }

  /** Sends a command, starting the engine if needed. */
  async send(cmd: EngineCommand): Promise<void> {
    await this.process.start();
    if (cmd.type === 'train' || cmd.type === 'evaluate') this.running = true;
    if (cmd.type === 'train') this.runDir = cmd.request.runDir;
    if (cmd.type === 'evaluate') this.runDir = null;
    try {
      // A new engine if this one died since start(), so the command is not lost.
      await this.process.send(cmd);
    } catch (e) {
      this.running = false;
      this.releaseWaiters();
      throw e;
    }
  }

  /** Resolves when the current job has ended (finished, failed, or the engine died). */
  whenIdle(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  private lastCheckpoint(): string | null {
    return this.runDir ? new RunFolder(this.runDir).checkpoint('last') : null;
  }

  /**
   * Ends the engine process. A training in progress is asked to stop and save a checkpoint first
   * (bounded; `polite: false` skips that and signals at once); its events are no longer relayed.
   */
  async close(options?: { polite?: boolean }): Promise<void> {
    await this.process.close(options);
    // The closed engine's end is no death, so release whenIdle() here.
    this.running = false;
    this.releaseWaiters();
  }
}
