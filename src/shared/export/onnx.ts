// ONNX (opset 13): one .onnx file that ONNX Runtime and every ONNX tool opens
// (writer: engine/export/onnx.ts, one emitter per kind in engine/export/onnx/).
import type { FlatLayer } from '../graph/layers.ts';
import { declareFormat } from './formats.ts';

/**
 * The layer kinds the ONNX writer has an emitter for; its table is typed by this list, so a kind
 * is added to both or to neither. Every value of their parameters is expressible in opset 13
 * (TF 'same' padding as explicit pads, dilations, groups, ConvTranspose output padding, pooling
 * that ignores the padding, every activation), so only a kind missing here is refused.
 */
export const ONNX_KINDS = [
  'input',
  'dense',
  'conv2d',
  'conv2dTranspose',
  'separableConv2d',
  'depthwiseConv2d',
  'maxPooling2d',
  'averagePooling2d',
  'globalAveragePooling2d',
  'batchNormalization',
  'activation',
  'relu',
  'flatten',
  'dropout',
  'add',
  'concatenate',
] as const;
export type OnnxKind = (typeof ONNX_KINDS)[number];

const KINDS: ReadonlySet<string> = new Set(ONNX_KINDS);
export const isOnnxKind = (kind: string): kind is OnnxKind => KINDS.has(kind);

export const onnxFormat = declareFormat({
  id: 'onnx',
  label: 'ONNX (opset 13)',
  output: 'file',
  suggestedName: (model) => `${model}.onnx`,
  opensWith: 'ONNX Runtime (Python, C++, C#, Java, JavaScript), Netron, and converters from ONNX',
  weights: true,
  unsupported: (layer: FlatLayer) =>
    isOnnxKind(layer.kind)
      ? null
      : `the ONNX export has no translation for ${layer.spec.label} layers yet; replace it or choose another format`,
});
