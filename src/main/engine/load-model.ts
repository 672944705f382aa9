// Reads a model saved by saveTfjsModel (TF.js layers format) from a folder.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Tf } from './backend.ts';
import { registerCustomClasses } from '../../shared/layers/registry.ts';

export async function loadTfjsModel(tf: Tf, dir: string): Promise<ReturnType<Tf['model']>> {
  registerCustomClasses(tf); // the layer kinds that build a tfjs class of Netforge's own
  const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as {
    modelTopology: object;
    weightsManifest: { paths: string[]; weights: unknown[] }[];
  };
  const bytes = await readFile(join(dir, 'weights.bin'));
  const weightData = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const model = await tf.loadLayersModel({
    load: async () => ({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest.flatMap((m) => m.weights) as never,
      weightData,
    }),
  });
  return model as ReturnType<Tf['model']>;
}
