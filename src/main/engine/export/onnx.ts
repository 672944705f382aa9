// The ONNX export: one .onnx file (opset 13) holding the network and its weights. The graph's
// input and output are in the model's own layout (NHWC images); inside, image tensors are NCHW
// (onnx/builder.ts). Each kind's nodes come from its emitter (onnx/layers.ts, onnx/conv.ts).
import { writeFile } from 'node:fs/promises';
import { basename } from 'node:path';

import pkg from '../../../../package.json' with { type: 'json' };

import { formatInfo, type Unsupported } from '../../../shared/export/index.ts';
import type { FlatLayer } from '../../../shared/graph/layers.ts';
import { CodedError } from '../../../shared/errors.ts';
import type { Tf } from '../backend.ts';
import { modelName } from '../compile.ts';
import { OnnxGraph, type Value } from './onnx/builder.ts';
import type { Weight } from './onnx/emit.ts';
import { EMITTERS } from './onnx/layers.ts';
import { encodeModel, IR_VERSION, OPSET, DataType, type ValueInfo } from './onnx/proto.ts';
import type { ExportWriter } from './writer.ts';

type Model = ReturnType<Tf['model']>;

export const onnxWriter: ExportWriter = {
  format: 'onnx',
  async write(_tf, source, staged, _options, progress) {
    const { network, graph } = source;
    refuseUnsupported(network.layers);
    const g = new OnnxGraph();
    const inputName = g.unique(network.input.name);
    const values = new Map<string, Value>();
    network.layers.forEach((layer, i) => {
      progress((0.8 * i) / network.layers.length, `Translating ${layer.name}`);
      const xs =
        layer.kind === 'input'
          ? [{ name: inputName, nchw: false }]
          : layer.inputs.map((n) => values.get(n)!);
      const weights = layerWeights(source.model, layer);
      const emit = EMITTERS[layer.kind as keyof typeof EMITTERS];
      values.set(layer.name, emit({ g, layer, xs, weight: (name) => weights.get(name) ?? null }));
    });
    const last = values.get(network.output.name)!;
    // The output in the model's own layout, as the input (NHWC for images).
    const out = last.nchw ? g.toNhwc(last, network.output.name).name : last.name;
    progress(0.85, 'Encoding the ONNX model');
    const bytes = encodeModel({
      irVersion: IR_VERSION,
      producerName: 'Netforge',
      producerVersion: pkg.version,
      modelVersion: 1,
      docString: `${graph.name}, exported by Netforge with ${source.trained ? 'its trained weights' : 'the initial weights of an untrained design'}. Input: ${layout(network.input.outputShape)}.`,
      opsetImport: [{ domain: '', version: OPSET }],
      metadataProps: [
        { key: 'netforge.dataset', value: source.config.dataset },
        { key: 'netforge.trained', value: String(source.trained) },
      ],
      graph: {
        name: modelName(graph.name),
        node: g.nodes,
        initializer: g.initializers,
        input: [valueInfo(inputName, network.input.outputShape)],
        output: [valueInfo(out, network.output.outputShape)],
      },
    });
    progress(0.95, 'Writing the file');
    await writeFile(staged, bytes);
    progress(1, 'Done');
    return [finalName(staged)];
  },
};

/** The name the file gets once staged() renames `.<name>.partial-<tag>` into place. */
const finalName = (staged: string): string =>
  basename(staged).replace(/^\.(.+)\.partial-[^.]+$/, '$1');

const layout = (shape: number[]): string =>
  shape.length === 3 ? `[batch, ${shape.join(', ')}] (NHWC)` : `[batch, ${shape.join(', ')}]`;

/** A float tensor of shape [batch, ...shape]; the batch size is free ("batch"). */
const valueInfo = (name: string, shape: number[]): ValueInfo => ({
  name,
  type: {
    tensorType: {
      elemType: DataType.FLOAT,
      shape: { dim: [{ dimParam: 'batch' }, ...shape.map((d) => ({ dimValue: d }))] },
    },
  },
});

function refuseUnsupported(layers: FlatLayer[]): void {
  const info = formatInfo('onnx');
  const bad: Unsupported[] = [];
  for (const l of layers) {
    const reason = info.unsupported(l);
    if (reason) bad.push({ nodeId: l.nodeId, layer: l.name, reason });
  }
  if (bad.length)
    throw new CodedError(
      'E_EXPORT_UNSUPPORTED',
      `ONNX cannot express ${bad.map((b) => `${b.layer} (${b.reason})`).join('; ')}.`,
    );
}

/**
 * The layer's weights by their tfjs names ('kernel', 'bias', 'moving_mean', ...), copied out of
 * the model. A layer of one node may be built as more than one tfjs layer (a Conv2D's explicit
 * padding is a ZeroPadding2D before it); its weights sit on the layer of its own name.
 */
function layerWeights(model: Model, layer: FlatLayer): Map<string, Weight> {
  const out = new Map<string, Weight>();
  if (layer.kind === 'input') return out;
  const tfLayer = model.getLayer(layer.name);
  for (const v of tfLayer.weights) {
    const name = v.originalName.split('/').pop()!;
    out.set(name, {
      shape: [...v.shape] as number[],
      data: Float32Array.from(v.read().dataSync() as Float32Array),
    });
  }
  return out;
}
