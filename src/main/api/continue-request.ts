// What runs.continue hands the engine: the run's own graph, settings and data folder, from its
// folder, after its checkpoint's files are checked (nothing is launched for a damaged one).
import type { RunEntry } from '../../shared/api.ts';
import { CodedError } from '../../shared/errors.ts';
import type { BackendName } from '../../shared/events.ts';
import { trainRequestSchema, type TrainRequest } from '../../shared/engine-protocol.ts';
import type { GraphDoc } from '../../shared/graph/types.ts';
import type { TrainConfig } from '../../shared/train-config.ts';
import { checkCheckpointFiles } from '../runs/checkpoint-files.ts';
import { CHECKPOINT_UNUSABLE } from '../runs/errors.ts';
import { RunFolder } from '../runs/run-folder.ts';
import { TrainingError } from './training-error.ts';

/**
 * The engine request that continues a stopped, failed or cut-short run from its last checkpoint
 * (runs.continue), once every file of the checkpoint is checked: E_FINISHED for a run that
 * completed, E_NO_CHECKPOINT when it kept none, E_IO naming a damaged file.
 */
export async function continueRequest(
  entry: RunEntry,
  engine: { cacheDir: string | null; backend: BackendName | null },
): Promise<TrainRequest> {
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
    cacheDir: engine.cacheDir,
    backend: engine.backend,
    resume: true,
  });
}
