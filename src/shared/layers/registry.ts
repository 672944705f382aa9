// The one list of node kinds. Adding a kind = one file + one line here.
import type { AnyLayerSpec, Tf } from './spec.ts';
import { input } from './input.ts';
import { dense } from './dense.ts';
import { conv2d } from './conv2d.ts';
import { conv2dTranspose } from './conv2d-transpose.ts';
import { separableConv2d } from './separable-conv2d.ts';
import { depthwiseConv2d } from './depthwise-conv2d.ts';
import { maxPooling2d } from './max-pooling2d.ts';
import { averagePooling2d } from './average-pooling2d.ts';
import { globalAveragePooling2d } from './global-average-pooling2d.ts';
import { batchNormalization } from './batch-normalization.ts';
import { activationLayer } from './activation.ts';
import { relu } from './relu.ts';
import { flatten } from './flatten.ts';
import { dropout } from './dropout.ts';
import { add } from './add.ts';
import { concatenate } from './concatenate.ts';
import { resnetBasicBlock } from '../blocks/resnet-basic-block.ts';
import { denseBlock } from '../blocks/dense-block.ts';
import { inceptionModule } from '../blocks/inception-module.ts';

export const LAYERS: readonly AnyLayerSpec[] = [
  input,
  dense,
  conv2d,
  conv2dTranspose,
  separableConv2d,
  depthwiseConv2d,
  maxPooling2d,
  averagePooling2d,
  globalAveragePooling2d,
  batchNormalization,
  activationLayer,
  relu,
  flatten,
  dropout,
  add,
  concatenate,
  resnetBasicBlock,
  denseBlock,
  inceptionModule,
];

const byKind = new Map(LAYERS.map((l) => [l.kind, l]));

export function getLayer(kind: string): AnyLayerSpec | undefined {
  return byKind.get(kind);
}

/**
 * Registers every custom tfjs layer class a kind may build (LayerSpec.needsCustomClass), so
 * tf.loadLayersModel can read any model Netforge saved. Idempotent.
 */
export function registerCustomClasses(tf: Tf): void {
  for (const l of LAYERS) l.registerCustomClass?.(tf);
}
