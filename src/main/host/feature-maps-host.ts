// Computes feature maps in a process of its own (feature-maps-process.ts), forked on the first
// request and ended after a while without one. A forward pass and loading a model take tfjs work
// that must neither stall the server's event loop (every window's requests and training events
// go through it) nor share the engine process, which may be training; a process of its own also
// gives back all of tfjs's memory when it ends. Like the engine host, it runs the TypeScript
// sources through tsx.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import type { DatasetName } from '../../shared/graph/types.ts';
import { RunsError, type RunsErrorCode } from '../runs/errors.ts';
import type { FeatureMapsResult } from '../engine/feature-maps.ts';

const ENTRY = fileURLToPath(new URL('../engine/feature-maps-process.ts', import.meta.url));

export interface FeatureMapsJob {
  /** The run's model/ folder (TF.js layers format). */
  modelDir: string;
  /** Decides the preprocessing, as in training (batches.ts). */
  dataset: DatasetName;
  /** The test image's bytes, HWC. */
  pixels: number[];
  shape: [number, number, number];
  layer: string | null;
}

/** Messages to the process. */
export type FeatureMapsRequest =
  { kind: 'job'; id: number; job: FeatureMapsJob } | { kind: 'stats'; id: number };

/** Messages from the process. */
export type FeatureMapsReply =
  | { kind: 'ready'; backend: string }
  | { kind: 'result'; id: number; result: FeatureMapsResult }
  | { kind: 'failure'; id: number; code: RunsErrorCode; message: string }
  | { kind: 'stats'; id: number; tensors: number; modelDir: string | null };

export interface FeatureMapsHostOptions {
  /** The process's entry (the Electron app passes its source file; see src/main/desktop/index.ts). */
  entry?: string;
  /**
   * Its backend: wasm (the default) or cpu. Never tfjs-node-gpu: one image needs no GPU, and
   * TensorFlow reserves most of a GPU's memory for each process, which a training needs.
   */
  backend?: 'wasm' | 'cpu';
  /** The process ends after this long without a request, freeing its model (default 5 min). */
  idleMs?: number;
  /** A request that takes longer ends the process (default 2 min). */
  timeoutMs?: number;
}

interface Pending {
  resolve(reply: FeatureMapsReply): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

export class FeatureMapsHost {
  private child: ChildProcess | null = null;
  private ready: Promise<ChildProcess> | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | null = null;
  private readonly entry: string;
  private readonly backend: 'wasm' | 'cpu';
  private readonly idleMs: number;
  private readonly timeoutMs: number;

  constructor(options: FeatureMapsHostOptions = {}) {
    this.entry = options.entry ?? ENTRY;
    this.backend = options.backend ?? 'wasm';
    this.idleMs = options.idleMs ?? 5 * 60_000;
    this.timeoutMs = options.timeoutMs ?? 120_000;
  }

  /** The process's id while it runs (tests). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** The feature maps of one image (the first request also starts the process, ~2 s). */
  async run(job: FeatureMapsJob): Promise<FeatureMapsResult> {
    const reply = await this.ask((id) => ({ kind: 'job', id, job }));
    if (reply.kind === 'result') return reply.result;
    if (reply.kind === 'failure') throw new RunsError(reply.code, reply.message);
    throw new RunsError('E_FEATURE_MAPS', `Unexpected reply from the feature-map process.`);
  }

  /** Live tensors in the process and the model it holds (tests check for leaks). */
  async stats(): Promise<{ tensors: number; modelDir: string | null }> {
    const reply = await this.ask((id) => ({ kind: 'stats', id }));
    if (reply.kind !== 'stats') throw new Error('Unexpected reply from the feature-map process.');
    return { tensors: reply.tensors, modelDir: reply.modelDir };
  }

  /** Ends the process; requests under way fail with E_FEATURE_MAPS. */
  async close(): Promise<void> {
    this.clearIdle();
    const child = this.child;
    if (!child) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    this.stopChild(child, 'it was closed');
    if (child.exitCode === null && child.signalCode === null) await exited;
  }

  private async ask(make: (id: number) => FeatureMapsRequest): Promise<FeatureMapsReply> {
    this.clearIdle();
    const id = this.nextId++;
    try {
      const child = await this.start();
      return await new Promise<FeatureMapsReply>((resolve, reject) => {
        const timer = setTimeout(() => {
          this.stopChild(
            child,
            `a request took longer than ${Math.round(this.timeoutMs / 1000)} s`,
          );
        }, this.timeoutMs);
        this.pending.set(id, { resolve, reject, timer });
        this.refChild(child, true);
        child.send(make(id));
      });
    } finally {
      this.pending.delete(id);
      if (this.pending.size === 0) this.scheduleIdle();
    }
  }

  private start(): Promise<ChildProcess> {
    if (this.ready) return this.ready;
    const child = fork(this.entry, [this.backend], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child = child;
    this.ready = new Promise<ChildProcess>((resolve, reject) => {
      const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
        reject(
          new RunsError(
            'E_FEATURE_MAPS',
            `The feature-map process exited while starting (code ${code}, signal ${signal}).`,
          ),
        );
      child.once('exit', onExit);
      child.on('message', (m: FeatureMapsReply) => {
        if (m.kind === 'ready') {
          child.off('exit', onExit);
          resolve(child);
        } else this.receive(m);
      });
    });
    child.on('exit', (code, signal) =>
      this.exited(child, signal ? `signal ${signal}` : `exit code ${code}`),
    );
    // E.g. a send to a process that just died: reported to the requests, never thrown.
    child.on('error', (e) => this.stopChild(child, e.message));
    return this.ready;
  }

  private receive(m: FeatureMapsReply): void {
    if (m.kind === 'ready') return;
    const p = this.pending.get(m.id);
    if (!p) return;
    clearTimeout(p.timer);
    p.resolve(m);
  }

  private stopChild(child: ChildProcess, why: string): void {
    if (this.child === child) {
      this.child = null;
      this.ready = null;
    }
    this.failPending(why);
    child.kill();
  }

  private exited(child: ChildProcess, how: string): void {
    if (this.child !== child) return;
    this.child = null;
    this.ready = null;
    this.failPending(`it stopped (${how})`);
  }

  private failPending(why: string): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.reject(
        new RunsError(
          'E_FEATURE_MAPS',
          `The feature-map process ended before answering: ${why}. Ask again to start a new one.`,
        ),
      );
    }
  }

  /** The process keeps Node alive only while a request waits for it. */
  private refChild(child: ChildProcess, ref: boolean): void {
    const channel = child.channel as { ref?(): void; unref?(): void } | null | undefined;
    if (ref) {
      child.ref();
      channel?.ref?.();
    } else {
      child.unref();
      channel?.unref?.();
    }
  }

  private scheduleIdle(): void {
    this.clearIdle();
    const child = this.child;
    if (!child) return;
    this.refChild(child, false);
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (this.child === child && this.pending.size === 0) child.kill();
    }, this.idleMs);
    this.idleTimer.unref();
  }

  private clearIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }
}
