// Under the data folder field: whether the chosen dataset is on disk (and where), or why not:
// Start downloads it into the cache first, unless a named folder lacks the files.
import { useEffect } from 'react';
import { DATASET_INFO, type DatasetName } from '../../shared/graph/types.ts';
import type { DatasetStatus } from '../../shared/api.ts';
import { useHost } from '../host/HostContext.tsx';
import { useStore } from '../store/store.ts';

const SOURCE: Record<NonNullable<DatasetStatus['source']>, string> = {
  folder: 'the data folder',
  env: '$NETFORGE_DATA_DIR',
  cache: 'the download cache',
};

/** Asks the engine about the dataset whenever it or the folder changes (typing is debounced). */
function useDatasetStatus(dataset: DatasetName, dataDir: string): void {
  const { engine } = useHost();
  useEffect(() => {
    if (engine.transport === 'none') return;
    let live = true;
    const { setDatasetStatus } = useStore.getState();
    const timer = setTimeout(() => {
      const dir = dataDir.trim();
      engine.call('datasets.status', { dataset, dataDir: dir || null }).then(
        (status) => live && setDatasetStatus(status, dir),
        () => live && setDatasetStatus(null),
      );
    }, 300);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [engine, dataset, dataDir]);
}

export function DatasetStatusLine({ dataset, dataDir }: { dataset: DatasetName; dataDir: string }) {
  useDatasetStatus(dataset, dataDir);
  const status = useStore((s) => s.datasetStatus);
  const serverDataDir = useStore((s) => s.serverDataDir);
  if (!status || status.dataset !== dataset) return null;
  const label = DATASET_INFO[dataset].label;
  if (status.found)
    return (
      <p className="train-field wide train-dataset-status muted" data-testid="train-dataset-status">
        {label} found in {SOURCE[status.source ?? 'cache']} ({status.path}).
        {status.notes.length > 0 && ` ${status.notes.join(' ')}`}
      </p>
    );
  // Not found: the engine's message says why and what Start will do (download into the cache,
  // or fail because the named folder lacks the files).
  // Red when a named folder lacks the files (training would fail); a download is no fault.
  const named = dataDir.trim() !== '' || serverDataDir !== null;
  return (
    <p
      className={`train-field wide train-dataset-status${named ? ' warn' : ' muted'}`}
      data-testid="train-dataset-status"
      data-missing="true"
    >
      {status.message ?? `${label} is not on disk.`}
    </p>
  );
}
