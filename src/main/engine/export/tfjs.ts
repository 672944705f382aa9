// The tfjs export: the network rebuilt from stock TF.js layers only, the source's weights copied
// in by layer name, and saved as model.json + weights.bin, so that tf.loadLayersModel reads it
// with no Netforge class registered. Kinds whose Netforge class has a stock equivalent are
// listed in shared/export/tfjs.ts (TFJS_STANDARD_EQUIVALENT).
import type * as TF from '@tensorflow/tfjs';

import type { FlatLayer } from '../../../shared/graph/layers.ts';
import type { Pair } from '../../../shared/layers/params.ts';
import type { Apply } from '../../../shared/layers/spec.ts';
import { writeModelFiles } from '../../runs/model-files.ts';
import { MODEL_FILES } from '../../runs/run-files.ts';
import type { Tf } from '../backend.ts';
import { modelName } from '../compile.ts';
import type { ExportSource } from './source.ts';
import type { ExportWriter } from './writer.ts';

type Model = ReturnType<Tf['model']>;

/**
 * Netforge classes whose saved config a stock class reads as it is: NetforgeSeparableConv2D only
 * adds the depth multiplier that tfjs's SeparableConv2D leaves out of its config
 * (tensorflow/tfjs#6083) and that its constructor reads back.
 */
const STOCK_CLASS: Record<string, string> = { NetforgeSeparableConv2D: 'SeparableConv2D' };

export const tfjsWriter: ExportWriter = {
  format: 'tfjs',
  async write(tf, source, staged, _options, progress) {
    progress(0, 'Rebuilding the network from stock TF.js layers');
    const model = stockModel(tf, source);
    try {
      progress(0.4, 'Copying the weights');
      copyWeights(model, source.model);
      progress(0.7, `Writing ${MODEL_FILES.topology} and ${MODEL_FILES.weights}`);
      await model.save(
        tf.io.withSaveHandler(async (artifacts) => {
          const topology = artifacts.modelTopology as Topology;
          toStockClasses(topology);
          const data = artifacts.weightData;
          const bytes = new Uint8Array(
            data instanceof ArrayBuffer ? data : tf.io.concatenateArrayBuffers(data ?? []),
          );
          await writeModelFiles(
            staged,
            {
              format: 'layers-model',
              generatedBy: `Netforge export (TensorFlow.js ${tf.version.tfjs})`,
              convertedBy: null,
              modelTopology: topology,
              weightSpecs: artifacts.weightSpecs ?? [],
            },
            bytes,
          );
          return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
        }),
      );
      progress(1, 'Done');
      return [MODEL_FILES.topology, MODEL_FILES.weights];
    } finally {
      model.dispose();
    }
  },
};

/** The network of `source` built as compile.ts builds it, with stock layers where it differs. */
function stockModel(tf: Tf, source: ExportSource): Model {
  const tensors = new Map<string, TF.SymbolicTensor>();
  let input: TF.SymbolicTensor | undefined;
  for (const l of source.network.layers) {
    if (l.kind === 'input') {
      input = tf.input({ shape: l.outputShape, name: l.name });
      tensors.set(l.name, input);
      continue;
    }
    const apply =
      l.kind === 'conv2dTranspose' && l.spec.needsCustomClass(l.params)
        ? stockTranspose(tf, l)
        : l.spec.build(tf, l.params, { name: l.name });
    tensors.set(l.name, apply(l.inputs.map((name) => tensors.get(name)!)));
  }
  return tf.model({
    inputs: input!,
    outputs: tensors.get(source.network.output.name)!,
    name: modelName(source.graph.name),
  });
}

/**
 * Conv2DTranspose with output padding or a requested size as stock layers. Along each axis the
 * layer's output is the full transposed convolution F (length (i-1)s + k, zero beyond) read from
 * offset `before` for `o` values, plus bias: TF's conv2d_transpose with 'same' padding starts at
 * floor(max((i-1)s + k - o, 0) / 2), with 'valid' at 0. A stock 'valid' Conv2DTranspose gives F
 * plus bias over i*s + max(k-s, 0) values; where `before + o` reaches past that, one more input
 * row of zeros lengthens it by s (the extra values are bias, as in the original); a Cropping2D
 * then keeps [before, before + o). Activations act value by value, so cropping after is exact.
 */
function stockTranspose(tf: Tf, l: FlatLayer): Apply {
  const p = l.params as {
    filters: number;
    kernelSize: Pair;
    strides: Pair;
    padding: 'valid' | 'same';
    activation: string;
    useBias: boolean;
  };
  const plan = [0, 1].map((a) => {
    const [i, o, k, s] = [
      l.inputShapes[0]![a]!,
      l.outputShape[a]!,
      p.kernelSize[a]!,
      p.strides[a]!,
    ];
    const before = p.padding === 'same' ? Math.floor(Math.max((i - 1) * s + k - o, 0) / 2) : 0;
    const stockLength = (rows: number): number => rows * s + Math.max(k - s, 0);
    const extend = before + o > stockLength(i) ? 1 : 0;
    return { extend, crop: [before, stockLength(i + extend) - before - o] as Pair };
  });
  const extend =
    plan[0]!.extend || plan[1]!.extend
      ? tf.layers.zeroPadding2d({
          padding: [
            [0, plan[0]!.extend],
            [0, plan[1]!.extend],
          ],
          name: `${l.name}_extend`,
        })
      : null;
  const conv = tf.layers.conv2dTranspose({
    filters: p.filters,
    kernelSize: p.kernelSize,
    strides: p.strides,
    padding: 'valid',
    activation: p.activation as 'linear',
    useBias: p.useBias,
    name: l.name,
  });
  const crop = tf.layers.cropping2D({
    cropping: [plan[0]!.crop, plan[1]!.crop],
    name: `${l.name}_crop`,
  });
  return (xs) => {
    const x = extend ? (extend.apply(xs[0]!) as TF.SymbolicTensor) : xs[0]!;
    return crop.apply(conv.apply(x)) as TF.SymbolicTensor;
  };
}

/** Every weight of `from` into the layer of the same name in `to` (shapes checked). */
function copyWeights(to: Model, from: Model): void {
  for (const layer of to.layers) {
    if (layer.weights.length === 0) continue;
    const values = from.getLayer(layer.name).getWeights();
    const want = layer.weights.map((w) => w.shape.join('x')).join(', ');
    const got = values.map((v) => v.shape.join('x')).join(', ');
    if (want !== got)
      throw new Error(
        `The tfjs export of layer "${layer.name}" expects weights ${want} but the model has ${got}; export from the run's own model.`,
      );
    layer.setWeights(values);
  }
}

interface Topology {
  config: { layers: { class_name: string; name: string }[] };
}

/** Renames the classes in STOCK_CLASS; any other Netforge class left is a writer's bug. */
function toStockClasses(topology: Topology): void {
  for (const layer of topology.config.layers) {
    const stock = STOCK_CLASS[layer.class_name];
    if (stock) layer.class_name = stock;
    else if (layer.class_name.startsWith('Netforge'))
      throw new Error(
        `Layer "${layer.name}" is a ${layer.class_name}, which stock TensorFlow.js cannot load, and the tfjs export has no stock equivalent for it.`,
      );
  }
}
