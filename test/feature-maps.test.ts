// Feature maps on untrained models (no training needed): which layers have them (blocks included),
// the channel cap, per-map scaling, networks without any; and the process that computes them for
// the server: it restarts after dying, ends when idle, and reports unreadable models.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { selectBackend, tf } from '../src/main/engine/backend.ts';
import { compileGraph } from '../src/main/engine/compile.ts';
import { saveTfjsModel } from '../src/main/engine/save-model.ts';
import { RunsError } from '../src/main/runs/errors.ts';
import { computeFeatureMaps, scaleMaps, spatialLayers } from '../src/main/engine/feature-maps.ts';
import { FeatureMapsHost } from '../src/main/host/feature-maps-host.ts';
import { GraphBuilder } from '../src/shared/graph/builder.ts';
import { MAX_FEATURE_CHANNELS } from '../src/shared/api.ts';
import { tempDirs } from './engine/fixtures.ts';
import { sleep } from './helpers/training-events.ts';

const dirs = tempDirs('feature-maps');
beforeAll(async () => {
  await selectBackend('wasm');
});
afterAll(() => dirs.cleanup());

/** Input 8x8x1 -> Conv2D `filters` 3x3 (6x6) -> Flatten -> Dense 10. */
function wideConv(filters: number) {
  const g = new GraphBuilder('Wide conv');
  g.chain(g.input([8, 8, 1], 'images'), [
    ['conv2d', { filters, kernelSize: [3, 3] }, 'conv'],
    ['flatten', {}, 'flat'],
    ['dense', { units: 10 }, 'out'],
  ]);
  return compileGraph(tf, g.build());
}

const ramp = (n: number) => Float32Array.from({ length: n }, (_, i) => (i % 7) / 7);

describe('computeFeatureMaps', () => {
  it('sends at most MAX_FEATURE_CHANNELS maps of a wider layer, and says how many there are', async () => {
    const model = wideConv(MAX_FEATURE_CHANNELS + 2);
    try {
      const before = tf.memory().numTensors;
      const r = await computeFeatureMaps(tf, model, {
        pixels: ramp(64),
        shape: [8, 8, 1],
        layer: null,
      });
      expect(tf.memory().numTensors).toBe(before);
      expect(r.layers).toEqual([{ name: 'conv', shape: [6, 6, MAX_FEATURE_CHANNELS + 2] }]);
      expect(r).toMatchObject({
        layer: 'conv',
        height: 6,
        width: 6,
        channels: MAX_FEATURE_CHANNELS + 2,
        shown: MAX_FEATURE_CHANNELS,
      });
      expect(Buffer.from(r.maps, 'base64')).toHaveLength(MAX_FEATURE_CHANNELS * 36);
      expect(r.ranges).toHaveLength(MAX_FEATURE_CHANNELS);
      const scores = (model.predict(tf.tensor4d(ramp(64), [1, 8, 8, 1])) as tf.Tensor).dataSync();
      expect(r.predicted).toBe(scores.indexOf(Math.max(...scores)));
    } finally {
      model.dispose();
    }
  });

  it('scales a constant map to all 0 and keeps its value as the range', async () => {
    const model = wideConv(2);
    try {
      const conv = model.getLayer('conv');
      // Channel 0: zero kernel, bias 0.5 (constant); channel 1: a kernel that sees the ramp.
      const kernel = tf.tensor4d(
        Float32Array.from({ length: 18 }, (_, i) => (i % 2 === 0 ? 0 : 1)),
        [3, 3, 1, 2],
      );
      const bias = tf.tensor1d([0.5, 0]);
      conv.setWeights([kernel, bias]);
      kernel.dispose();
      bias.dispose();
      const r = await computeFeatureMaps(tf, model, {
        pixels: ramp(64),
        shape: [8, 8, 1],
        layer: 'conv',
      });
      const maps = Buffer.from(r.maps, 'base64');
      expect(r.ranges[0]![0]).toBeCloseTo(0.5, 6);
      expect(r.ranges[0]![1]).toBeCloseTo(0.5, 6);
      expect(maps.subarray(0, 36).every((v) => v === 0)).toBe(true);
      const second = maps.subarray(36, 72);
      expect(Math.min(...second)).toBe(0);
      expect(Math.max(...second)).toBe(255);
      expect(r.ranges[1]![1]).toBeGreaterThan(r.ranges[1]![0]);
    } finally {
      model.dispose();
    }
  });

  it('names a block’s layers <block>_<part>, as compiled, in model order', () => {
    const g = new GraphBuilder('Residual');
    g.chain(g.input([8, 8, 3], 'images'), [
      ['conv2d', { filters: 4, kernelSize: [3, 3], padding: 'same' }, 'stem'],
      ['resnetBasicBlock', { filters: 4, stride: 2 }, 'block'],
      ['globalAveragePooling2d', {}, 'gap'],
      ['dense', { units: 10 }, 'out'],
    ]);
    const model = compileGraph(tf, g.build());
    try {
      const layers = spatialLayers(model);
      expect(layers[0]).toEqual({ name: 'stem', shape: [8, 8, 4] });
      expect(layers.map((l) => l.name)).toEqual(
        expect.arrayContaining(['block_conv1', 'block_bn1', 'block_add', 'block_relu2']),
      );
      expect(layers.at(-1)).toEqual({ name: 'block_relu2', shape: [4, 4, 4] });
      expect(layers.some((l) => l.name === 'gap' || l.name === 'images')).toBe(false);
    } finally {
      model.dispose();
    }
  });

  it('refuses a network without spatial layers (an MLP) with E_NO_FEATURE_MAPS, an unknown layer with E_BAD_REQUEST', async () => {
    const g = new GraphBuilder('MLP');
    g.chain(g.input([8, 8, 1], 'images'), [
      ['flatten', {}, 'flat'],
      ['dense', { units: 10 }, 'out'],
    ]);
    const mlp = compileGraph(tf, g.build());
    const conv = wideConv(2);
    try {
      const input = { pixels: ramp(64), shape: [8, 8, 1] as [number, number, number] };
      await expect(computeFeatureMaps(tf, mlp, { ...input, layer: null })).rejects.toMatchObject({
        code: 'E_NO_FEATURE_MAPS',
      });
      const e = await computeFeatureMaps(tf, conv, { ...input, layer: 'flat' }).catch((x) => x);
      expect(e).toBeInstanceOf(RunsError);
      expect(e).toMatchObject({ code: 'E_BAD_REQUEST', message: expect.stringContaining('conv') });
    } finally {
      mlp.dispose();
      conv.dispose();
    }
  });
});

describe('scaleMaps', () => {
  it('scales each channel from its finite min to its max; non-finite values become 0', () => {
    // 2x2, 2 channels, HWC: channel 0 = [NaN, 1, 3, Infinity], channel 1 = [4, 4, 4, 4].
    const data = [NaN, 4, 1, 4, 3, 4, Infinity, 4];
    const { maps, ranges } = scaleMaps(data, [2, 2, 2], 2);
    expect(ranges).toEqual([
      [1, 3],
      [4, 4],
    ]);
    expect([...maps]).toEqual([0, 0, 255, 0, 0, 0, 0, 0]);
    expect(scaleMaps([NaN, NaN], [1, 2, 1], 1).ranges).toEqual([[0, 0]]);
  });
});

describe('FeatureMapsHost', () => {
  let modelDir = '';
  beforeAll(async () => {
    modelDir = join(await dirs.make(), 'model');
    const model = wideConv(3);
    await saveTfjsModel(tf, model, modelDir);
    model.dispose();
  });
  const job = (dir: string) => ({
    modelDir: dir,
    dataset: 'mnist' as const,
    pixels: Array.from({ length: 64 }, (_, i) => (i * 37) % 256),
    shape: [8, 8, 1] as [number, number, number],
    layer: null,
  });

  it('computes in a process of its own, starts a new one after it dies, and ends it when idle', async () => {
    const host = new FeatureMapsHost({ idleMs: 300 });
    try {
      const first = await host.run(job(modelDir));
      expect(first).toMatchObject({ layer: 'conv', channels: 3, height: 6 });
      const pid = host.pid!;
      expect(pid).not.toBe(process.pid);

      process.kill(pid, 'SIGKILL');
      for (let i = 0; i < 100 && host.pid === pid; i++) await sleep(20);
      expect(await host.run(job(modelDir))).toEqual(first);
      expect(host.pid).not.toBe(pid);

      for (let i = 0; i < 100 && host.pid !== undefined; i++) await sleep(50);
      expect(host.pid).toBeUndefined(); // ended after 300 ms without a request
      expect(await host.run(job(modelDir))).toEqual(first);
    } finally {
      await host.close();
    }
    expect(host.pid).toBeUndefined();
  });

  it('reports a missing model as E_NO_MODEL and an unreadable one as E_FEATURE_MAPS', async () => {
    const host = new FeatureMapsHost();
    try {
      const missing = join(await dirs.make(), 'model');
      await expect(host.run(job(missing))).rejects.toMatchObject({ code: 'E_NO_MODEL' });
      const broken = join(await dirs.make(), 'model');
      await mkdir(broken, { recursive: true });
      await writeFile(join(broken, 'model.json'), '{"modelTopology": 1');
      await writeFile(join(broken, 'weights.bin'), '');
      await expect(host.run(job(broken))).rejects.toMatchObject({
        code: 'E_FEATURE_MAPS',
        message: expect.stringContaining(broken),
      });
      // The process survives both and still answers.
      expect((await host.run(job(modelDir))).channels).toBe(3);
    } finally {
      await host.close();
    }
  });
});
