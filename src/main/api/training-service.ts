// Training for the app's windows and browser-mode connections: owns one EngineHost, runs one
// training at a time in the runs folder, and passes every TrainingEvent on to its subscribers
// tagged with the run's id. Plain Node, no electron import (see docs/architecture.md).
import { randomUUID } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';

import { CodedError } from '../../shared/errors.ts';
import type { GraphDoc } from '../../shared/graph/types.ts';
import {
  runIdSchema,
  type FeatureMaps,
  type RunDetail,
  type RunEntry,
  type RunImages,
  type EventPush,
  type TrainStartResult,
} from '../../shared/api.ts';
import {
  trainConfigSchema,
  type TrainConfig,
  type TrainConfigInput,
} from '../../shared/train-config.ts';
import { trainRequestSchema, type TrainRequest } from '../../shared/engine-protocol.ts';
import { type BackendName, type TrainingEvent } from '../../shared/events.ts';
import { preflight } from '../engine/preflight.ts';
import { EngineHost } from '../host/engine-host.ts';
import { CHECKPOINT_UNUSABLE, diskFullError, RunsError } from '../runs/errors.ts';
import { checkCheckpointFiles } from '../runs/checkpoint-files.ts';
import { FeatureMapsHost, type FeatureMapsHostOptions } from '../host/feature-maps-host.ts';
import { readRunDetail, viewOf } from '../runs/run-detail.ts';
import { emptyRunView, reduceRun, type RunView } from '../../shared/run.ts';
import { readRunEntry } from '../runs/run-entry.ts';
import { createRunIn, defaultRunsDir, RunDirWriteError } from '../runs/runs-dir.ts';
import { RunFolder, type RunStart } from '../runs/run-folder.ts';
import { RunLockedError, type HeldLock } from '../runs/run-lock.ts';
import { checkIndex, TestImages } from '../runs/test-images.ts';

// The runs folder's default is the CLI's too: runs-dir.ts.
export { defaultRunsDir };

export type TrainingErrorCode =
  | 'E_BUSY'
  | 'E_NO_RUN'
  | 'E_ENGINE'
  | 'E_IO'
  | 'E_DISK_FULL'
  | 'E_BAD_REQUEST'
  | 'E_FINISHED'
  | 'E_NO_CHECKPOINT';

export class TrainingError extends CodedError {
  constructor(
    override readonly code: TrainingErrorCode,
    message: string,
  ) {
    super(code, message);
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
  private readonly testImages: TestImages;
  private readonly featureMapsHost: FeatureMapsHost;
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
    this.testImages = new TestImages(this.cacheDir);
    this.featureMapsHost = new FeatureMapsHost(options.featureMaps);
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
      const entry = await this.requireEntry(runId);
      await this.idle();
      // Taken first: another Netforge may be training this run (E_BUSY naming it), and none may
      // start to while it is checked and launched here.
      const lock = await this.lockRun(entry.runId, entry.runDir, 'continue it');
      try {
        // Read again under the lock: another Netforge may have ended the run meanwhile.
        const locked = await this.requireEntry(runId);
        return await this.launch(runId, await this.continueRequest(locked), lock);
      } catch (e) {
        await lock.release();
        throw e;
      }
    });
  }

  /** The request that continues `entry`, once its checkpoint's files are checked. */
  private async continueRequest(entry: RunEntry): Promise<TrainRequest> {
    const { runId } = entry;
    if (entry.status === 'completed' || entry.status === 'early-stopped')
      throw new TrainingError(
        'E_FINISHED',
        `Run "${runId}" already trained all its epochs${entry.status === 'early-stopped' ? ' (it stopped early)' : ''}. ` +
          'To train longer, use "Edit and train again" with more epochs.',
      );
    const folder = new RunFolder(entry.runDir);
    const checkpoint = folder.checkpoint('last');
    if (!checkpoint)
      throw new TrainingError(
        'E_NO_CHECKPOINT',
        `Run "${runId}" kept no checkpoint to continue from (one is saved at the end of each ` +
          'epoch and when a run is stopped). Start it again instead.',
      );
    // Every file of the checkpoint, before anything is launched: a damaged one is named and the
    // run stays as it is. (Whether its weights fit the graph, the engine checks before it writes
    // anything.)
    try {
      await checkCheckpointFiles(checkpoint);
    } catch (e) {
      if (!(e instanceof CodedError)) throw e;
      throw new TrainingError(
        'E_IO',
        `Run "${runId}" cannot be continued: ${e.message} ${CHECKPOINT_UNUSABLE}`,
      );
    }
    let graph: GraphDoc;
    let config: TrainConfig;
    try {
      [graph, config] = await Promise.all([folder.loadGraph(), folder.loadConfig()]);
    } catch (e) {
      throw new TrainingError(
        'E_BAD_REQUEST',
        `Run "${runId}" cannot be continued: ${(e as Error).message} Start it again instead.`,
      );
    }
    return trainRequestSchema.parse({
      graph,
      config,
      runDir: entry.runDir,
      dataDir: (await folder.readStart())?.dataDir ?? null,
      cacheDir: this.cacheDir,
      backend: this.backend,
      resume: true,
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
      throw this.writeError(e, runDir, `${then} again`);
    }
  }

  /** A failed write in the runs folder as E_DISK_FULL naming where, or E_IO. */
  private writeError(e: unknown, where: string, then: string): TrainingError {
    const full = diskFullError(e, where, then);
    if (full) return new TrainingError('E_DISK_FULL', full.message);
    return new TrainingError('E_IO', `Could not write in ${where} (${(e as Error).message}).`);
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

  /** Everything kept of one run (runs.get); E_NOT_FOUND if the runs folder has no such run. */
  /** A run's folder, for work on its files (export); E_NOT_FOUND if there is no such run. */
  async runDirOf(runId: string): Promise<string> {
    return (await this.requireEntry(runId)).runDir;
  }

  async get(runId: string): Promise<RunDetail> {
    const detail = await readRunDetail(await this.requireEntry(runId));
    const current = this.current;
    return current?.runId === runId ? { ...detail, view: current.view } : detail;
  }

  /**
   * Deletes a run's folder and everything in it (runs.delete). Refused with E_BUSY for the run
   * in progress here or in another Netforge (naming it); E_NOT_FOUND for a folder that is not a
   * run of this runs folder.
   */
  async delete(runId: string): Promise<void> {
    const entry = await this.requireEntry(runId);
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

  /** Test images of the run's dataset (runs.images), read from disk, never downloaded. */
  async images(runId: string, indices: number[]): Promise<RunImages> {
    const entry = await this.requireEntry(runId);
    const { dataset, dataDir } = await this.runData(entry);
    return this.testImages.images(dataset, dataDir, indices);
  }

  /**
   * One layer's feature maps for one test image, from the run's trained model (runs.featureMaps),
   * computed in a process of its own. E_NO_MODEL until the run has saved its model.
   */
  async featureMaps(runId: string, layer: string | null, index: number): Promise<FeatureMaps> {
    const entry = await this.requireEntry(runId);
    const folder = new RunFolder(entry.runDir);
    const modelDir = folder.modelDir;
    if (!folder.hasModel())
      throw new RunsError(
        'E_NO_MODEL',
        entry.status === 'running' || entry.status === 'paused'
          ? `Run "${runId}" is still training. Feature maps are available once the run has finished (the trained model is saved at the end).`
          : `Run "${runId}" has no trained model in ${modelDir} (${
              entry.status === 'failed'
                ? 'it failed before saving one'
                : entry.status === 'incomplete'
                  ? 'it ended before saving one'
                  : 'its model files are missing'
            }). Feature maps are available once a run has finished and saved its model.`,
      );
    const { dataset, dataDir } = await this.runData(entry);
    const split = await this.testImages.split(dataset, dataDir);
    checkIndex(split, index);
    const [h, w, c] = split.imageShape;
    const size = h * w * c;
    const result = await this.featureMapsHost.run({
      modelDir,
      dataset,
      pixels: Array.from(split.test.images.subarray(index * size, (index + 1) * size)),
      shape: [h, w, c],
      layer,
    });
    return { ...result, index, label: split.test.labels[index]! };
  }

  /** The feature-map process (tests check it for leaked tensors). */
  get featureMapsProcess(): FeatureMapsHost {
    return this.featureMapsHost;
  }

  private async requireEntry(runId: string): Promise<RunEntry> {
    const entry = runIdSchema.safeParse(runId).success ? await this.entry(runId) : null;
    if (!entry)
      throw new RunsError(
        'E_NOT_FOUND',
        `There is no run "${runId}" in ${this.runsDir}: it may have been moved or deleted. The runs list shows the runs that are there.`,
      );
    return entry;
  }

  /** The dataset a run trained on and the data folder it was given. */
  private async runData(entry: RunEntry) {
    const folder = new RunFolder(entry.runDir);
    const config = await folder.readConfig();
    if (!config)
      throw new RunsError(
        'E_NOT_FOUND',
        `Run "${entry.runId}" has no readable ${folder.configFile} yet, so its dataset is unknown` +
          (entry.status === 'running'
            ? ' (it is still loading its data; ask again shortly).'
            : '.'),
      );
    const start = await folder.readStart();
    return { dataset: config.dataset, dataDir: start?.dataDir ?? null };
  }

  private entry(runId: string): Promise<RunEntry | null> {
    const active = this.activeRun;
    return readRunEntry(this.runsDir, runId, {
      active: active?.runId === runId ? active : null,
      instance: this.instanceId,
    });
  }

  /** Ends the engine process (a run in progress keeps its last checkpoint) and frees its lock. */
  async close(): Promise<void> {
    this.subscribers.clear();
    await Promise.all([this.host.close(), this.featureMapsHost.close()]);
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
      if (e instanceof RunDirWriteError)
        throw this.writeError(e.cause, e.where, 'start the run again');
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
