// Loads a tfjs export with stock TensorFlow.js alone (no Netforge module, no registered class)
// and predicts: the proof that the files stand on their own, run in a fresh Node process.
// Usage: node tfjs-load.mjs MODEL_DIR INPUTS.f32 SHAPE_JSON BACKEND OUT.f32
// BACKEND is cpu, or wasm (@tensorflow/tfjs-backend-wasm, TF.js's own WebAssembly kernels:
// ResNet18 on 100 images takes minutes on the plain-JavaScript cpu backend).
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs';

const [dir, inputs, shape, backend, out] = process.argv.slice(2);
if (backend === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} did not start`);

const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
const weightSpecs = json.weightsManifest.flatMap((group) => group.weights);
const shards = [];
for (const group of json.weightsManifest)
  for (const path of group.paths) shards.push(await readFile(join(dir, path)));
const weights = Buffer.concat(shards);
const model = await tf.loadLayersModel(
  tf.io.fromMemory({
    modelTopology: json.modelTopology,
    weightSpecs,
    weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
  }),
);

const bytes = await readFile(inputs);
const x = tf.tensor(
  new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4),
  JSON.parse(shape),
);
const y = model.predict(x, { batchSize: 50 });
const values = await y.data();
await writeFile(out, Buffer.from(values.buffer, values.byteOffset, values.byteLength));
process.stdout.write(JSON.stringify({ classes: model.layers.map((l) => l.getClassName()) }));
