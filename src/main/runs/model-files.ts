// A trained model's folder (a run's model/): model.json and weights.bin in the TF.js layers
// format, which tf.loadLayersModel reads in the browser and in Node. The engine writes it when a
// run ends; the feature-map process and `netforge evaluate` read it.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

import { writeFileAtomic } from './atomic-write.ts';
import { readBytesStrict, readJsonStrict } from './file-readers.ts';
import { MODEL_FILES, modelJsonSchema } from './run-files.ts';

export interface ModelFiles {
  /** model.json: the topology and the weights manifest. */
  topology: string;
  /** weights.bin: every weight, in the manifest's order. */
  weights: string;
}

export function modelFiles(dir: string): ModelFiles {
  return { topology: join(dir, MODEL_FILES.topology), weights: join(dir, MODEL_FILES.weights) };
}

/** What model.json says besides the weights' file name (added here). */
export interface ModelJson {
  format: string;
  generatedBy: string;
  convertedBy: null;
  modelTopology: object;
  weightSpecs: unknown[];
}

/**
 * Writes the model into `dir`: weights.bin first, then model.json, each atomically, so a folder
 * with a model.json has the weights it names.
 */
export async function writeModelFiles(
  dir: string,
  model: ModelJson,
  weights: Uint8Array,
): Promise<void> {
  const files = modelFiles(dir);
  await mkdir(dir, { recursive: true });
  await writeFileAtomic(files.weights, weights);
  const { weightSpecs, ...rest } = model;
  const json = {
    ...rest,
    weightsManifest: [{ paths: [MODEL_FILES.weights], weights: weightSpecs }],
  };
  await writeFileAtomic(files.topology, JSON.stringify(json));
}

/** The model in `dir`; E_NOT_FOUND naming a missing file, E_IO a damaged one. */
export async function readModelFiles(
  dir: string,
): Promise<{ modelTopology: object; weightSpecs: unknown[]; weights: ArrayBuffer }> {
  const files = modelFiles(dir);
  const json = await readJsonStrict(files.topology, modelJsonSchema);
  const bytes = await readBytesStrict(files.weights);
  return {
    modelTopology: json.modelTopology,
    weightSpecs: json.weightsManifest.flatMap((m) => m.weights),
    weights: new Uint8Array(bytes).buffer, // a copy: a Buffer's memory may be pooled
  };
}
