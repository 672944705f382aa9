// The Keras table (codegen/keras-layers.ts) without Python: every Netforge kind has Keras
// layers, every template exports, Sequential exactly for plain chains, full Keras configs, and
// Conv2DTranspose sizes that Keras's own output-size rule reproduces for every Netforge setting.
import { describe, expect, it } from 'vitest';

import {
  KERAS_DEFAULTS,
  layerConfig,
  modelConfig,
  trainingConfig,
} from '../../src/shared/codegen/keras-config.ts';
import {
  kerasModel,
  kerasUnsupported,
  transposeOutputPadding,
} from '../../src/shared/codegen/keras-layers.ts';
import { checkExport, formatInfo } from '../../src/shared/export/index.ts';
import { flattenNetwork, type FlatLayer } from '../../src/shared/graph/layers.ts';
import { conv2dTranspose } from '../../src/shared/layers/conv2d-transpose.ts';
import { LAYERS } from '../../src/shared/layers/registry.ts';
import { resolveParams } from '../../src/shared/layers/resolve.ts';
import { TEMPLATES } from '../../src/shared/templates/index.ts';
import { trainConfigSchema } from '../../src/shared/train-config.ts';

const flat = (
  spec: FlatLayer['spec'],
  params: Record<string, unknown>,
  input: number[],
): FlatLayer => {
  const { values, errors } = resolveParams(spec, params);
  if (errors.length) throw new Error(errors.join('; '));
  return {
    name: 'x',
    kind: spec.kind,
    spec,
    params: values,
    inputs: ['in'],
    inputShapes: [input],
    outputShape: spec.outputShape([input], values),
    nodeId: 'x',
    block: null,
  };
};

describe('Keras layers', () => {
  it('every primitive kind has Keras layers; an unknown kind is refused by name', () => {
    for (const spec of LAYERS.filter((l) => !l.expand))
      expect(
        kerasUnsupported(flat(spec, {}, spec.kind === 'dense' ? [12] : [8, 8, 3])),
        spec.kind,
      ).toBeNull();
    const unknown = {
      ...flat(LAYERS[0]!, {}, [8, 8, 3]),
      kind: 'capsule',
      spec: { ...LAYERS[0]!, label: 'Capsule' },
    };
    expect(kerasUnsupported(unknown)).toMatch(/Capsule \(kind "capsule"\)/);
  });

  it.each(TEMPLATES.map((t) => [t.id, t] as const))(
    '%s: exports, Sequential only when a plain chain',
    (_id, t) => {
      const doc = t.build();
      expect(checkExport(doc, 'keras-h5')).toEqual([]);
      expect(checkExport(doc, 'keras-py')).toEqual([]);
      const net = flattenNetwork(doc);
      const model = kerasModel(net);
      const chain = net.layers.every(
        (l, i) => i === 0 || (l.inputs.length === 1 && l.inputs[0] === net.layers[i - 1]!.name),
      );
      expect(model.sequential).toBe(chain);
      expect(model.layers.map((l) => l.name)).toEqual(net.layers.map((l) => l.name));
      const config = modelConfig(model, t.id) as { class_name: string };
      expect(config.class_name).toBe(chain ? 'Sequential' : 'Functional');
      // Every config carries every argument Keras's get_config() writes.
      for (const l of model.layers) {
        const c = layerConfig(l);
        for (const key of Object.keys(KERAS_DEFAULTS[l.className]!))
          expect(c, `${l.name}.${key}`).toHaveProperty(key);
      }
    },
  );

  it('training_config: the loss takes logits unless the network ends in softmax; the run optimizer', () => {
    const config = trainConfigSchema.parse({
      dataset: 'cifar10',
      optimizer: 'adam',
      learningRate: 1e-4,
    });
    expect(trainingConfig(config, true)).toMatchObject({
      loss: { class_name: 'CategoricalCrossentropy', config: { from_logits: false } },
      metrics: ['accuracy'],
      optimizer_config: { class_name: 'Adam', config: { learning_rate: 1e-4, epsilon: 1e-7 } },
    });
    expect(trainingConfig(config, false)).toMatchObject({
      loss: { config: { from_logits: true } },
    });
  });

  it('declares keras-h5 (with weights) and keras-py (without)', () => {
    expect(formatInfo('keras-h5')).toMatchObject({ output: 'file', weights: true });
    expect(formatInfo('keras-h5').suggestedName('lenet_5')).toBe('lenet_5.h5');
    expect(formatInfo('keras-py')).toMatchObject({ output: 'file', weights: false });
    expect(formatInfo('keras-py').suggestedName('lenet_5')).toBe('lenet_5.py');
  });

  it("Conv2DTranspose: Keras's output_padding makes Netforge's size, or no output_padding can and the layer is refused", () => {
    // keras.utils.conv_utils.deconv_output_length, per axis.
    const keras = (i: number, k: number, s: number, padding: string, a: number | null): number =>
      a === null
        ? padding === 'same'
          ? i * s
          : i * s + Math.max(k - s, 0)
        : (i - 1) * s + k - 2 * (padding === 'same' ? Math.floor(k / 2) : 0) + a;
    let [cases, refused] = [0, 0];
    for (const padding of ['same', 'valid'])
      for (let k = 1; k <= 5; k++)
        for (let s = 1; s <= 3; s++)
          for (const pad of [null, ...Array.from({ length: s }, (_, a) => a)])
            for (const i of [1, 2, 5]) {
              const outputPadding = pad === null ? null : [pad, (pad + 1) % s];
              const kernelSize = [k, k + 1];
              const l = flat(
                conv2dTranspose,
                { filters: 2, kernelSize, strides: [s, s], padding, outputPadding },
                [i, i, 3],
              );
              const size = (a: number[] | null) =>
                [0, 1].map((ax) => keras(i, kernelSize[ax]!, s, padding, a ? a[ax]! : null));
              const want = l.outputShape.slice(0, 2);
              const { padding: a, reason } = transposeOutputPadding(l);
              const what = JSON.stringify(l.params);
              // Every output_padding Keras accepts, and none.
              const choices = [
                null,
                ...Array.from({ length: s * s }, (_, n) => [Math.floor(n / s), n % s]),
              ];
              if (reason) {
                refused++;
                expect(
                  choices.some((c) => JSON.stringify(size(c)) === JSON.stringify(want)),
                  what,
                ).toBe(false);
                expect(kerasUnsupported(l)).toBe(reason);
              } else {
                if (a) expect(Math.max(...a), what).toBeLessThan(s);
                expect(size(a), what).toEqual(want);
              }
              cases++;
            }
    expect(cases).toBeGreaterThan(200);
    expect(refused).toBeGreaterThan(0);
  });

  it('a Conv2DTranspose Keras cannot express is refused by name, with the reason and a way out', () => {
    const l = flat(
      conv2dTranspose,
      { filters: 2, kernelSize: [2, 3], strides: [2, 2], padding: 'same', outputPadding: [1, 0] },
      [5, 5, 3],
    );
    expect(l.outputShape).toEqual([10, 9, 2]);
    expect(kerasUnsupported(l)).toMatch(
      /height 10 from 5 \(kernel 2, stride 2, padding "same"\) would need 2.*odd kernel size, or output sizes 10x10/,
    );
  });
});
