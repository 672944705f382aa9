// Writes a model in the TF.js layers format (model.json + weights.bin, runs/model-files.ts),
// which tf.loadLayersModel reads in the browser and in Node.
import type { Tf } from './backend.ts';
import { writeModelFiles } from '../runs/model-files.ts';

type Model = ReturnType<Tf['model']>;

/** Saves `model` into `dir` (a RunFolder's modelDir). */
export async function saveTfjsModel(tf: Tf, model: Model, dir: string): Promise<void> {
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const data = artifacts.weightData;
      const bytes =
        data instanceof ArrayBuffer
          ? new Uint8Array(data)
          : new Uint8Array(tf.io.concatenateArrayBuffers(data ?? []));
      await writeModelFiles(
        dir,
        {
          format: 'layers-model',
          generatedBy: `Netforge (TensorFlow.js ${tf.version.tfjs})`,
          convertedBy: null,
          modelTopology: artifacts.modelTopology ?? {},
          weightSpecs: artifacts.weightSpecs ?? [],
        },
        bytes,
      );
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: 'JSON',
          weightDataBytes: bytes.byteLength,
        },
      };
    }),
  );
}
