// What the network sees (chapter 10.5): one layer's outputs for one input image, scaled to bytes
// for display. Pure tfjs on a loaded model; feature-maps-process.ts runs it off the server's
// thread, feature-maps-host.ts talks to that process.
import type { SymbolicTensor } from '@tensorflow/tfjs';

import { MAX_FEATURE_CHANNELS, type FeatureMaps } from '../../shared/api.ts';
import type { Tf } from './backend.ts';
import { RunsError } from '../runs/errors.ts';

type Model = ReturnType<Tf['model']>;
type Tensor = ReturnType<Tf['tensor']>;

/** The model's layers with an (h, w, c) output, in model order; the input layer is not one. */
export function spatialLayers(model: Model): FeatureMaps['layers'] {
  const layers: FeatureMaps['layers'] = [];
  for (const layer of model.layers) {
    if (layer.getClassName() === 'InputLayer') continue;
    let shape: unknown;
    try {
      shape = layer.outputShape;
    } catch {
      continue; // a layer used twice has no single output shape (Netforge builds none)
    }
    if (!Array.isArray(shape) || shape.length !== 4) continue;
    const [, h, w, c] = shape as unknown[];
    if (Number.isInteger(h) && Number.isInteger(w) && Number.isInteger(c))
      layers.push({ name: layer.name, shape: [h as number, w as number, c as number] });
  }
  return layers;
}

/**
 * Each of the first `shown` channels of an (h, w, c) activation, channel-major, scaled on its own
 * from its min (0) to its max (255); a constant map is all 0. Non-finite values count as the min.
 */
export function scaleMaps(
  data: ArrayLike<number>,
  [h, w, c]: [number, number, number],
  shown: number,
): { maps: Uint8Array; ranges: [number, number][] } {
  const hw = h * w;
  const maps = new Uint8Array(shown * hw);
  const ranges: [number, number][] = [];
  for (let ch = 0; ch < shown; ch++) {
    let min = Infinity;
    let max = -Infinity;
    for (let p = 0; p < hw; p++) {
      const v = data[p * c + ch]!;
      if (!Number.isFinite(v)) continue;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    if (min > max) min = max = 0; // no finite value at all
    ranges.push([min, max]);
    if (max === min) continue;
    const scale = 255 / (max - min);
    const out = ch * hw;
    for (let p = 0; p < hw; p++) {
      const v = data[p * c + ch]!;
      maps[out + p] = Number.isFinite(v) ? Math.round((v - min) * scale) : 0;
    }
  }
  return { maps, ranges };
}

export interface FeatureMapsInput {
  /** The image, already preprocessed as in training, HWC. */
  pixels: Float32Array;
  shape: [number, number, number];
  /** A name from spatialLayers, or null for the first of them. */
  layer: string | null;
}

export type FeatureMapsResult = Omit<FeatureMaps, 'index' | 'label'>;

/**
 * The chosen layer's feature maps and the model's prediction for one image, in one forward pass
 * (inference mode: dropout off, BatchNorm's moving statistics). Leaves no tensor behind.
 */
export async function computeFeatureMaps(
  tf: Tf,
  model: Model,
  input: FeatureMapsInput,
): Promise<FeatureMapsResult> {
  const layers = spatialLayers(model);
  if (layers.length === 0)
    throw new RunsError(
      'E_NO_FEATURE_MAPS',
      'This network has no layer with an (h, w, c) output (no convolution or pooling layer), so it has no feature maps to show.',
    );
  const chosen = input.layer === null ? layers[0] : layers.find((l) => l.name === input.layer);
  if (!chosen)
    throw new RunsError(
      'E_BAD_REQUEST',
      `The trained model has no layer "${input.layer}" with feature maps. Choose one of: ${layers.map((l) => l.name).join(', ')}.`,
    );
  const target = model.getLayer(chosen.name).output as SymbolicTensor;
  const output = model.outputs[0]!;
  const [activation, prediction] = tf.tidy(() => {
    const x = tf.tensor4d(input.pixels, [1, ...input.shape]);
    return model.execute(x, [target.name, output.name]) as Tensor[];
  });
  try {
    const [h, w, c] = chosen.shape as [number, number, number];
    const shown = Math.min(c, MAX_FEATURE_CHANNELS);
    const { maps, ranges } = scaleMaps(await activation!.data(), [h, w, c], shown);
    const scores = await prediction!.data();
    let predicted = 0;
    for (let k = 1; k < scores.length; k++) if (scores[k]! > scores[predicted]!) predicted = k;
    return {
      layers,
      layer: chosen.name,
      predicted,
      height: h,
      width: w,
      channels: c,
      shown,
      maps: Buffer.from(maps.buffer, maps.byteOffset, maps.byteLength).toString('base64'),
      ranges,
    };
  } finally {
    activation!.dispose();
    prediction!.dispose();
  }
}
