// Entry point of the feature-map process (forked by feature-maps-host.ts): takes FeatureMapsJobs
// over IPC and answers each with the maps or a failure, one job at a time. It has a tfjs of its
// own, so neither the server's event loop nor a training in the engine process waits for it; it
// keeps the last run's model loaded while that run is being looked at.
import { stat } from 'node:fs/promises';

import type { BackendName } from '../../shared/events.ts';
import { selectBackend, tf, type Tf } from './backend.ts';
import { normaliser } from './batches.ts';
import { loadTfjsModel } from './load-model.ts';
import { RunsError } from '../runs/errors.ts';
import { modelFiles } from '../runs/model-files.ts';
import { computeFeatureMaps } from './feature-maps.ts';
import type { FeatureMapsRequest, FeatureMapsReply } from '../host/feature-maps-host.ts';
import { isShutdown } from '../host/child-protocol.ts';
import { hostChannel } from '../host/host-channel.ts';

type Model = ReturnType<Tf['model']>;

let loaded: { key: string; modelDir: string; model: Model } | null = null;

const host = hostChannel();
const send = (m: FeatureMapsReply): void => host.send(m);

/** The model in `modelDir`, loaded again only when it is another run's or was saved again. */
async function modelOf(modelDir: string): Promise<Model> {
  let key: string;
  const files = modelFiles(modelDir);
  try {
    const [json, weights] = await Promise.all([stat(files.topology), stat(files.weights)]);
    key = `${modelDir}\0${json.mtimeMs}\0${weights.mtimeMs}\0${weights.size}`;
  } catch {
    throw new RunsError(
      'E_NO_MODEL',
      `There is no trained model in ${modelDir} (model.json and weights.bin). Feature maps are available once the run has finished.`,
    );
  }
  if (loaded?.key === key) return loaded.model;
  loaded?.model.dispose();
  loaded = null;
  try {
    loaded = { key, modelDir, model: await loadTfjsModel(tf, modelDir) };
  } catch (e) {
    throw new RunsError(
      'E_FEATURE_MAPS',
      `The trained model in ${modelDir} could not be loaded (${(e as Error).message}).`,
    );
  }
  return loaded.model;
}

async function handle(m: FeatureMapsRequest): Promise<void> {
  if (m.kind === 'stats') {
    const tensors = tf.memory().numTensors;
    send({ kind: 'stats', id: m.id, tensors, modelDir: loaded?.modelDir ?? null });
    return;
  }
  const { job } = m;
  try {
    const model = await modelOf(job.modelDir);
    const norm = normaliser(job.dataset);
    const pixels = Float32Array.from(job.pixels, (b) => norm(b));
    const result = await computeFeatureMaps(tf, model, {
      pixels,
      shape: job.shape,
      layer: job.layer,
    });
    send({ kind: 'result', id: m.id, result });
  } catch (e) {
    const known = e instanceof RunsError;
    send({
      kind: 'failure',
      id: m.id,
      code: known ? e.code : 'E_FEATURE_MAPS',
      message: known ? e.message : `Computing the feature maps failed: ${(e as Error).message}`,
    });
  }
}

async function main(): Promise<void> {
  const requested = process.argv[2] as BackendName | undefined;
  try {
    await selectBackend(requested ?? 'wasm');
  } catch {
    await selectBackend('cpu');
  }
  let queue = Promise.resolve();
  host.onMessage((m) => {
    // Nothing to save: the host's request to end is answered at once.
    if (isShutdown(m)) process.exit(0);
    queue = queue.then(() => handle(m as FeatureMapsRequest));
  });
  // The host is gone (e.g. the server was killed): nobody will ask for maps again.
  host.onHostGone(() => process.exit(0));
  send({ kind: 'ready', backend: tf.getBackend() });
}

void main();
