// The Training panel's and the dashboard's state: the form, what the engine says of the
// dataset, the run on show (the live one, or a saved one reopened from the runs list), the runs
// list and the runs overlaid for comparison. The run's own state is a RunView (src/shared/run.ts)
// folded from its events by the one reducer the server also replays (run-feed.ts); the actions
// that talk to the engine are in run-actions.ts, the derived values in training-selectors.ts.
import type { StateCreator } from 'zustand';
import type { DatasetStatus, EnginesStatus, RunEntry } from '../../shared/api.ts';
import type { BatchPoint, EpochPoint } from '../../shared/events.ts';
import type { GraphDoc } from '../../shared/graph/types.ts';
import type { RunView } from '../../shared/run.ts';
import type { TrainConfig } from '../../shared/train-config.ts';
import { initialForm, type TrainForm } from '../training/config.ts';
import { readSetting, writeSetting } from './local-settings.ts';
import { createRunActions, type RunActions } from './run-actions.ts';
import { createRunFeed } from './run-feed.ts';
import type { Store } from './store.ts';

/** The run the dashboard shows: its RunView, and what is not run state. */
export interface ShownRun {
  /** Null while train.start has not answered yet. */
  runId: string | null;
  /** This window follows its events (started here or elsewhere), or it was reopened as saved. */
  source: 'live' | 'saved';
  /** The trained graph's name. */
  name: string;
  /** A reopened run's graph and settings, to edit and train again; null if unknown. */
  graph: GraphDoc | null;
  config: TrainConfig | null;
  /** Everything its events said, folded by reduceRun. */
  view: RunView;
  /** train.start or runs.continue has not answered yet. */
  pending: boolean;
  /** Why the engine refused to start or continue it (the run never went on). */
  refused: string | null;
  /** Why the engine refused a pause, resume or stop. */
  controlError: string | null;
}

/** A run's curves, kept for the comparison chart. */
export interface CompareRun {
  runId: string;
  name: string;
  batches: BatchPoint[];
  epochs: EpochPoint[];
}

export type CompareMetric = 'loss' | 'accuracy' | 'valLoss' | 'valAccuracy';

/** What the centre of the window shows. */
export type Centre = 'canvas' | 'dashboard';

export interface TrainingSlice extends RunActions {
  /** The Training panel is unfolded. */
  trainingOpen: boolean;
  centre: Centre;
  form: TrainForm;
  /** What the engine says of the chosen dataset (null until asked, or without an engine). */
  datasetStatus: DatasetStatus | null;
  /** The data folder (trimmed) `datasetStatus` answers for. */
  datasetStatusDir: string | null;
  /** The data folder the server uses when the field is empty (`netforge serve --data-dir`). */
  serverDataDir: string | null;
  /**
   * Which engines can train here and what Auto picks (engines.status, asked once per page load
   * by attachToRuns); null until it answers, or if it cannot (no engine, an older server).
   */
  enginesStatus: EnginesStatus | null;
  /** Null: no run on show. */
  run: ShownRun | null;
  runs: RunEntry[];
  runsError: string | null;
  /** Run ids overlaid in the comparison chart, in the order they were ticked. */
  compare: string[];
  compareData: Record<string, CompareRun>;
  compareMetric: CompareMetric;
  smoothing: number;

  /** Edits the form; a change to a project's setting (not the data folder) is unsaved work. */
  setForm: (change: Partial<TrainForm>) => void;
  showCentre: (centre: Centre) => void;
  toggleTraining: () => void;
  setCompareMetric: (metric: CompareMetric) => void;
  setSmoothing: (smoothing: number) => void;
  setDatasetStatus: (status: DatasetStatus | null, dataDir?: string) => void;
}

const DATA_DIR_KEY = 'netforge.dataDir';

const rememberedDataDir = (): string =>
  readSetting(DATA_DIR_KEY, (v) => (typeof v === 'string' ? v : null)) ?? '';

export const createTrainingSlice: StateCreator<Store, [], [], TrainingSlice> = (set, get) => {
  // Owned by this store: the engine subscription, events held while a start is answered, and
  // the batch events waiting for the next frame.
  const feed = createRunFeed(set, get);
  return {
    trainingOpen: true,
    centre: 'canvas',
    // The data folder is this machine's, kept across sessions; the rest starts at the defaults.
    form: { ...initialForm, dataDir: rememberedDataDir() },
    datasetStatus: null,
    datasetStatusDir: null,
    serverDataDir: null,
    enginesStatus: null,
    run: null,
    runs: [],
    runsError: null,
    compare: [],
    compareData: {},
    compareMetric: 'loss',
    smoothing: 0.6,
    setForm: (change) =>
      set((s) => {
        const keys = Object.keys(change) as (keyof TrainForm)[];
        const edited = keys.some((k) => k !== 'dataDir' && change[k] !== s.form[k]);
        if (change.dataDir !== undefined && change.dataDir !== s.form.dataDir)
          writeSetting(DATA_DIR_KEY, change.dataDir);
        return { form: { ...s.form, ...change }, ...(edited ? { dirty: true } : {}) };
      }),
    showCentre: (centre) => set({ centre }),
    toggleTraining: () => set((s) => ({ trainingOpen: !s.trainingOpen })),
    setCompareMetric: (compareMetric) => set({ compareMetric }),
    setSmoothing: (smoothing) => set({ smoothing }),
    setDatasetStatus: (datasetStatus, dataDir) =>
      set({ datasetStatus, datasetStatusDir: datasetStatus ? (dataDir ?? '') : null }),
    ...createRunActions(set, get, feed),
  };
};
