// The runs folder as the API reads it: the list of runs, one run's detail, its test images and
// its feature maps. It writes nothing; starting, continuing, stopping and deleting runs is the
// training service's (training-service.ts), which tells it which run is in progress.
import { readdir } from 'node:fs/promises';

import {
  runIdSchema,
  type FeatureMaps,
  type RunDetail,
  type RunEntry,
  type RunImages,
} from '../../shared/api.ts';
import type { RunView } from '../../shared/run.ts';
import { FeatureMapsHost, type FeatureMapsHostOptions } from '../host/feature-maps-host.ts';
import { RunsError } from '../runs/errors.ts';
import { readRunDetail } from '../runs/run-detail.ts';
import { readRunEntry } from '../runs/run-entry.ts';
import { RunFolder } from '../runs/run-folder.ts';
import { checkIndex, TestImages } from '../runs/test-images.ts';
import { TrainingError } from './training-error.ts';

/** The run in progress in this process, as the training service sees it. */
export interface LiveRun {
  runId: string;
  runDir: string;
  paused: boolean;
}

export interface RunLibraryOptions {
  runsDir: string;
  /** The engine's download cache; null: its default. */
  cacheDir: string | null;
  /** This Netforge instance's id in run locks (a run it holds is not "running elsewhere"). */
  instanceId: string;
  /** Where feature maps are computed (the Electron app names the process's source file). */
  featureMaps?: FeatureMapsHostOptions;
  /** The run in progress here, if any. */
  active: () => LiveRun | null;
  /**
   * The current run's view as its events were relayed: metrics.jsonl may lag one event behind
   * (the engine appends each event after sending it), so runs.get answers with this instead.
   */
  liveView: (runId: string) => RunView | null;
}

export class RunLibrary {
  readonly runsDir: string;
  private readonly testImages: TestImages;
  private readonly featureMapsHost: FeatureMapsHost;

  constructor(private readonly options: RunLibraryOptions) {
    this.runsDir = options.runsDir;
    this.testImages = new TestImages(options.cacheDir);
    this.featureMapsHost = new FeatureMapsHost(options.featureMaps);
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
  async get(runId: string): Promise<RunDetail> {
    const detail = await readRunDetail(await this.require(runId));
    const view = this.options.liveView(runId);
    return view ? { ...detail, view } : detail;
  }

  /** A run's folder, for work on its files (export); E_NOT_FOUND if there is no such run. */
  async runDirOf(runId: string): Promise<string> {
    return (await this.require(runId)).runDir;
  }

  /** Test images of the run's dataset (runs.images), read from disk, never downloaded. */
  async images(runId: string, indices: number[]): Promise<RunImages> {
    const entry = await this.require(runId);
    const { dataset, dataDir } = await this.runData(entry);
    return this.testImages.images(dataset, dataDir, indices);
  }

  /**
   * One layer's feature maps for one test image, from the run's trained model (runs.featureMaps),
   * computed in a process of its own. E_NO_MODEL until the run has saved its model.
   */
  async featureMaps(runId: string, layer: string | null, index: number): Promise<FeatureMaps> {
    const entry = await this.require(runId);
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

  /** A run of the runs folder, or E_NOT_FOUND saying it may have been moved or deleted. */
  async require(runId: string): Promise<RunEntry> {
    const entry = runIdSchema.safeParse(runId).success ? await this.entry(runId) : null;
    if (!entry)
      throw new RunsError(
        'E_NOT_FOUND',
        `There is no run "${runId}" in ${this.runsDir}: it may have been moved or deleted. The runs list shows the runs that are there.`,
      );
    return entry;
  }

  /** Ends the feature-map process. */
  close(): Promise<void> {
    return this.featureMapsHost.close();
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
    const active = this.options.active();
    return readRunEntry(this.runsDir, runId, {
      active: active?.runId === runId ? active : null,
      instance: this.options.instanceId,
    });
  }
}
