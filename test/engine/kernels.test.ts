// The training kernels Netforge adds to tfjs's wasm backend (and its
// replacement Conv2DBackpropInput), checked against tfjs's own 'cpu' kernels
// on seeded random shapes, through tfjs's gradient functions and
// conv2dTranspose, and by training tiny conv nets on wasm without leaking.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { rng } from '../../src/main/engine/random.ts';
import { conv2dFilterGrad } from '../../src/main/engine/kernels/conv-grads.ts';
import {
  registerWasmTrainingKernels,
  wasmKernelOptions,
  type WasmKernelRegistration,
} from '../../src/main/engine/kernels/register-wasm.ts';

const KERNELS = [
  'Conv2DBackpropFilter',
  'DepthwiseConv2dNativeBackpropFilter',
  'DepthwiseConv2dNativeBackpropInput',
];
const REPLACED = [
  'Conv2DBackpropInput',
  'Conv2D',
  'FusedConv2D',
  'DepthwiseConv2dNative',
  'FusedDepthwiseConv2D',
];

// The backend's own kernels, before registerWasmTrainingKernels replaces them.
const originals = new Map(REPLACED.map((name) => [name, { ...tf.getKernel(name, 'wasm')! }]));

type Quad = [number, number, number, number];
type Pair = [number, number];
type Explicit = [Pair, Pair, Pair, Pair];
type Pad = 'valid' | 'same' | number | Explicit;

const EXPLICIT: Explicit = [
  [0, 0],
  [1, 2],
  [2, 1],
  [0, 0],
];

let firstRegistration: WasmKernelRegistration = { added: [], replaced: [] };

beforeAll(async () => {
  firstRegistration = registerWasmTrainingKernels(tf);
  // Start both backends once so switching between them later is cheap.
  expect(await tf.setBackend('cpu')).toBe(true);
  expect(await tf.setBackend('wasm')).toBe(true);
});

class Gen {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = rng(seed);
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)]!;
  }
  /** Uniform in [-1, 1), with about 10% exact zeros (as after a ReLU). */
  values(n: number): Float32Array {
    const v = new Float32Array(n);
    for (let i = 0; i < n; i++) v[i] = this.next() < 0.1 ? 0 : this.next() * 2 - 1;
    return v;
  }
}

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Runs `f` on `backend` and returns copies of the values of what it returns. */
async function on(
  backend: 'cpu' | 'wasm',
  f: () => tf.Tensor | tf.Tensor[],
): Promise<Float32Array[]> {
  expect(await tf.setBackend(backend)).toBe(true);
  const before = tf.memory().numTensors;
  const dataIds = tf.backend().numDataIds();
  const out = tf.tidy(() => {
    const r = f();
    return (Array.isArray(r) ? r : [r]).map((t) => Float32Array.from(t.dataSync()));
  });
  expect(tf.memory().numTensors).toBe(before);
  expect(tf.backend().numDataIds()).toBe(dataIds);
  return out;
}

/** max |a - b| relative to max |b|; throws on a length mismatch or an all-zero reference. */
function relErr(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let maxAbs = 0;
  let maxDiff = 0;
  for (let i = 0; i < b.length; i++) {
    maxAbs = Math.max(maxAbs, Math.abs(b[i]!));
    const d = Math.abs(a[i]! - b[i]!);
    maxDiff = Number.isNaN(d) ? Infinity : Math.max(maxDiff, d);
  }
  expect(maxAbs).toBeGreaterThan(0);
  return maxDiff / maxAbs;
}

function expectClose(got: Float32Array[], want: Float32Array[], what: string): void {
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => expect(relErr(g, want[i]!), `${what} [output ${i}]`).toBeLessThan(1e-4));
}

const runKernel = (name: string, inputs: tf.NamedTensorMap, attrs: object): tf.Tensor =>
  tf.engine().runKernel(name, inputs, attrs as tf.NamedAttrMap) as tf.Tensor;

/**
 * Runs `f` counting the calls of the wasm kernel `name`. The kernels call
 * each other's kernel functions directly, past tfjs's engine, so this wraps
 * the function in the registry entry for the duration.
 */
async function countingCalls<T>(name: string, f: () => Promise<T>): Promise<[T, number]> {
  const config = tf.getKernel(name, 'wasm')!;
  const saved = config.kernelFunc;
  let calls = 0;
  config.kernelFunc = (args) => {
    calls++;
    return saved(args);
  };
  try {
    return [await f(), calls];
  } finally {
    config.kernelFunc = saved;
  }
}

/** Runs `f` with `wasmKernelOptions` changed as given. */
async function withOptions<T>(
  options: Partial<typeof wasmKernelOptions>,
  f: () => Promise<T>,
): Promise<T> {
  const saved = { ...wasmKernelOptions };
  Object.assign(wasmKernelOptions, options);
  try {
    return await f();
  } finally {
    Object.assign(wasmKernelOptions, saved);
  }
}

interface Case {
  xShape: Quad;
  filterShape: Quad;
  strides: Pair;
  dilations: Pair;
  pad: Pad;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  outShape: Quad;
}

const describeCase = (c: Case): string =>
  JSON.stringify({ ...c, outShape: undefined }).replace(/"/g, '');

/**
 * A random conv (or, with `depthwise`, depthwise conv) geometry with a
 * non-empty output. Padding cycles through valid, same, explicit and a number.
 *
 * With `forward`, the case is also safe for tfjs's forward ops on wasm: tfjs
 * 4.22 sizes a numeric pad's output with the filter height and stride height
 * for both dimensions (wrong for asymmetric kernels or strides; on wasm the
 * forward op then writes past its output and corrupts the heap), and XNNPACK
 * ignores `dimRoundingMode`. So numeric pads only on symmetric cases, and no
 * rounding mode.
 */
function randomCase(
  g: Gen,
  i: number,
  opts: { depthwise: boolean; dilated?: boolean; strides?: readonly Pair[]; forward?: boolean },
): Case {
  const strideChoices = opts.strides ?? [
    [1, 1],
    [2, 2],
    [2, 1],
    [1, 2],
  ];
  for (;;) {
    const inC = g.int(1, 5);
    const xShape: Quad = [g.int(1, 3), g.int(5, 11), g.int(5, 11), inC];
    const kH = g.int(1, 5);
    const kW = g.pick([kH, g.int(1, 5)]);
    const last = opts.depthwise ? g.int(1, 3) : g.int(1, 5);
    const filterShape: Quad = [kH, kW, inC, last];
    const strides = g.pick(strideChoices);
    const dilations: Pair = opts.dilated
      ? g.pick<Pair>([
          [2, 2],
          [2, 1],
          [1, 2],
        ])
      : [1, 1];
    const pad: Pad = (['valid', 'same', EXPLICIT, 1] as const)[i % 4]!;
    const symmetric = kH === kW && strides[0] === strides[1] && dilations[0] === dilations[1];
    if (opts.forward && typeof pad === 'number' && !symmetric) continue;
    const c: Case = { xShape, filterShape, strides, dilations, pad, outShape: [0, 0, 0, 0] };
    if (typeof pad === 'number' && !opts.forward)
      c.dimRoundingMode = g.pick(['floor', 'round', 'ceil'] as const);
    const info = tf.backend_util.computeConv2DInfo(
      xShape,
      filterShape,
      strides,
      dilations,
      pad,
      c.dimRoundingMode,
      opts.depthwise,
    );
    if (info.outHeight < 1 || info.outWidth < 1) continue;
    c.outShape = info.outShape as Quad;
    return c;
  }
}

/** Inserts (dilation - 1) zero rows/columns between the taps of a [kH, kW, c, m] filter. */
function dilateFilter(w: Float32Array, shape: Quad, [dH, dW]: Pair): [Float32Array, Quad] {
  const [kH, kW, c, m] = shape;
  const eH = (kH - 1) * dH + 1;
  const eW = (kW - 1) * dW + 1;
  const out = new Float32Array(eH * eW * c * m);
  for (let h = 0; h < kH; h++)
    for (let x = 0; x < kW; x++)
      out.set(
        w.subarray((h * kW + x) * c * m, (h * kW + x + 1) * c * m),
        (h * dH * eW + x * dW) * c * m,
      );
  return [out, [eH, eW, c, m]];
}

/** The taps of a dilated filter, read back out of its zero-inserted form. */
function undilateFilter(e: Float32Array, shape: Quad, [dH, dW]: Pair): Float32Array {
  const [kH, kW, c, m] = shape;
  const eW = (kW - 1) * dW + 1;
  const out = new Float32Array(kH * kW * c * m);
  for (let h = 0; h < kH; h++)
    for (let x = 0; x < kW; x++)
      out.set(
        e.subarray((h * dH * eW + x * dW) * c * m, (h * dH * eW + x * dW + 1) * c * m),
        (h * kW + x) * c * m,
      );
  return out;
}

describe('registerWasmTrainingKernels', () => {
  it('adds the three missing kernels, replaces five, and says which', () => {
    expect([...firstRegistration.added].sort()).toEqual([...KERNELS].sort());
    expect(firstRegistration.replaced).toEqual(REPLACED);
    for (const name of KERNELS) expect(tf.getKernel(name, 'wasm'), name).toBeDefined();
    for (const name of REPLACED) {
      const now = tf.getKernel(name, 'wasm')!;
      expect(now.kernelFunc, name).not.toBe(originals.get(name)!.kernelFunc);
      // The backend's setup for the kernel it had still runs when it starts.
      expect(now.setupFunc, name).toBe(originals.get(name)!.setupFunc);
    }
  });

  it('is idempotent: a second call changes nothing and does not throw', () => {
    const before = tf.getKernelsForBackend('wasm').map((k) => [k.kernelName, k.kernelFunc]);
    expect(registerWasmTrainingKernels(tf)).toEqual({ added: [], replaced: [] });
    expect(registerWasmTrainingKernels(tf)).toEqual({ added: [], replaced: [] });
    const after = tf.getKernelsForBackend('wasm').map((k) => [k.kernelName, k.kernelFunc]);
    expect(after).toEqual(before);
  });
});

describe('wasm kernels against the cpu backend (runKernel)', () => {
  it('Conv2DBackpropFilter', async () => {
    const g = new Gen(1);
    for (let i = 0; i < 48; i++) {
      const c = randomCase(g, i, { depthwise: false });
      const x = g.values(size(c.xShape));
      const dy = g.values(size(c.outShape));
      const run = () =>
        runKernel(
          'Conv2DBackpropFilter',
          { x: tf.tensor4d(x, c.xShape), dy: tf.tensor4d(dy, c.outShape) },
          {
            strides: c.strides,
            pad: c.pad,
            dataFormat: 'NHWC',
            dimRoundingMode: c.dimRoundingMode,
            filterShape: c.filterShape,
          },
        );
      expectClose(await on('wasm', run), await on('cpu', run), describeCase(c));
    }
  });

  it('Conv2DBackpropFilter in small im2col chunks', async () => {
    const g = new Gen(12);
    const saved = wasmKernelOptions.im2colChunkFloats;
    try {
      for (let i = 0; i < 16; i++) {
        const c = randomCase(g, i, { depthwise: false });
        // From one output row per chunk up to a few rows, uneven at the end.
        wasmKernelOptions.im2colChunkFloats = g.pick([1, 100, 400]);
        const x = g.values(size(c.xShape));
        const dy = g.values(size(c.outShape));
        const run = () =>
          runKernel(
            'Conv2DBackpropFilter',
            { x: tf.tensor4d(x, c.xShape), dy: tf.tensor4d(dy, c.outShape) },
            {
              strides: c.strides,
              pad: c.pad,
              dataFormat: 'NHWC',
              dimRoundingMode: c.dimRoundingMode,
              filterShape: c.filterShape,
            },
          );
        const what = `${describeCase(c)} chunk ${wasmKernelOptions.im2colChunkFloats}`;
        expectClose(await on('wasm', run), await on('cpu', run), what);
      }
    } finally {
      wasmKernelOptions.im2colChunkFloats = saved;
    }
  });

  it('conv2dFilterGrad, the plain-loop fallback', async () => {
    const g = new Gen(13);
    for (let i = 0; i < 24; i++) {
      const c = randomCase(g, i, { depthwise: false });
      const x = g.values(size(c.xShape));
      const dy = g.values(size(c.outShape));
      const info = tf.backend_util.computeConv2DInfo(
        c.xShape,
        c.filterShape,
        c.strides,
        1,
        c.pad,
        c.dimRoundingMode,
      );
      const got = conv2dFilterGrad(
        x,
        dy,
        {
          batch: info.batchSize,
          inH: info.inHeight,
          inW: info.inWidth,
          inC: info.inChannels,
          outH: info.outHeight,
          outW: info.outWidth,
          kH: info.filterHeight,
          kW: info.filterWidth,
          strideH: info.strideHeight,
          strideW: info.strideWidth,
          dilationH: 1,
          dilationW: 1,
          padTop: info.padInfo.top,
          padLeft: info.padInfo.left,
        },
        c.filterShape[3],
      );
      const want = await on('cpu', () =>
        runKernel(
          'Conv2DBackpropFilter',
          { x: tf.tensor4d(x, c.xShape), dy: tf.tensor4d(dy, c.outShape) },
          {
            strides: c.strides,
            pad: c.pad,
            dataFormat: 'NHWC',
            dimRoundingMode: c.dimRoundingMode,
            filterShape: c.filterShape,
          },
        ),
      );
      expectClose([got], want, describeCase(c));
    }
  });

  const backpropInput = (c: Case, dy: Float32Array, w: Float32Array) => () =>
    runKernel(
      'Conv2DBackpropInput',
      { dy: tf.tensor4d(dy, c.outShape), filter: tf.tensor4d(w, c.filterShape) },
      {
        strides: c.strides,
        pad: c.pad,
        dataFormat: 'NHWC',
        dimRoundingMode: c.dimRoundingMode,
        inputShape: c.xShape,
      },
    );

  it('Conv2DBackpropInput as XNNPACK convolutions, one per stride phase', async () => {
    const g = new Gen(14);
    let convs = 0;
    for (let i = 0; i < 48; i++) {
      const c = randomCase(g, i, { depthwise: false });
      const w = g.values(size(c.filterShape));
      const dy = g.values(size(c.outShape));
      const run = backpropInput(c, dy, w);
      const [got, calls] = await countingCalls('Conv2D', () => on('wasm', run));
      expectClose(got, await on('cpu', run), describeCase(c));
      // One convolution per stride phase that some filter tap reaches.
      expect(calls, describeCase(c)).toBeGreaterThanOrEqual(1);
      expect(calls, describeCase(c)).toBeLessThanOrEqual(c.strides[0] * c.strides[1]);
      convs += calls;
    }
    expect(convs).toBeGreaterThan(48);
  });

  it('Conv2DBackpropInput with larger channel counts and strides up to 3', async () => {
    const g = new Gen(15);
    for (let i = 0; i < 12; i++) {
      const inC = g.pick([16, 24, 33]);
      const outC = g.pick([8, 17, 32]);
      const k = g.int(1, 4);
      const c: Case = {
        xShape: [2, g.int(6, 13), g.int(6, 13), inC],
        filterShape: [k, g.pick([k, g.int(1, 4)]), inC, outC],
        strides: g.pick<Pair>([
          [1, 1],
          [2, 2],
          [3, 3],
          [3, 1],
        ]),
        dilations: [1, 1],
        pad: i % 2 === 0 ? 'same' : 'valid',
        outShape: [0, 0, 0, 0],
      };
      const info = tf.backend_util.computeConv2DInfo(c.xShape, c.filterShape, c.strides, 1, c.pad);
      if (info.outHeight < 1 || info.outWidth < 1) continue;
      c.outShape = info.outShape as Quad;
      const run = backpropInput(c, g.values(size(c.outShape)), g.values(size(c.filterShape)));
      expectClose(await on('wasm', run), await on('cpu', run), describeCase(c));
    }
  });

  it('Conv2DBackpropInput as matrix multiply and col2im, in chunks', async () => {
    const g = new Gen(16);
    for (let i = 0; i < 32; i++) {
      const c = randomCase(g, i, { depthwise: false });
      const w = g.values(size(c.filterShape));
      const dy = g.values(size(c.outShape));
      // From one output row per chunk up to all of them in one.
      const im2colChunkFloats = g.pick([1, 100, 400, 1 << 22]);
      const run = backpropInput(c, dy, w);
      const [got, calls] = await countingCalls('BatchMatMul', () =>
        withOptions({ conv2dInputGrad: 'gemm', im2colChunkFloats }, () => on('wasm', run)),
      );
      expect(calls).toBeGreaterThanOrEqual(1);
      expectClose(got, await on('cpu', run), `${describeCase(c)} chunk ${im2colChunkFloats}`);
    }
  });

  it("Conv2DBackpropInput in NCHW runs the backend's own kernel", async () => {
    const g = new Gen(17);
    const dy = g.values(2 * 4 * 5 * 3);
    const w = g.values(3 * 3 * 2 * 4);
    const run = () =>
      runKernel(
        'Conv2DBackpropInput',
        { dy: tf.tensor4d(dy, [2, 4, 5, 3]), filter: tf.tensor4d(w, [3, 3, 2, 4]) },
        { strides: [2, 1], pad: 'same', dataFormat: 'NCHW', inputShape: [2, 2, 9, 3] },
      );
    expectClose(await on('wasm', run), await on('cpu', run), 'NCHW');
  });

  it('Conv2DBackpropInput leaves the wasm heap as it found it', async () => {
    expect(await tf.setBackend('wasm')).toBe(true);
    const heap = () =>
      (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.byteLength;
    const dy = tf.randomNormal([2, 8, 8, 256]);
    const w = tf.randomNormal([3, 3, 256, 256]);
    const call = (strides: Pair) =>
      tf.dispose(
        runKernel(
          'Conv2DBackpropInput',
          { dy, filter: w },
          { strides, pad: 'same', dataFormat: 'NHWC', inputShape: [2, 8 * strides[0], 8, 256] },
        ),
      );
    call([2, 1]);
    call([1, 1]);
    const before = {
      heap: heap(),
      ids: tf.backend().numDataIds(),
      tensors: tf.memory().numTensors,
    };
    // Each call packs the filter into new XNNPACK operators (2.4 MB a phase):
    // were they kept, the heap would have to grow.
    for (let i = 0; i < 20; i++) call(i % 2 === 0 ? [2, 1] : [1, 1]);
    expect({
      heap: heap(),
      ids: tf.backend().numDataIds(),
      tensors: tf.memory().numTensors,
    }).toEqual(before);
    tf.dispose([dy, w]);
  });

  it('DepthwiseConv2dNativeBackpropFilter', async () => {
    const g = new Gen(2);
    for (let i = 0; i < 48; i++) {
      const c = randomCase(g, i, { depthwise: true });
      const x = g.values(size(c.xShape));
      const dy = g.values(size(c.outShape));
      const run = () =>
        runKernel(
          'DepthwiseConv2dNativeBackpropFilter',
          { x: tf.tensor4d(x, c.xShape), dy: tf.tensor4d(dy, c.outShape) },
          {
            strides: c.strides,
            pad: c.pad,
            dilations: c.dilations,
            dimRoundingMode: c.dimRoundingMode,
            filterShape: c.filterShape,
          },
        );
      expectClose(await on('wasm', run), await on('cpu', run), describeCase(c));
    }
  });

  for (const method of ['conv', 'loop'] as const)
    it(`DepthwiseConv2dNativeBackpropInput (${method})`, async () => {
      const g = new Gen(3);
      let convs = 0;
      for (let i = 0; i < 48; i++) {
        const c = randomCase(g, i, { depthwise: true });
        const w = g.values(size(c.filterShape));
        const dy = g.values(size(c.outShape));
        const run = () =>
          runKernel(
            'DepthwiseConv2dNativeBackpropInput',
            { dy: tf.tensor4d(dy, c.outShape), filter: tf.tensor4d(w, c.filterShape) },
            {
              strides: c.strides,
              pad: c.pad,
              dilations: c.dilations,
              dimRoundingMode: c.dimRoundingMode,
              inputShape: c.xShape,
            },
          );
        const [got, calls] = await countingCalls('DepthwiseConv2dNative', () =>
          withOptions({ depthwiseInputGrad: method }, () => on('wasm', run)),
        );
        expectClose(got, await on('cpu', run), describeCase(c));
        if (method === 'loop') expect(calls).toBe(0);
        else expect(calls, describeCase(c)).toBeGreaterThanOrEqual(1);
        convs += calls;
      }
      if (method === 'conv') expect(convs).toBeGreaterThan(48);
    });
});

describe("wasm kernels follow dy's shape", () => {
  // conv2d's gradient drops `dimRoundingMode`, so a 'ceil' forward pass hands
  // the backprop kernel a dy wider than its attributes describe. The kernels
  // size the output from dy; the cpu kernel told the rounding mode is the reference.
  const xShape: Quad = [2, 10, 9, 3];
  const filterShape: Quad = [4, 4, 3, 2];
  const base = { strides: [2, 2], pad: 1, dilations: [1, 1] };
  const dyShape = (depthwise: boolean): Quad =>
    tf.backend_util.computeConv2DInfo(xShape, filterShape, [2, 2], 1, 1, 'ceil', depthwise)
      .outShape as Quad;

  it('sees a dy that differs from what trunc rounding gives', () => {
    const trunc = tf.backend_util.computeConv2DInfo(xShape, filterShape, [2, 2], 1, 1);
    expect(trunc.outShape).not.toEqual(dyShape(false));
  });

  for (const [name, depthwise] of [
    ['Conv2DBackpropFilter', false],
    ['Conv2DBackpropInput', false],
    ['DepthwiseConv2dNativeBackpropFilter', true],
    ['DepthwiseConv2dNativeBackpropInput', true],
  ] as const) {
    it(name, async () => {
      const g = new Gen(10);
      const outShape = dyShape(depthwise);
      const dy = g.values(size(outShape));
      const other = name.endsWith('Input') ? g.values(size(filterShape)) : g.values(size(xShape));
      const run = (dimRoundingMode?: 'ceil') => () =>
        runKernel(
          name,
          name.endsWith('Input')
            ? { dy: tf.tensor4d(dy, outShape), filter: tf.tensor4d(other, filterShape) }
            : { x: tf.tensor4d(other, xShape), dy: tf.tensor4d(dy, outShape) },
          { ...base, dimRoundingMode, filterShape, inputShape: xShape, dataFormat: 'NHWC' },
        );
      expectClose(await on('wasm', run()), await on('cpu', run('ceil')), name);
    });
  }

  it('rejects a dy whose batch or channels do not fit', async () => {
    await tf.setBackend('wasm');
    const bad = () =>
      tf.tidy(() =>
        runKernel(
          'Conv2DBackpropFilter',
          { x: tf.zeros(xShape), dy: tf.zeros([2, 5, 4, 3]) },
          { ...base, filterShape, dataFormat: 'NHWC' },
        ),
      );
    expect(bad).toThrow(/dy has shape \[2, 5, 4, 3\]/);
  });
});

// tfjs's cpu depthwise backprop kernels ignore `dilations` (and tfjs's
// gradient refuses dilation > 1), so a dilated kernel is compared with the
// cpu kernel run on the equivalent zero-inserted, undilated filter.
describe('dilated depthwise backprop on wasm', () => {
  it('DepthwiseConv2dNativeBackpropFilter with dilation', async () => {
    const g = new Gen(4);
    for (let i = 0; i < 24; i++) {
      const c = randomCase(g, i, { depthwise: true, dilated: true });
      const x = g.values(size(c.xShape));
      const dy = g.values(size(c.outShape));
      const [, wideShape] = dilateFilter(
        new Float32Array(size(c.filterShape)),
        c.filterShape,
        c.dilations,
      );
      const attrs = { strides: c.strides, pad: c.pad, dimRoundingMode: c.dimRoundingMode };
      const inputs = () => ({ x: tf.tensor4d(x, c.xShape), dy: tf.tensor4d(dy, c.outShape) });
      const got = await on('wasm', () =>
        runKernel('DepthwiseConv2dNativeBackpropFilter', inputs(), {
          ...attrs,
          dilations: c.dilations,
          filterShape: c.filterShape,
        }),
      );
      const [wide] = await on('cpu', () =>
        runKernel('DepthwiseConv2dNativeBackpropFilter', inputs(), {
          ...attrs,
          dilations: [1, 1],
          filterShape: wideShape,
        }),
      );
      expectClose(got, [undilateFilter(wide!, c.filterShape, c.dilations)], describeCase(c));
    }
  });

  it('DepthwiseConv2dNativeBackpropInput with dilation', async () => {
    const g = new Gen(5);
    for (let i = 0; i < 24; i++) {
      const c = randomCase(g, i, { depthwise: true, dilated: true });
      const w = g.values(size(c.filterShape));
      const dy = g.values(size(c.outShape));
      const [wide, wideShape] = dilateFilter(w, c.filterShape, c.dilations);
      const attrs = {
        strides: c.strides,
        pad: c.pad,
        dimRoundingMode: c.dimRoundingMode,
        inputShape: c.xShape,
      };
      const got = await on('wasm', () =>
        runKernel(
          'DepthwiseConv2dNativeBackpropInput',
          { dy: tf.tensor4d(dy, c.outShape), filter: tf.tensor4d(w, c.filterShape) },
          { ...attrs, dilations: c.dilations },
        ),
      );
      const want = await on('cpu', () =>
        runKernel(
          'DepthwiseConv2dNativeBackpropInput',
          { dy: tf.tensor4d(dy, c.outShape), filter: tf.tensor4d(wide, wideShape) },
          { ...attrs, dilations: [1, 1] },
        ),
      );
      expectClose(got, want, describeCase(c));
    }
  });

  it('agrees with the wasm forward pass: <dy, conv(x, w)> = <dW, w> = <x, dx>', async () => {
    const g = new Gen(6);
    for (let i = 0; i < 12; i++) {
      // The forward op allows dilation only with stride 1.
      const c = randomCase(g, i, {
        depthwise: true,
        dilated: true,
        strides: [[1, 1]],
        forward: true,
      });
      const x = g.values(size(c.xShape));
      const w = g.values(size(c.filterShape));
      const dy = g.values(size(c.outShape));
      const [y, dW, dX] = await on('wasm', () => {
        const xt = tf.tensor4d(x, c.xShape);
        const wt = tf.tensor4d(w, c.filterShape);
        const dyt = tf.tensor4d(dy, c.outShape);
        const attrs = {
          strides: c.strides,
          pad: c.pad,
          dilations: c.dilations,
          dimRoundingMode: c.dimRoundingMode,
        };
        return [
          tf.depthwiseConv2d(xt, wt, c.strides, c.pad, 'NHWC', c.dilations),
          runKernel(
            'DepthwiseConv2dNativeBackpropFilter',
            { x: xt, dy: dyt },
            {
              ...attrs,
              filterShape: c.filterShape,
            },
          ),
          runKernel(
            'DepthwiseConv2dNativeBackpropInput',
            { dy: dyt, filter: wt },
            {
              ...attrs,
              inputShape: c.xShape,
            },
          ),
        ];
      });
      const dot = (a: Float32Array, b: Float32Array) => {
        let s = 0;
        let m = 0;
        for (let k = 0; k < a.length; k++) {
          s += a[k]! * b[k]!;
          m += Math.abs(a[k]! * b[k]!);
        }
        return [s, m] as const;
      };
      const [ref, scale] = dot(dy, y!);
      expect(Math.abs(dot(dW!, w)[0] - ref) / scale, describeCase(c)).toBeLessThan(1e-4);
      expect(Math.abs(dot(dX!, x)[0] - ref) / scale, describeCase(c)).toBeLessThan(1e-4);
    }
  });

  it('tfjs 4.22 gradients refuse dilation > 1 for depthwise conv (so only direct calls use it)', () => {
    const f = (w: tf.Tensor) =>
      tf
        .depthwiseConv2d(
          tf.ones([1, 7, 7, 2]) as tf.Tensor4D,
          w as tf.Tensor4D,
          1,
          'same',
          'NHWC',
          2,
        )
        .sum();
    expect(() => tf.tidy(() => tf.grad(f)(tf.ones([3, 3, 2, 1])))).toThrow(/dilation/);
  });
});

// XNNPACK works out TensorFlow 'same' padding in unsigned arithmetic, which
// breaks where a stride is longer than the filter; the wrapped forward
// kernels spell such padding out (register-wasm.ts, sameAsExplicit).
describe("wasm forward convolutions with 'same' padding", () => {
  const shapes: [Quad, [number, number], Pair][] = [
    [
      [2, 6, 6, 2],
      [2, 2],
      [3, 3],
    ], // (2 - 1) * 3 + 2 < 6
    [
      [3, 6, 5, 2],
      [1, 4],
      [2, 1],
    ], // (3 - 1) * 2 + 1 < 6 in height only
    [
      [2, 8, 7, 3],
      [1, 1],
      [2, 2],
    ], // (4 - 1) * 2 + 1 < 8 too, though XNNPACK gets 1x1 filters right
    [
      [2, 8, 8, 3],
      [3, 3],
      [2, 2],
    ], // safe: left to tfjs as it is
  ];
  const g = new Gen(19);
  for (const [xShape, [kH, kW], strides] of shapes) {
    const what = `x [${xShape.join(', ')}], filter ${kH}x${kW}, strides [${strides.join(', ')}]`;
    it(`conv2d, depthwiseConv2d and their fused forms: ${what}`, async () => {
      const inC = xShape[3];
      const x = g.values(size(xShape));
      const w = g.values(kH * kW * inC * 4);
      const bias = g.values(8);
      const xt = () => tf.tensor4d(x, xShape);
      const run = () => [
        tf.conv2d(xt(), tf.tensor4d(w, [kH, kW, inC, 4]), strides, 'same'),
        tf.fused.conv2d({
          x: xt(),
          filter: tf.tensor4d(w, [kH, kW, inC, 4]),
          strides,
          pad: 'same',
          bias: tf.tensor1d(bias.subarray(0, 4)),
          activation: 'relu',
        }),
        tf.depthwiseConv2d(
          xt(),
          tf.tensor4d(w.subarray(0, kH * kW * inC * 2), [kH, kW, inC, 2]),
          strides,
          'same',
        ),
        tf.fused.depthwiseConv2d({
          x: xt(),
          filter: tf.tensor4d(w.subarray(0, kH * kW * inC * 2), [kH, kW, inC, 2]),
          strides,
          pad: 'same',
          bias: tf.tensor1d(bias.subarray(0, inC * 2)),
          activation: 'relu',
        }),
      ];
      expectClose(await on('wasm', run), await on('cpu', run), what);
    });
  }
});

describe('tfjs gradients on wasm against the cpu backend', () => {
  /** Gradients of sum(r * op(x, w)) w.r.t. x and w, so every output element matters. */
  const gradsOf =
    (
      op: (x: tf.Tensor4D, w: tf.Tensor4D) => tf.Tensor4D,
      x: Float32Array,
      xShape: Quad,
      w: Float32Array,
      wShape: Quad,
      r: Float32Array,
      rShape: Quad,
    ) =>
    () =>
      tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(op(a as tf.Tensor4D, b as tf.Tensor4D), tf.tensor4d(r, rShape))),
      )([tf.tensor4d(x, xShape), tf.tensor4d(w, wShape)]);

  it('conv2d', async () => {
    const g = new Gen(7);
    for (let i = 0; i < 16; i++) {
      const c = randomCase(g, i, { depthwise: false, forward: true });
      const x = g.values(size(c.xShape));
      const w = g.values(size(c.filterShape));
      const r = g.values(size(c.outShape));
      const op = (a: tf.Tensor4D, b: tf.Tensor4D) => tf.conv2d(a, b, c.strides, c.pad);
      const run = gradsOf(op, x, c.xShape, w, c.filterShape, r, c.outShape);
      expectClose(await on('wasm', run), await on('cpu', run), describeCase(c));
    }
  });

  it('conv2dTranspose, its value and gradients', async () => {
    const g = new Gen(18);
    for (let i = 0; i < 16; i++) {
      // The transposed conv maps the conv's output shape back to its input shape.
      const c = randomCase(g, i, { depthwise: false, forward: true });
      const x = g.values(size(c.outShape));
      const w = g.values(size(c.filterShape));
      const r = g.values(size(c.xShape));
      const op = (a: tf.Tensor4D, b: tf.Tensor4D) =>
        tf.conv2dTranspose(a, b, c.xShape, c.strides, c.pad as 'valid');
      const value = () => op(tf.tensor4d(x, c.outShape), tf.tensor4d(w, c.filterShape));
      expectClose(await on('wasm', value), await on('cpu', value), `value ${describeCase(c)}`);
      const run = gradsOf(op, x, c.outShape, w, c.filterShape, r, c.xShape);
      expectClose(await on('wasm', run), await on('cpu', run), `grads ${describeCase(c)}`);
    }
  });

  it('depthwiseConv2d', async () => {
    const g = new Gen(8);
    for (let i = 0; i < 16; i++) {
      const c = randomCase(g, i, { depthwise: true, forward: true });
      const x = g.values(size(c.xShape));
      const w = g.values(size(c.filterShape));
      const r = g.values(size(c.outShape));
      const op = (a: tf.Tensor4D, b: tf.Tensor4D) => tf.depthwiseConv2d(a, b, c.strides, c.pad);
      const run = gradsOf(op, x, c.xShape, w, c.filterShape, r, c.outShape);
      expectClose(await on('wasm', run), await on('cpu', run), describeCase(c));
    }
  });

  it('separableConv2d', async () => {
    const g = new Gen(9);
    for (let i = 0; i < 8; i++) {
      // separableConv2d takes 'valid' | 'same' only.
      const c = randomCase(g, i % 2, { depthwise: true, forward: true });
      const outC = g.int(1, 5);
      const x = g.values(size(c.xShape));
      const dw = g.values(size(c.filterShape));
      const pwShape: Quad = [1, 1, c.filterShape[2] * c.filterShape[3], outC];
      const pw = g.values(size(pwShape));
      const r = g.values(size(c.outShape.slice(0, 3)) * outC);
      const run = () =>
        tf.grads((a: tf.Tensor, b: tf.Tensor, p: tf.Tensor) =>
          tf.sum(
            tf.mul(
              tf.separableConv2d(
                a as tf.Tensor4D,
                b as tf.Tensor4D,
                p as tf.Tensor4D,
                c.strides,
                c.pad as 'valid' | 'same',
              ),
              tf.tensor4d(r, [...c.outShape.slice(0, 3), outC] as Quad),
            ),
          ),
        )([tf.tensor4d(x, c.xShape), tf.tensor4d(dw, c.filterShape), tf.tensor4d(pw, pwShape)]);
      expectClose(await on('wasm', run), await on('cpu', run), describeCase(c));
    }
  });
});

describe('training on wasm', () => {
  /** 8x8 images, bright on the left (class 0) or the right (class 1), plus noise. */
  function leftRight(n: number, channels: number, seed: number): { xs: tf.Tensor; ys: tf.Tensor } {
    const g = new Gen(seed);
    const x = new Float32Array(n * 8 * 8 * channels);
    const y = new Float32Array(n * 2);
    for (let i = 0; i < n; i++) {
      const cls = i % 2;
      y[i * 2 + cls] = 1;
      for (let r = 0; r < 8; r++)
        for (let col = 0; col < 8; col++)
          for (let ch = 0; ch < channels; ch++) {
            const bright = col < 4 === (cls === 0) ? 0.5 : 0;
            x[((i * 8 + r) * 8 + col) * channels + ch] = bright + 0.5 * g.next();
          }
    }
    return { xs: tf.tensor4d(x, [n, 8, 8, channels]), ys: tf.tensor2d(y, [n, 2]) };
  }

  const heapBytes = (): number =>
    (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.byteLength;

  async function train(makeModel: () => tf.Sequential, channels: number) {
    expect(await tf.setBackend('wasm')).toBe(true);
    const start = tf.memory().numTensors;
    const { xs, ys } = leftRight(32, channels, 11);
    const model = makeModel();
    const optimizer = tf.train.adam(0.01);
    const losses: number[] = [];
    let at5 = { numTensors: 0, numBytes: 0, heap: 0 };
    for (let step = 1; step <= 30; step++) {
      const loss = optimizer.minimize(
        () => tf.mean(tf.metrics.categoricalCrossentropy(ys, model.predict(xs) as tf.Tensor)),
        true,
      )!;
      losses.push(loss.dataSync()[0]!);
      loss.dispose();
      if (step === 5)
        at5 = {
          numTensors: tf.memory().numTensors,
          numBytes: tf.memory().numBytes,
          heap: heapBytes(),
        };
    }
    const at30 = {
      numTensors: tf.memory().numTensors,
      numBytes: tf.memory().numBytes,
      heap: heapBytes(),
    };
    model.dispose();
    optimizer.dispose();
    xs.dispose();
    ys.dispose();
    return { losses, at5, at30, leftOver: tf.memory().numTensors - start };
  }

  /** Adds flatten -> dense(2, softmax) with a seeded kernel, the head every test net ends in. */
  function withClassifier(m: tf.Sequential, seed: number): tf.Sequential {
    m.add(tf.layers.flatten());
    m.add(
      tf.layers.dense({
        units: 2,
        activation: 'softmax',
        kernelInitializer: tf.initializers.glorotUniform({ seed }),
      }),
    );
    return m;
  }

  function expectLearnsWithoutLeaks(r: Awaited<ReturnType<typeof train>>): void {
    const { losses, at5, at30 } = r;
    expect(losses.every(Number.isFinite)).toBe(true);
    const first = losses[0]!;
    const last = losses[losses.length - 1]!;
    expect(last, `losses ${losses.map((l) => l.toFixed(3)).join(' ')}`).toBeLessThan(first * 0.1);
    expect(at30).toEqual(at5);
    expect(r.leftOver).toBe(0);
  }

  it('a conv2d -> flatten -> dense net learns left vs right', async () => {
    const r = await train(() => {
      const m = tf.sequential();
      m.add(
        tf.layers.conv2d({
          inputShape: [8, 8, 1],
          filters: 4,
          kernelSize: 3,
          activation: 'relu',
          kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
        }),
      );
      return withClassifier(m, 2);
    }, 1);
    expectLearnsWithoutLeaks(r);
  });

  it('a strided conv2d -> conv2dTranspose -> conv2d -> flatten -> dense net learns', async () => {
    const r = await train(() => {
      const m = tf.sequential();
      m.add(
        tf.layers.conv2d({
          inputShape: [8, 8, 1],
          filters: 4,
          kernelSize: 3,
          strides: 2,
          padding: 'same',
          activation: 'relu',
          kernelInitializer: tf.initializers.glorotUniform({ seed: 6 }),
        }),
      );
      m.add(
        tf.layers.conv2dTranspose({
          filters: 3,
          kernelSize: 3,
          strides: 2,
          padding: 'same',
          activation: 'relu',
          kernelInitializer: tf.initializers.glorotUniform({ seed: 7 }),
        }),
      );
      m.add(
        tf.layers.conv2d({
          filters: 4,
          kernelSize: [3, 2],
          strides: [1, 2],
          activation: 'relu',
          kernelInitializer: tf.initializers.glorotUniform({ seed: 8 }),
        }),
      );
      return withClassifier(m, 9);
    }, 1);
    expectLearnsWithoutLeaks(r);
  });

  it('a separableConv2d -> flatten -> dense net learns left vs right', async () => {
    const r = await train(() => {
      const m = tf.sequential();
      m.add(
        tf.layers.separableConv2d({
          inputShape: [8, 8, 2],
          filters: 4,
          kernelSize: 3,
          depthMultiplier: 2,
          activation: 'relu',
          depthwiseInitializer: tf.initializers.glorotUniform({ seed: 3 }),
          pointwiseInitializer: tf.initializers.glorotUniform({ seed: 4 }),
        }),
      );
      return withClassifier(m, 5);
    }, 2);
    expectLearnsWithoutLeaks(r);
  });
});
