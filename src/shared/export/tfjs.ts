// The TF.js layers format: model.json + weights.bin that stock @tensorflow/tfjs loads with
// tf.loadLayersModel, with no Netforge class registered (writer: engine/export/tfjs.ts).
import type { FlatLayer } from '../graph/layers.ts';
import { declareFormat } from './formats.ts';

/**
 * The kinds whose Netforge-only tfjs classes the writer replaces by stock layers that compute
 * the same: Conv2DTranspose with output padding or a requested size becomes a stock
 * Conv2DTranspose ('valid', after one row and column of zeros where the size needs them) cropped
 * to the size; SeparableConv2D with a depth multiplier is saved as the stock SeparableConv2D
 * with the multiplier its config left out (tensorflow/tfjs#6083).
 */
export const TFJS_STANDARD_EQUIVALENT: ReadonlySet<string> = new Set([
  'conv2dTranspose',
  'separableConv2d',
]);

export const tfjsFormat = declareFormat({
  id: 'tfjs',
  label: 'TensorFlow.js (layers model)',
  output: 'folder',
  suggestedName: (model) => `${model}-tfjs`,
  opensWith: 'TensorFlow.js: tf.loadLayersModel in the browser or Node, no Netforge code needed',
  weights: true,
  unsupported: (layer: FlatLayer) =>
    layer.spec.needsCustomClass(layer.params) && !TFJS_STANDARD_EQUIVALENT.has(layer.kind)
      ? `${layer.spec.label} with these settings needs a layer class of Netforge's own, which stock TensorFlow.js cannot load; change its settings or choose another format`
      : null,
});
