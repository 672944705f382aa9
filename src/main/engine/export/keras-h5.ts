// Writes a Keras HDF5 file as tf.keras 2.15's save_model(..., save_format='h5') lays it out:
// root attributes keras_version, backend, model_config and training_config; group model_weights
// with layer_names and, per layer, weight_names and the datasets <layer>/<layer>/<weight>:0.
// tfjs keeps every weight in Keras's layout (kernels [kh, kw, in, out], Dense [in, out],
// transposed kernels [kh, kw, out, in]), so values are written as they are.
import { basename } from 'node:path';

import {
  modelConfig,
  trainingConfig,
  KERAS_VERSION,
} from '../../../shared/codegen/keras-config.ts';
import { kerasModel, type KerasLayer } from '../../../shared/codegen/keras-layers.ts';
import { checkExport } from '../../../shared/export/index.ts';
import { CodedError } from '../../../shared/errors.ts';
import type * as H5wasm from 'h5wasm/node';

import type { Tf } from '../backend.ts';
import { modelName } from '../compile.ts';
import type { ExportSource } from './source.ts';
import type { ExportWriter } from './writer.ts';

type H5 = typeof H5wasm;
let loaded: Promise<H5> | null = null;

/**
 * h5wasm's Node build, on the host file system (NODERAWFS). Its Emscripten start-up takes a
 * defined `navigator` for a browser, and Node 21+ (and Electron) define one: it is hidden while
 * the module starts, as h5wasm's README advises.
 */
function h5wasm(): Promise<H5> {
  loaded ??= (async () => {
    const nav = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
    if (nav?.configurable)
      Object.defineProperty(globalThis, 'navigator', { value: undefined, configurable: true });
    try {
      const h5 = await import('h5wasm/node');
      await h5.ready;
      return h5;
    } finally {
      if (nav?.configurable) Object.defineProperty(globalThis, 'navigator', nav);
    }
  })();
  return loaded;
}

/** A refusal naming every layer Keras cannot express, as the CLI and the dialog show them. */
export function refuseUnsupported(source: ExportSource, format: 'keras-h5' | 'keras-py'): void {
  const problems = checkExport(source.graph, format);
  if (problems.length)
    throw new CodedError(
      'E_EXPORT_UNSUPPORTED',
      `The network cannot be exported as ${format}: ${problems.map((p) => `${p.layer}: ${p.reason}`).join(' ')} ` +
        'Change those layers, or choose another format.',
    );
}

/** The trained values of a Keras layer's weights, in its order, from the tfjs model. */
async function weightValues(
  model: ExportSource['model'],
  l: KerasLayer,
): Promise<{ name: string; shape: number[]; data: Float32Array }[]> {
  if (!l.weightsFrom) return [];
  const tfLayer = model.getLayer(l.weightsFrom);
  const byName = new Map(tfLayer.weights.map((w) => [w.originalName.split('/').pop()!, w]));
  if (byName.size !== l.weights.length || l.weights.some((w) => !byName.has(w)))
    throw new CodedError(
      'E_INTERNAL',
      `Layer ${l.weightsFrom} of the trained model holds the weights [${[...byName.keys()].join(', ')}], ` +
        `where Keras's ${l.className} holds [${l.weights.join(', ')}]. Report this with the project file.`,
    );
  return Promise.all(
    l.weights.map(async (w) => {
      const v = byName.get(w)!;
      return { name: w, shape: v.shape as number[], data: (await v.read().data()) as Float32Array };
    }),
  );
}

export const kerasH5Writer: ExportWriter = {
  format: 'keras-h5',
  async write(_tf: Tf, source, staged, _options, progress) {
    refuseUnsupported(source, 'keras-h5');
    const keras = kerasModel(source.network);
    const probabilities = source.network.output.spec.producesSoftmax(source.network.output.params);
    const h5 = await h5wasm();
    const f = new h5.File(staged, 'w');
    try {
      const name = modelName(source.graph.name);
      f.create_attribute('keras_version', KERAS_VERSION);
      f.create_attribute('backend', 'tensorflow');
      f.create_attribute('model_config', JSON.stringify(modelConfig(keras, name)));
      f.create_attribute(
        'training_config',
        JSON.stringify(trainingConfig(source.config, probabilities)),
      );
      const weights = f.create_group('model_weights');
      // A Sequential model's layers (what load_weights walks) leave out its InputLayer.
      const layers = keras.sequential ? keras.layers.slice(1) : keras.layers;
      weights.create_attribute(
        'layer_names',
        layers.map((l) => l.name),
      );
      weights.create_attribute('backend', 'tensorflow');
      weights.create_attribute('keras_version', KERAS_VERSION);
      let written = 0;
      for (const [i, l] of layers.entries()) {
        const g = weights.create_group(l.name);
        const values = await weightValues(source.model, l);
        const names = values.map((v) => `${l.name}/${v.name}:0`);
        if (names.length) g.create_attribute('weight_names', names);
        // Keras writes an empty list for a layer without weights; h5py reads it back as [].
        else g.create_attribute('weight_names', [], [0], 'S1');
        written += values.length;
        if (values.length) {
          const inner = g.create_group(l.name);
          for (const v of values)
            inner.create_dataset({
              name: `${v.name}:0`,
              data: v.data,
              shape: v.shape,
              dtype: '<f',
            });
        }
        progress((i + 1) / layers.length, `Wrote ${l.name}`);
      }
      if (written !== source.model.weights.length)
        throw new CodedError(
          'E_INTERNAL',
          `The Keras layers hold ${written} of the trained model's ${source.model.weights.length} weights. Report this with the project file.`,
        );
    } finally {
      f.close();
    }
    return [basename(staged)];
  },
};
