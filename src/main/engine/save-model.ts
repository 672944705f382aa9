// Writes a model in the TF.js layers format (model.json + weights.bin), which
// tf.loadLayersModel reads in the browser and in Node.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Tf } from './backend.ts';

type Model = ReturnType<Tf['model']>;

export async function saveTfjsModel(tf: Tf, model: Model, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const data = artifacts.weightData;
      const bytes =
        data instanceof ArrayBuffer
          ? new Uint8Array(data)
          : new Uint8Array(tf.io.concatenateArrayBuffers(data ?? []));
      await writeFile(join(dir, 'weights.bin'), bytes);
      const json = {
        format: 'layers-model',
        generatedBy: `Netforge (TensorFlow.js ${tf.version.tfjs})`,
        convertedBy: null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
      };
      await writeFile(join(dir, 'model.json'), JSON.stringify(json));
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
