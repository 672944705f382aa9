// Training for the app's windows and browser-mode connections: owns one EngineHost, runs one
// training at a time in the runs folder, and passes every TrainingEvent on to its subscribers
// tagged with the run's id. Reading the runs folder (list, detail, images, feature maps) is the
// run library's (run-library.ts). Plain Node, no electron import (see docs/architecture.md).
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';

import type { GraphDoc } from '../../shared/graph/types.ts';
import {
  type FeatureMaps,
  type RunDetail,
  type RunEntry,
  type RunImages,
  type EventPush,
  type TrainStartResult,
} from '../../shared/api.ts';
import { trainConfigSchema, type TrainConfigInput } from '../../shared/train-config.ts';
import { trainRequestSchema, type TrainRequest } from '../../shared/engine-protocol.ts';
import { type BackendName, type TrainingEvent } from '../../shared/events.ts';
import { preflight } from '../engine/preflight.ts';
import { EngineHost } from '../host/engine-host.ts';
import type { FeatureMapsHost, FeatureMapsHostOptions } from '../host/feature-maps-host.ts';
import { viewOf } from '../runs/run-detail.ts';
import { emptyRunView, reduceRun, type RunView } from '../../shared/run.ts';
import { createRunIn, defaultRunsDir, RunDirWriteError } from '../runs/runs-dir.ts';
import { RunFolder, type RunStart } from '../runs/run-folder.ts';
import { RunLockedError, type HeldLock } from '../runs/run-lock.ts';
import { RunLibrary } from './run-library.ts';
import { continueRequest } from './continue-request.ts';
import { TrainingError, writeError } from './training-error.ts';

// The runs folder's default is the CLI's too: runs-dir.ts.
export { defaultRunsDir, TrainingError };
export type { TrainingErrorCode } from './training-error.ts';

export interface TrainingServiceOptions {
  /** The runs folder (default: defaultRunsDir()). */
  runsDir?: string;
  /** Backend for every run; null (default) lets the engine choose. Tests pin 'wasm'. */
  backend?: BackendName | null;
  /** For tests: another EngineHost. */
  host?: EngineHost;
  /** The engine's download cache (default ~/.cache/netforge/datasets). */
  cacheDir?: string | null;
  /** Where feature maps are computed (the Electron app names the process's source file). */
  featureMaps?: FeatureMapsHostOptions;
  /**
   * This Netforge instance's id in the run locks it takes (default: a random one). Two services
   * in one process (tests) are two instances: each sees the other's runs as running elsewhere.
   */
  instanceId?: string;
}

export interface StartTraining {
  graph: GraphDoc;
  config: TrainConfigInput;
  dataDir?: string | null;
}

type Subscriber = (push: EventPush) => void;

interface CurrentRun {
  runId: string;
  runDir: string;
  /** A continued run: its folder is left as it was until its run-started event. */
  resume: boolean;
  /** Its run-started event has been seen. */
  started: boolean;
  paused: boolean;
  /** Its finished or error event has been seen; the engine may still be tidying up. */
  ended: boolean;
  /**
   * Its events as they were relayed, folded with reduceRun: runs.get answers with this while it
   * is the current run, since the engine appends each event to metrics.jsonl after sending it
   * and the file may lag by an event.
   */
  view: RunView;
  /** The run folder's owner lock, released once the engine is done with the folder. */
  lock: HeldLock;
}

export class TrainingService {
  readonly runsDir: string;
  /** The engine's download cache; null: its default. */
  readonly cacheDir: string | null;
  private readonly host: EngineHost;
  /** The runs folder as the API reads it. */
  readonly runs: RunLibrary;
  private readonly backend: BackendName | null;
  private readonly subscribers = new Set<Subscriber>();
  readonly instanceId: string;
  private current: CurrentRun | null = null;
  private starting = false;
  /** The last run's lock being released (after its engine is done with the folder). */
  private releasing: Promise<void> = Promise.resolve();

  constructor(options: TrainingServiceOptions = {}) {
    this.runsDir = options.runsDir ?? defaultRunsDir();
    this.backend = options.backend ?? null;
    this.cacheDir = options.cacheDir ?? null;
    this.instanceId = options.instanceId ?? randomUUID();
    this.host = options.host ?? new EngineHost();
    this.runs = new RunLibrary({
      runsDir: this.runsDir,
      cacheDir: this.cacheDir,
      instanceId: this.instanceId,
      featureMaps: options.featureMaps,
      active: () => this.activeRun,
      liveView: (runId) => (this.current?.runId === runId ? this.current.view : null),
    });
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
  start(req: StartTraining): Promise<TrainStartResult> {
    return this.exclusively('start again', async () => {
      // The previous run's engine may still be saving after its last event.
      await this.idle();
      const dataDir = req.dataDir || process.env['NETFORGE_DATA_DIR'] || null;
      // A graph or settings that cannot be trained are refused before a run folder exists.
      const config = trainConfigSchema.safeParse(req.config);
      if (!config.success)
        throw new TrainingError(
          'E_BAD_REQUEST',
          `Invalid training settings: ${config.error.issues[0]?.path.join('.')}: ${config.error.issues[0]?.message}.`,
        );
      preflight({ ...req.graph, dataset: config.data.dataset }, config.data);
      const start: RunStart = {
        name: req.graph.name,
        startedAt: new Date().toISOString(),
        dataDir,
      };
      const { runId, runDir, lock } = await this.makeRunDir(start);
      const parsed = trainRequestSchema.safeParse({
        graph: req.graph,
        config: req.config,
        runDir,
        dataDir,
        cacheDir: this.cacheDir,
        backend: this.backend,
      });
      if (!parsed.success) {
        await this.discard(runDir, lock);
        throw new TrainingError(
          'E_BAD_REQUEST',
          `Invalid training request: ${parsed.error.message}`,
        );
      }
      return this.launch(runId, parsed.data, lock);
    });
  }

  /**
   * Continues a run that was stopped, failed or cut short from its last checkpoint, in its own
   * folder and with its own graph, settings and data folder (runs.continue). Its result files
   * stay until the continued run replaces them. E_BUSY while a run is in progress; E_NO_CHECKPOINT
   * when the run kept none; E_IO naming a damaged file of its checkpoint; E_FINISHED for a run
   * that completed.
   */
  continueRun(runId: string): Promise<TrainStartResult> {
    return this.exclusively('continue this one', async () => {
      const entry = await this.runs.require(runId);
      await this.idle();
      // Taken first: another Netforge may be training this run (E_BUSY naming it), and none may
      // start to while it is checked and launched here.
      const lock = await this.lockRun(entry.runId, entry.runDir, 'continue it');
      try {
        // Read again under the lock: another Netforge may have ended the run meanwhile.
        const locked = await this.runs.require(runId);
        return await this.launch(
          runId,
          await continueRequest(locked, { cacheDir: this.cacheDir, backend: this.backend }),
          lock,
        );
      } catch (e) {
        await lock.release();
        throw e;
      }
    });
  }

  /** Until the last run's engine is done with its folder and its lock is released. */
  private async idle(): Promise<void> {
    await this.host.whenIdle();
    await this.releasing;
  }

  /**
   * Takes the owner lock of the run in `runDir` for this instance: E_BUSY naming the other
   * Netforge that trains it, E_DISK_FULL or E_IO if the lock cannot be written.
   */
  private async lockRun(runId: string, runDir: string, then: string): Promise<HeldLock> {
    try {
      return await new RunFolder(runDir).lock(this.instanceId);
    } catch (e) {
      if (e instanceof RunLockedError)
        throw new TrainingError(
          'E_BUSY',
          `Run "${runId}" is ${e.holder}. Stop it there, or wait for it to finish, then ${then}.`,
        );
      throw writeError(e, runDir, `${then} again`);
    }
  }

  /** Removes a run folder this instance just made for a run that did not start. */
  private async discard(runDir: string, lock: HeldLock): Promise<void> {
    await lock.release();
    await rm(runDir, { recursive: true, force: true }).catch(() => undefined);
  }

  /** Runs `fn` unless a run is in progress or starting (E_BUSY, saying what to do to `then`). */
  private async exclusively<T>(then: string, fn: () => Promise<T>): Promise<T> {
    const active = this.activeRun;
    if (this.starting || active)
      throw new TrainingError(
        'E_BUSY',
        `A training run${active ? ` (${active.runId})` : ''} is already in progress; Netforge ` +
          `trains one network at a time. Stop it, or wait for it to finish, then ${then}.`,
      );
    this.starting = true;
    try {
      return await fn();
    } finally {
      this.starting = false;
    }
  }

  /**
   * Makes `runId` the run in progress and hands its request to the engine. A new run's folder
   * goes if the engine cannot be started; `lock` is released either way.
   */
  private async launch(
    runId: string,
    request: TrainRequest,
    lock: HeldLock,
  ): Promise<TrainStartResult> {
    // A continued run goes on from what its folder holds so far.
    const view = request.resume
      ? viewOf(await new RunFolder(request.runDir).readMetrics(), null, true)
      : emptyRunView;
    this.current = {
      runId,
      runDir: request.runDir,
      resume: request.resume,
      started: false,
      paused: false,
      ended: false,
      lock,
      view,
    };
    try {
      await this.host.send({ type: 'train', request });
    } catch (e) {
      this.current = null;
      if (request.resume) await lock.release();
      else await this.discard(request.runDir, lock);
      throw new TrainingError(
        'E_ENGINE',
        `The training engine could not be started: ${(e as Error).message}`,
      );
    }
    return { runId, runDir: request.runDir };
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

  /** The runs in the runs folder, newest first (the run library's). */
  list(): Promise<RunEntry[]> {
    return this.runs.list();
  }

  /** Everything kept of one run (runs.get). */
  get(runId: string): Promise<RunDetail> {
    return this.runs.get(runId);
  }

  /** A run's folder, for work on its files (export). */
  runDirOf(runId: string): Promise<string> {
    return this.runs.runDirOf(runId);
  }

  /** Test images of the run's dataset (runs.images). */
  images(runId: string, indices: number[]): Promise<RunImages> {
    return this.runs.images(runId, indices);
  }

  /** One layer's feature maps for one test image (runs.featureMaps). */
  featureMaps(runId: string, layer: string | null, index: number): Promise<FeatureMaps> {
    return this.runs.featureMaps(runId, layer, index);
  }

  /** The feature-map process (tests check it for leaked tensors). */
  get featureMapsProcess(): FeatureMapsHost {
    return this.runs.featureMapsProcess;
  }

  /**
   * Deletes a run's folder and everything in it (runs.delete). Refused with E_BUSY for the run
   * in progress here or in another Netforge (naming it); E_NOT_FOUND for a folder that is not a
   * run of this runs folder.
   */
  async delete(runId: string): Promise<void> {
    const entry = await this.runs.require(runId);
    if (this.activeRun?.runId === runId)
      throw new TrainingError(
        'E_BUSY',
        `Run "${runId}" is in progress; stop it before deleting it.`,
      );
    // The run that just ended: its engine may still be appending to metrics.jsonl.
    if (this.current?.runId === runId) await this.idle();
    // Held while the folder goes, so that no other Netforge continues the run meanwhile.
    const lock = await this.lockRun(runId, entry.runDir, 'delete it');
    try {
      await rm(entry.runDir, { recursive: true, force: true });
    } catch (e) {
      throw new TrainingError(
        'E_IO',
        `Could not delete ${entry.runDir} (${(e as Error).message}). Part of it may be left; delete it by hand.`,
      );
    } finally {
      await lock.release();
    }
  }

  /** Ends the engine process (a run in progress keeps its last checkpoint) and frees its lock. */
  async close(): Promise<void> {
    this.subscribers.clear();
    await Promise.all([this.host.close(), this.runs.close()]);
    await this.current?.lock.release();
    this.current = null;
  }

  /**
   * Makes the run's folder, locked by this instance, with its netforge-run.json. A folder that
   * cannot be completed is removed: a failed start leaves no empty run folder.
   */
  private async makeRunDir(
    start: RunStart,
  ): Promise<{ runId: string; runDir: string; lock: HeldLock }> {
    try {
      return await createRunIn(this.runsDir, start, this.instanceId);
    } catch (e) {
      if (e instanceof RunDirWriteError) throw writeError(e.cause, e.where, 'start the run again');
      throw e;
    }
  }

  private relay(event: TrainingEvent): void {
    const run = this.current;
    if (!run) return; // nothing of ours is running (e.g. a late event after close())
    if (event.type === 'error' && event.code === 'E_ENGINE_DIED' && (run.started || !run.resume)) {
      // The engine writes error.json for the failures it reports; one that died cannot, so main
      // does, now that no engine is left writing the folder. The event goes out once the file is
      // there, so that whoever sees it finds the run 'failed'. (A continued run that had not
      // started had changed nothing: it stays as it was.)
      void new RunFolder(run.runDir)
        .writeError(event)
        .catch((e: unknown) =>
          console.error(`Netforge: could not write the error of the run in ${run.runDir}:`, e),
        )
        .then(() => this.deliver(run, event));
      return;
    }
    this.deliver(run, event);
  }

  private deliver(run: CurrentRun, event: TrainingEvent): void {
    if (event.type === 'run-started') run.started = true;
    if (event.type === 'status' && event.state !== 'stopping')
      run.paused = event.state === 'paused';
    if ((event.type === 'finished' || event.type === 'error') && !run.ended) {
      run.ended = true;
      // Once the engine is done with the folder (it may still be saving after its last event).
      this.releasing = this.host.whenIdle().then(() => run.lock.release());
    }
    run.view = reduceRun(run.view, event);
    const push: EventPush = { type: 'event', runId: run.runId, event };
    for (const fn of this.subscribers) {
      try {
        fn(push);
      } catch (e) {
        console.error('Netforge: a training event subscriber failed:', e);
      }
    }
  }
}
