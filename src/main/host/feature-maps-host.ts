// Computes feature maps in a process of its own (feature-maps-process.ts, hosted by
// child-host.ts), started on the first request and ended after a while without one. A forward pass
// and loading a model take tfjs work that must neither stall the server's event loop (every
// window's requests and training events go through it) nor share the engine process, which may
// be training; a process of its own also gives back all of tfjs's memory when it ends.
import { z } from 'zod';

import type { DatasetName } from '../../shared/graph/types.ts';
import { featureMapsSchema } from '../../shared/api.ts';
import { RunsError, type RunsErrorCode } from '../runs/errors.ts';
import type { FeatureMapsResult } from '../engine/feature-maps.ts';
import { ChildHost, ChildStartError, nodeChild, type Launcher } from './child-host.ts';
import { nodeEntry, nodeEntryOf } from './entries.ts';

/** Every RunsErrorCode, so a failure the process reports passes the check below. */
const RUNS_CODES = [
  'E_NOT_FOUND',
  'E_BAD_REQUEST',
  'E_NO_MODEL',
  'E_NO_FEATURE_MAPS',
  'E_DATA_MISSING',
  'E_FEATURE_MAPS',
  'E_IO',
] as const satisfies readonly RunsErrorCode[];
// A code added to RunsErrorCode but not above fails to compile here.
const _allCodes: Exclude<RunsErrorCode, (typeof RUNS_CODES)[number]> extends never ? true : never =
  true;
void _allCodes;

const replySchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('ready'), backend: z.string() }),
  z.object({
    kind: z.literal('result'),
    id: z.number(),
    result: featureMapsSchema.omit({ index: true, label: true }),
  }),
  z.object({
    kind: z.literal('failure'),
    id: z.number(),
    code: z.enum(RUNS_CODES),
    message: z.string(),
  }),
  z.object({
    kind: z.literal('stats'),
    id: z.number(),
    tensors: z.number(),
    modelDir: z.string().nullable(),
  }),
]);

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

/** Messages from the process (checked against replySchema on arrival). */
export type FeatureMapsReply = z.infer<typeof replySchema>;

export interface FeatureMapsHostOptions {
  /** The process's entry file (a .ts one runs through tsx); by default the one entries.ts picks. */
  entry?: string;
  /** How to start it (default: nodeChild; the desktop app: as a utility process). */
  launch?: Launcher;
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
  private readonly process: ChildHost<FeatureMapsReply>;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | null = null;
  private readonly idleMs: number;
  private readonly timeoutMs: number;

  constructor(options: FeatureMapsHostOptions = {}) {
    const entry = options.entry ? nodeEntryOf(options.entry) : nodeEntry('feature-maps');
    this.idleMs = options.idleMs ?? 5 * 60_000;
    this.timeoutMs = options.timeoutMs ?? 120_000;
    this.process = new ChildHost({
      name: 'The feature-map process',
      launch: (options.launch ?? nodeChild)(entry, [options.backend ?? 'wasm']),
      messages: replySchema,
      onMessage: (m) => this.receive(m),
      // From another version of Netforge, or broken: of no more use.
      onMalformed: (error) => {
        this.failPending(`it sent a reply Netforge does not understand (${error})`);
        void this.process.close({ polite: false });
      },
      onDeath: (how) => this.failPending(`it stopped (${how})`),
    });
  }

  /** The process's id while it runs (tests). */
  get pid(): number | undefined {
    return this.process.pid;
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
    this.failPending('it was closed');
    await this.process.close();
  }

  private async ask(make: (id: number) => FeatureMapsRequest): Promise<FeatureMapsReply> {
    this.clearIdle();
    const id = this.nextId++;
    try {
      try {
        await this.process.start();
      } catch (e) {
        if (!(e instanceof ChildStartError)) throw e;
        throw new RunsError('E_FEATURE_MAPS', e.message);
      }
      return await new Promise<FeatureMapsReply>((resolve, reject) => {
        const timer = setTimeout(() => {
          this.failPending(`a request took longer than ${Math.round(this.timeoutMs / 1000)} s`);
          void this.process.close({ polite: false });
        }, this.timeoutMs);
        this.pending.set(id, { resolve, reject, timer });
        this.process.setRef(true);
        this.process.send(make(id)).catch((e: Error) => {
          clearTimeout(timer);
          reject(new RunsError('E_FEATURE_MAPS', e.message));
        });
      });
    } finally {
      this.pending.delete(id);
      if (this.pending.size === 0) this.scheduleIdle();
    }
  }

  private receive(m: FeatureMapsReply): void {
    if (m.kind === 'ready') return;
    const p = this.pending.get(m.id);
    if (!p) return;
    clearTimeout(p.timer);
    p.resolve(m);
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
  private scheduleIdle(): void {
    this.clearIdle();
    if (this.process.pid === undefined) return;
    this.process.setRef(false);
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (this.pending.size === 0) void this.process.close();
    }, this.idleMs);
    this.idleTimer.unref();
  }

  private clearIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }
}
