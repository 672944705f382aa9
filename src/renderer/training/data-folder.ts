// The data folder, a setting of this machine kept across sessions: what is wrong with it for the
// dataset on show, for the field to mark and for Start to wait on. A folder that lacks the files
// stops Start (training would fail there rather than download); a run that could not get its
// data names the field to set, since a UI user has no --data-dir flag to reach for.
import { DATASET_INFO, type DatasetName } from '../../shared/graph/types.ts';
import { useStore, type Store } from '../store/store.ts';

/** Run failures that choosing a folder with the files fixes. */
const DATA_CODES = new Set(['E_DATA_MISSING', 'E_DATA_DOWNLOAD', 'E_DATA_CHECKSUM']);

type Slice = Pick<Store, 'form' | 'datasetStatus' | 'datasetStatusDir' | 'serverDataDir' | 'run'>;

/**
 * Why the folder Start would use cannot give `dataset`'s files, or null when it can (or when the
 * engine has not answered yet for the folder as typed now).
 */
export function dataFolderBlocker(s: Slice, dataset: DatasetName): string | null {
  const status = s.datasetStatus;
  const dir = s.form.dataDir.trim();
  if (!status || status.dataset !== dataset || s.datasetStatusDir !== dir) return null;
  // Not found and no folder named anywhere: Start downloads the files into the cache.
  if (status.found || (!dir && !s.serverDataDir)) return null;
  const label = DATASET_INFO[dataset].label;
  const where = dir ? `The Data folder (${dir})` : `The server's data folder (${s.serverDataDir})`;
  return `${where} has no ${label} files. Set the Data folder to a folder that holds them${
    dir ? ', or empty it to download them' : ''
  }.`;
}

/**
 * What the Data folder field says: `true` to mark it only (the status line under it says why the
 * folder will not do), a message when the run on show could not get its data, or null.
 */
export function dataFolderMark(s: Slice, dataset: DatasetName): string | true | null {
  if (dataFolderBlocker(s, dataset) !== null) return true;
  const code = s.run?.refused === null ? s.run.view.error?.code : undefined;
  if (code !== undefined && DATA_CODES.has(code))
    return `The last run could not get ${DATASET_INFO[dataset].label}: name a folder here that holds its files.`;
  return null;
}

export const useDataFolderError = (dataset: DatasetName): string | true | null =>
  useStore((s) => dataFolderMark(s, dataset));
