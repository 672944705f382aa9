// The Training form marks each bad field on its own (issue 14: lr -0.1, batch 0 and epochs
// "abc" are three marks, not one message under Start), and the data folder stops Start while it
// lacks the dataset.
import { describe, expect, it } from 'vitest';
import type { DatasetStatus } from '../../shared/api.ts';
import { emptyRunView } from '../../shared/run.ts';
import { fieldErrors, formBlocker, initialForm, toConfig, type TrainForm } from './config.ts';
import { runError } from '../store/training-selectors.ts';
import { dataFolderBlocker, dataFolderMark } from './data-folder.ts';

const form = (change: Partial<TrainForm>): TrainForm => ({ ...initialForm, ...change });

describe('marking bad fields', () => {
  it('marks every bad field, each with what it takes', () => {
    const errors = fieldErrors(form({ learningRate: '-0.1', batchSize: '0', epochs: 'abc' }));
    expect(Object.keys(errors)).toEqual(['learningRate', 'batchSize', 'epochs']);
    expect(errors.learningRate).toMatch(/^Learning rate must be a number above 0/);
    expect(errors.batchSize).toMatch(/^Batch size must be a whole number from 1/);
    expect(errors.epochs).toMatch(/^Epochs must be a whole number/);
    expect(formBlocker(errors)).toMatch(/^Fix the 3 marked settings \(Learning rate must/);
  });

  it('marks nothing in a good form, and Start reads it', () => {
    expect(fieldErrors(initialForm)).toEqual({});
    expect(formBlocker({})).toBeNull();
    expect(toConfig(initialForm, 'mnist').ok).toBe(true);
  });

  it('checks only the fields a run reads with the choices made', () => {
    // Momentum is SGD's; the step schedule's fields count only with that schedule; patience only
    // with early stopping; an empty limit means all the images.
    const adam = form({ optimizer: 'adam', momentum: '7', stepEvery: 'x', patience: '-1' });
    expect(fieldErrors(adam)).toEqual({});
    const step = form({ schedule: 'step', stepEvery: 'x', earlyStopping: true, patience: '-1' });
    expect(Object.keys(fieldErrors(step))).toEqual(['stepEvery', 'patience']);
    expect(fieldErrors(form({ limitTrain: '', limitTest: '0' }))).toHaveProperty('limitTest');
  });
});

const status = (found: boolean): DatasetStatus => ({
  dataset: 'mnist',
  found,
  source: found ? 'folder' : null,
  path: found ? '/data' : null,
  downloadBytes: found ? 0 : 11_600_000,
  notes: [],
  message: found ? null : 'No MNIST files in /empty.',
});

const slice = (dataDir: string, st: DatasetStatus | null, serverDataDir: string | null = null) => ({
  form: form({ dataDir }),
  datasetStatus: st,
  datasetStatusDir: st ? dataDir.trim() : null,
  serverDataDir,
  run: null,
});

describe('the data folder and Start', () => {
  it('stops Start while the named folder lacks the files, naming the field', () => {
    const reason = dataFolderBlocker(slice('/empty', status(false)), 'mnist');
    expect(reason).toMatch(/^The Data folder \(\/empty\) has no MNIST files/);
    expect(dataFolderMark(slice('/empty', status(false)), 'mnist')).toBe(true);
  });

  it('lets Start download when no folder is named, and go when the files are there', () => {
    expect(dataFolderBlocker(slice('', status(false)), 'mnist')).toBeNull();
    expect(dataFolderBlocker(slice('/data', status(true)), 'mnist')).toBeNull();
  });

  it("stops Start when the server's own folder (serve --data-dir) lacks them", () => {
    expect(dataFolderBlocker(slice('', status(false), '/srv/data'), 'mnist')).toMatch(
      /server's data folder \(\/srv\/data\)/,
    );
  });

  it('waits for the answer about the folder as typed now', () => {
    const stale = { ...slice('/empty', status(false)), form: form({ dataDir: '/empty2' }) };
    expect(dataFolderBlocker(stale, 'mnist')).toBeNull();
    expect(dataFolderBlocker(slice('/empty', status(false)), 'cifar10')).toBeNull();
  });

  it('marks the field with what to do when a run could not get its data', () => {
    const failed = {
      ...slice('', null),
      run: {
        runId: 'r',
        source: 'live' as const,
        name: 'LeNet-5',
        graph: null,
        config: null,
        view: {
          ...emptyRunView,
          phase: 'error' as const,
          error: { code: 'E_DATA_DOWNLOAD', message: 'fetch failed', checkpoint: null },
        },
        pending: false,
        refused: null,
        controlError: null,
      },
    };
    expect(dataFolderMark(failed, 'mnist')).toMatch(/name a folder here that holds its files/);
    // The engine's message speaks of --data-dir; the app's names the field.
    expect(runError(failed.run)).toBe(
      "fetch failed In the app: set the Training panel's Data folder to a folder holding the files, then Start again.",
    );
  });
});
