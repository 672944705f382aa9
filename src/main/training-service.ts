// Training for the app's windows and browser-mode connections: owns one EngineHost, runs one
// training at a time in the runs folder, and passes every TrainingEvent on to its subscribers
// tagged with the run's id. Plain Node, no electron import (see docs/architecture.md).
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

import type { GraphDoc } from '../shared/graph/types.ts';
import {
  runIdSchema,
  trainRequestSchema,
  type BackendName,
  type RunEntry,
  type RunStatus,
  type ServerPush,
  type TrainConfigInput,
  type TrainingEvent,
  type TrainStartResult,
} from '../shared/protocol.ts';
import { EngineHost } from './engine-host/host.ts';

/** Where runs go unless the user names another: $NETFORGE_RUNS_DIR or ~/Netforge/runs. */
export function defaultRunsDir(): string {
  return process.env['NETFORGE_RUNS_DIR'] || join(homedir(), 'Netforge', 'runs');
}

export type TrainingErrorCode = 'E_BUSY' | 'E_NO_RUN' | 'E_ENGINE' | 'E_IO' | 'E_BAD_REQUEST';

export class TrainingError extends Error {
  constructor(
    readonly code: TrainingErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'TrainingError';
  }
}

export interface TrainingServiceOptions {
  /** The runs folder (default: defaultRunsDir()). */
  runsDir?: string;
  /** Backend for every run; null (default) lets the engine choose. Tests pin 'wasm'. */
  backend?: BackendName | null;
  /** For tests: another EngineHost. */
  host?: EngineHost;
}

export interface StartTraining {
  graph: GraphDoc;
  config: TrainConfigInput;
  dataDir?: string | null;
}

type Subscriber = (push: ServerPush) => void;

interface CurrentRun {
  runId: string;
  runDir: string;
  paused: boolean;
  /** Its finished or error event has been seen; the engine may still be tidying up. */
  ended: boolean;
}

/** The file a failed run leaves in its folder, so runs.list can say so later. */
const ERROR_FILE = 'error.json';
/** Written when the folder is made: { name, startedAt }, before the engine writes anything. */
const START_FILE = 'netforge-run.json';

/** `2026-11-26T09-51-05-123Z`: an ISO time that is a valid file name. */
const stampOf = (d: Date) => d.toISOString().replace(/[:.]/g, '-');
const STAMP_RE = /(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})-(\d{3})Z(?:-\d+)?$/;

function slug(name: string): string {
  return (
    name
      .replace(/[^A-Za-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .toLowerCase()
      .slice(0, 60) || 'run'
  );
}

async function readJson(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}

export class TrainingService {
  readonly runsDir: string;
  private readonly host: EngineHost;
  private readonly backend: BackendName | null;
  private readonly subscribers = new Set<Subscriber>();
  private current: CurrentRun | null = null;
  private starting = false;

  constructor(options: TrainingServiceOptions = {}) {
    this.runsDir = options.runsDir ?? defaultRunsDir();
    this.backend = options.backend ?? null;
    this.host = options.host ?? new EngineHost();
    this.host.onEvent((e) => this.relay(e));
  }

  /** Calls `fn` with every event of every run from now on; returns the unsubscribe function. */
  subscribe(fn: Subscriber): () => void {
    this.subscribers.add(fn);
    return () => void this.subscribers.delete(fn);
  }

  /** The run in progress, if any. */
  get activeRun(): { runId: string; runDir: string; paused: boolean } | null {
    const c = this.current;
    return c && !c.ended ? { runId: c.runId, runDir: c.runDir, paused: c.paused } : null;
  }

  /**
   * Starts a run in a new folder `<graph name>-<timestamp>` of the runs folder. Its events can
   * reach subscribers before this resolves. E_BUSY while another run is in progress.
   */
  async start(req: StartTraining): Promise<TrainStartResult> {
    const active = this.activeRun;
    if (this.starting || active)
      throw new TrainingError(
        'E_BUSY',
        `A training run${active ? ` (${active.runId})` : ''} is already in progress; Netforge ` +
          'trains one network at a time. Stop it, or wait for it to finish, then start again.',
      );
    this.starting = true;
    try {
      // The previous run's engine may still be saving after its last event.
      await this.host.whenIdle();
      const startedAt = new Date();
      const { runId, runDir } = await this.makeRunDir(req.graph.name, startedAt);
      const parsed = trainRequestSchema.safeParse({
        graph: req.graph,
        config: req.config,
        runDir,
        dataDir: req.dataDir || process.env['NETFORGE_DATA_DIR'] || null,
        backend: this.backend,
      });
      if (!parsed.success)
        throw new TrainingError(
          'E_BAD_REQUEST',
          `Invalid training request: ${parsed.error.message}`,
        );
      this.current = { runId, runDir, paused: false, ended: false };
      try {
        await this.host.send({ type: 'train', request: parsed.data });
      } catch (e) {
        this.current = null;
        throw new TrainingError(
          'E_ENGINE',
          `The training engine could not be started: ${(e as Error).message}`,
        );
      }
      return { runId, runDir };
    } finally {
      this.starting = false;
    }
  }

  pause(runId: string): Promise<void> {
    return this.command(runId, 'pause');
  }

  resume(runId: string): Promise<void> {
    return this.command(runId, 'resume');
  }

  stop(runId: string): Promise<void> {
    return this.command(runId, 'stop');
  }

  private async command(runId: string, type: 'pause' | 'resume' | 'stop'): Promise<void> {
    const active = this.activeRun;
    if (!active || active.runId !== runId)
      throw new TrainingError(
        'E_NO_RUN',
        `Run "${runId}" is not in progress${active ? ` (the current run is ${active.runId})` : ''}, so it cannot be told to ${type}.`,
      );
    await this.host.send({ type });
  }

  /** The runs in the runs folder, newest first. */
  async list(): Promise<RunEntry[]> {
    let names: string[];
    try {
      names = await readdir(this.runsDir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new TrainingError(
        'E_IO',
        `Could not list the runs in ${this.runsDir} (${(e as Error).message}).`,
      );
    }
    const entries: RunEntry[] = [];
    for (const runId of names) {
      if (!runIdSchema.safeParse(runId).success) continue;
      const entry = await this.entry(runId);
      if (entry) entries.push(entry);
    }
    return entries.sort(
      (a, b) => b.startedAt.localeCompare(a.startedAt) || a.runId.localeCompare(b.runId),
    );
  }

  private async entry(runId: string): Promise<RunEntry | null> {
    const runDir = join(this.runsDir, runId);
    let mtime: Date;
    try {
      const s = await stat(runDir);
      if (!s.isDirectory()) return null;
      mtime = s.mtime;
    } catch {
      return null;
    }
    const active = this.activeRun?.runId === runId ? this.activeRun : null;
    const start = (await readJson(join(runDir, START_FILE))) as
      { name?: unknown; startedAt?: unknown } | undefined;
    // graph.json: a run made by `netforge train --out` in this folder.
    const graph = (await readJson(join(runDir, 'graph.json'))) as { name?: unknown } | undefined;
    if (!start && !graph && !active) return null; // not a run folder
    const result = (await readJson(join(runDir, 'run.json'))) as
      { status?: unknown; testAccuracy?: unknown } | undefined;
    let status: RunStatus;
    if (active) status = active.paused ? 'paused' : 'running';
    else if (
      result?.status === 'completed' ||
      result?.status === 'stopped' ||
      result?.status === 'early-stopped'
    )
      status = result.status;
    else if (existsSync(join(runDir, ERROR_FILE))) status = 'failed';
    else status = 'incomplete';
    const m = STAMP_RE.exec(runId);
    const startedAt =
      typeof start?.startedAt === 'string'
        ? start.startedAt
        : m
          ? `${m[1]}T${m[2]}:${m[3]}:${m[4]}.${m[5]}Z`
          : mtime.toISOString();
    const name = [start?.name, graph?.name].find((n) => typeof n === 'string') as
      string | undefined;
    return {
      runId,
      runDir,
      name: name ?? runId,
      status,
      testAccuracy: typeof result?.testAccuracy === 'number' ? result.testAccuracy : null,
      startedAt,
    };
  }

  /** Ends the engine process (a run in progress keeps its last checkpoint). */
  async close(): Promise<void> {
    this.subscribers.clear();
    await this.host.close();
    this.current = null;
  }

  private async makeRunDir(
    graphName: string,
    startedAt: Date,
  ): Promise<{ runId: string; runDir: string }> {
    const base = `${slug(graphName)}-${stampOf(startedAt)}`;
    try {
      await mkdir(this.runsDir, { recursive: true });
      for (let n = 1; ; n++) {
        const runId = n === 1 ? base : `${base}-${n}`;
        const runDir = join(this.runsDir, runId);
        try {
          await mkdir(runDir);
          await writeFile(
            join(runDir, START_FILE),
            JSON.stringify({ name: graphName, startedAt: startedAt.toISOString() }, null, 1),
          );
          return { runId, runDir };
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || n >= 100) throw e;
        }
      }
    } catch (e) {
      throw new TrainingError(
        'E_IO',
        `Could not make a run folder in ${this.runsDir} (${(e as Error).message}).`,
      );
    }
  }

  private relay(event: TrainingEvent): void {
    const run = this.current;
    if (!run) return; // nothing of ours is running (e.g. a late event after close())
    if (event.type === 'status' && event.state !== 'stopping')
      run.paused = event.state === 'paused';
    if (event.type === 'finished' || event.type === 'error') {
      run.ended = true;
      if (event.type === 'error')
        void writeFile(join(run.runDir, ERROR_FILE), JSON.stringify(event, null, 1)).catch(
          () => undefined,
        );
    }
    const push: ServerPush = { type: 'event', runId: run.runId, event };
    for (const fn of this.subscribers) {
      try {
        fn(push);
      } catch (e) {
        console.error('Netforge: a training event subscriber failed:', e);
      }
    }
  }
}
