// The PyTorch generator's pure parts, without Python: TF's padding as PyTorch arguments, the
// weight layouts, names, and the module it writes for LeNet-5.
import { describe, expect, it } from 'vitest';

import { generatePytorch, pytorchUnsupported } from '../../src/shared/codegen/pytorch.ts';
import { transposePlan } from '../../src/shared/codegen/pytorch/padding.ts';
import { samePads } from '../../src/shared/layers/conv-math.ts';
import { className, Identifiers } from '../../src/shared/codegen/pytorch/python.ts';
import {
  convKernel,
  denseKernel,
  depthwiseKernel,
  toTfjs,
  toTorch,
} from '../../src/shared/codegen/pytorch/weights.ts';
import { flattenNetwork } from '../../src/shared/graph/layers.ts';
import { getTemplate } from '../../src/shared/templates/index.ts';

const iota = (n: number) => Float32Array.from({ length: n }, (_, i) => i);

describe("TF 'same' padding", () => {
  it.each([
    // input, kernel, stride, dilation -> [before, after]: the odd pixel goes after
    [9, 3, 2, 1, [1, 1]],
    [8, 3, 2, 1, [0, 1]],
    [8, 4, 1, 1, [1, 2]],
    [8, 2, 2, 1, [0, 0]],
    [7, 2, 2, 1, [0, 1]],
    [8, 3, 1, 2, [2, 2]],
    [8, 2, 1, 2, [1, 1]],
  ])('in %i, kernel %i, stride %i, dilation %i: %j', (i, k, s, d, pads) => {
    expect(samePads(i, k, s, d)).toEqual(pads);
  });

  it('transposed: crops the odd pixel at the end, pads with output padding', () => {
    // 4 -> 8 with k3 s2 'same': the full result has 9 pixels, TF keeps the first 8.
    expect(transposePlan([4, 4], [3, 3], [2, 2], 'same', [8, 8])).toEqual({
      padding: [0, 0],
      outputPadding: [0, 0],
      crop: true,
    });
    // k4 s2 'same': 10 pixels, TF keeps 8 from 1 on: symmetric.
    expect(transposePlan([4, 4], [4, 4], [2, 2], 'same', [8, 8]).padding).toEqual([1, 1]);
    // 'valid' with k2 < s3: 11 pixels, TF gives 12 (the last is zero plus bias).
    expect(transposePlan([4, 4], [2, 2], [3, 3], 'valid', [12, 12]).outputPadding).toEqual([1, 1]);
  });
});

describe('weight layouts', () => {
  it('conv HWIO -> OIHW and back', () => {
    const e = convKernel('c.weight', 'c', 'kernel', [2, 3, 4, 5]);
    expect(e.shape).toEqual([5, 4, 2, 3]);
    const t = toTorch(e, iota(120));
    // torch[o][i][h][w] = tf[h][w][i][o]
    const at = (o: number, i: number, h: number, w: number) => t[((o * 4 + i) * 2 + h) * 3 + w];
    expect(at(4, 3, 1, 2)).toBe(((1 * 3 + 2) * 4 + 3) * 5 + 4);
    expect(at(1, 2, 0, 1)).toBe(((0 * 3 + 1) * 4 + 2) * 5 + 1);
    expect(Array.from(toTfjs(e, t))).toEqual(Array.from(iota(120)));
  });

  it('depthwise [kh, kw, in, m] -> [in * m, 1, kh, kw], channel c * m + j as TF orders it', () => {
    const e = depthwiseKernel('d.weight', 'd', 'depthwise_kernel', [2, 2, 3, 2]);
    expect(e.shape).toEqual([6, 1, 2, 2]);
    const t = toTorch(e, iota(24));
    const tf = (h: number, w: number, c: number, j: number) => ((h * 2 + w) * 3 + c) * 2 + j;
    for (const [c, j, h, w] of [
      [2, 1, 1, 0],
      [0, 1, 0, 1],
      [1, 0, 1, 1],
    ] as const)
      expect(t[((c * 2 + j) * 2 + h) * 2 + w]).toBe(tf(h, w, c, j));
    expect(Array.from(toTfjs(e, t))).toEqual(Array.from(iota(24)));
  });

  it('dense [in, out] -> [out, in]', () => {
    const e = denseKernel('d.weight', 'd', [3, 2]);
    expect(Array.from(toTorch(e, iota(6)))).toEqual([0, 2, 4, 1, 3, 5]);
  });

  it('refuses values of the wrong size', () => {
    expect(() => toTorch(denseKernel('d.weight', 'd', [3, 2]), iota(5))).toThrow(/has 5 values/);
  });
});

describe('Python names', () => {
  it('makes identifiers that shadow nothing and stay unique', () => {
    const ids = new Identifiers();
    expect(ids.of('conv2d_1')).toBe('conv2d_1');
    expect(ids.of('train')).toBe('train_'); // nn.Module.train would hide a submodule
    expect(ids.of('a.b')).toBe('a_b');
    expect(ids.of('a_b')).toBe('a_b_2');
    expect(ids.of('None')).toBe('None_');
    expect(ids.of('a.b')).toBe('a_b');
  });

  it('makes class names from titles', () => {
    expect(className('LeNet-5')).toBe('LeNet5');
    expect(className('DenseNet (CIFAR-10)')).toBe('DenseNetCIFAR10');
    expect(className('5 layers')).toBe('Net5Layers');
  });
});

describe('generatePytorch', () => {
  it('writes LeNet-5 as an NHWC-in module with NHWC flatten order', () => {
    const doc = getTemplate('lenet5')!.build();
    const gen = generatePytorch(doc);
    expect(gen.className).toBe('LeNet5');
    expect(gen.source).toContain('class LeNet5(nn.Module):');
    expect(gen.source).toContain('self.conv2d = nn.Conv2d(1, 6, 3)');
    expect(gen.source).toContain('x = x.permute(0, 3, 1, 2)');
    expect(gen.source).toContain('x = torch.flatten(x.permute(0, 2, 3, 1), 1)');
    expect(gen.source).toContain('glorot_uniform_(self.dense.weight, 400, 120)');
    expect(gen.source).toContain('Net = LeNet5');
    expect(gen.source).toContain('def make_optimizer(params, name, lr, momentum=0.0):');
    expect(gen.entries.map((e) => e.key)).toEqual(
      ['conv2d', 'conv2d_1', 'dense', 'dense_1', 'dense_2'].flatMap((l) => [
        `${l}.weight`,
        `${l}.bias`,
      ]),
    );
    expect(gen.probabilities).toBe(false);
  });

  it('covers every layer of every template; names what it cannot write', () => {
    const net = flattenNetwork(getTemplate('densenet')!.build());
    for (const l of net.layers) expect(pytorchUnsupported(l), l.name).toBeNull();
    const unknown = {
      ...net.layers[1]!,
      kind: 'capsule',
      spec: { ...net.layers[1]!.spec, label: 'Capsule' },
    };
    expect(pytorchUnsupported(unknown)).toMatch(/no form of Capsule \(capsule\)/);
  });
});
