// Reads a model saved by saveTfjsModel (TF.js layers format) from a folder.
import type { Tf } from './backend.ts';
import { registerCustomClasses } from '../../shared/layers/registry.ts';
import { readModelFiles } from '../runs/model-files.ts';

/** The model in `dir` (a RunFolder's modelDir); a missing or damaged file is a CodedError naming it. */
export async function loadTfjsModel(tf: Tf, dir: string): Promise<ReturnType<Tf['model']>> {
  registerCustomClasses(tf); // the layer kinds that build a tfjs class of Netforge's own
  const { modelTopology, weightSpecs, weights } = await readModelFiles(dir);
  const model = await tf.loadLayersModel({
    load: async () => ({ modelTopology, weightSpecs: weightSpecs as never, weightData: weights }),
  });
  return model as ReturnType<Tf['model']>;
}
