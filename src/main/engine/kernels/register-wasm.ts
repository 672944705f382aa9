// Registers Netforge's extra training kernels on the wasm backend, replaces
// its slow Conv2DBackpropInput, and works around an XNNPACK padding bug in
// its forward convolutions. They use the backend's unexported API (readSync,
// makeOutput, typedArrayFromHeap, disposeData) and its BatchMatMul, Conv2D
// and DepthwiseConv2dNative kernel functions, as tfjs 4.22 has them;
// test/engine/kernels.test.ts checks them against the cpu backend.
import type * as TF from '@tensorflow/tfjs';
import {
  axisPhases,
  col2imAdd,
  conv2dFilterGrad,
  depthwiseFilterGrad,
  depthwiseInputGrad,
  im2colTransposed,
  phaseFilter,
  scatterPhase,
  transposeMatrix,
  type Conv2DGeometry,
  type Phase,
} from './conv-grads.ts';

/** The slice of the wasm backend's API these kernels use. */
interface WasmBackend {
  readSync(dataId: object): Float32Array;
  makeOutput(shape: number[], dtype: 'float32'): TF.TensorInfo;
  typedArrayFromHeap(t: TF.TensorInfo): Float32Array;
  disposeData(dataId: object): boolean;
}

/** Tuning for the kernels; tests shrink `im2colChunkFloats` to exercise chunking. */
export const wasmKernelOptions = {
  /**
   * Largest im2col (Conv2DBackpropFilter) or col2im (Conv2DBackpropInput)
   * chunk put on the wasm heap, in floats (16 MiB).
   */
  im2colChunkFloats: 1 << 22,
  /**
   * How Conv2DBackpropInput runs: 'conv' (XNNPACK convolutions, one per
   * stride phase; the faster) or 'gemm' (matrix multiply and col2im).
   */
  conv2dInputGrad: 'conv' as 'conv' | 'gemm',
  /**
   * How DepthwiseConv2dNativeBackpropInput runs: 'conv' (XNNPACK depthwise
   * convolutions, one per stride phase) unless dilation comes with stride,
   * else 'loop' (`depthwiseInputGrad`).
   */
  depthwiseInputGrad: 'conv' as 'conv' | 'loop',
};

type ConvInfo = ReturnType<typeof TF.backend_util.computeConv2DInfo>;

/**
 * The loop geometry for `info`, with the output height and width taken from
 * `dy` itself. They differ from `info` when tfjs drops the forward op's
 * `dimRoundingMode` on the way to the gradient (conv2d's gradient does), and
 * `dy` is what the forward pass really produced.
 */
function geometry(info: ConvInfo, dyShape: number[], kernelName: string): Conv2DGeometry {
  const [batch, outH, outW, outC] = dyShape as [number, number, number, number];
  if (dyShape.length !== 4 || batch !== info.batchSize || outC !== info.outChannels)
    throw new Error(
      `${kernelName}: dy has shape [${dyShape.join(', ')}], expected ` +
        `[${info.batchSize}, ${info.outHeight}, ${info.outWidth}, ${info.outChannels}]`,
    );
  return {
    batch,
    inH: info.inHeight,
    inW: info.inWidth,
    inC: info.inChannels,
    outH,
    outW,
    kH: info.filterHeight,
    kW: info.filterWidth,
    strideH: info.strideHeight,
    strideW: info.strideWidth,
    dilationH: info.dilationHeight,
    dilationW: info.dilationWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

function output(backend: WasmBackend, shape: number[], values: Float32Array): TF.TensorInfo {
  const out = backend.makeOutput(shape, 'float32');
  backend.typedArrayFromHeap(out).set(values);
  return out;
}

type Attrs = Record<string, unknown>;

const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

type KernelFn = (args: { inputs: object; backend: unknown; attrs: object }) => unknown;

/**
 * dW for Conv2DBackpropFilter as im2col + the wasm backend's BatchMatMul
 * (XNNPACK): dW[kH * kW * inC, outC] = patchesT x dy[b * outH * outW, outC],
 * one chunk of output rows at a time so the patch matrix stays under
 * `wasmKernelOptions.im2colChunkFloats`. `dy` feeds the multiply straight from the heap.
 */
function conv2dFilterGradGemm(
  matMul: KernelFn,
  backend: WasmBackend,
  x: TF.TensorInfo,
  dy: TF.TensorInfo,
  g: Conv2DGeometry,
  filterShape: [number, number, number, number],
): TF.TensorInfo {
  const outC = filterShape[3];
  const rows = g.kH * g.kW * g.inC;
  const totalQ = g.batch * g.outH;
  if (totalQ === 0 || g.outW === 0 || rows * outC === 0)
    return output(backend, filterShape, new Float32Array(rows * outC));
  const perChunk = Math.max(1, Math.floor(wasmKernelOptions.im2colChunkFloats / (rows * g.outW)));
  let acc: Float32Array | null = null;
  for (let q0 = 0; q0 < totalQ; q0 += perChunk) {
    const q1 = Math.min(totalQ, q0 + perChunk);
    const cols = (q1 - q0) * g.outW;
    const whole = q0 === 0 && q1 === totalQ;
    const patches = backend.makeOutput([rows, cols], 'float32');
    const dyPart = whole ? dy : backend.makeOutput([cols, outC], 'float32');
    // Views only after every allocation: growing the heap detaches them.
    im2colTransposed(backend.typedArrayFromHeap(x), g, q0, q1, backend.typedArrayFromHeap(patches));
    if (!whole)
      backend
        .typedArrayFromHeap(dyPart)
        .set(backend.typedArrayFromHeap(dy).subarray(q0 * g.outW * outC, q1 * g.outW * outC));
    let product: TF.TensorInfo;
    try {
      product = matMul({
        inputs: { a: patches, b: { dataId: dyPart.dataId, shape: [cols, outC], dtype: 'float32' } },
        backend,
        attrs: { transposeA: false, transposeB: false },
      }) as TF.TensorInfo;
    } finally {
      backend.disposeData(patches.dataId);
      if (!whole) backend.disposeData(dyPart.dataId);
    }
    if (whole) return { dataId: product.dataId, shape: filterShape, dtype: 'float32' };
    const part = backend.typedArrayFromHeap(product);
    if (acc === null) acc = Float32Array.from(part);
    else for (let i = 0; i < acc.length; i++) acc[i]! += part[i]!;
    backend.disposeData(product.dataId);
  }
  return output(backend, filterShape, acc ?? new Float32Array(rows * outC));
}

interface Phases {
  rows: Phase[];
  cols: Phase[];
}

/** The stride phases of both axes (see `axisPhases`); null for dilation with stride. */
function phasesOf(g: Conv2DGeometry): Phases | null {
  const rows = axisPhases(g.kH, g.strideH, g.dilationH, g.padTop, g.inH, g.outH);
  const cols = axisPhases(g.kW, g.strideW, g.dilationW, g.padLeft, g.inW, g.outW);
  return rows && cols ? { rows, cols } : null;
}

/**
 * dx for Conv2DBackpropInput (`depthwise` false) or
 * DepthwiseConv2dNativeBackpropInput (true) as forward convolutions on
 * XNNPACK, through the wasm backend's own Conv2D or DepthwiseConv2dNative
 * kernel function, one per stride phase: the input positions of phase
 * (ph, pw) get dy convolved at stride 1 with the taps of the filter that
 * reach them, rotated by 180 degrees (for Conv2D, with the channel axes
 * swapped; for a depthwise filter with multiplier m > 1, each run of m
 * channels is summed afterwards). With stride 1 and m = 1 the one phase is
 * all of dx and the convolution writes it directly; otherwise each phase's
 * result is copied into place, and positions no tap reaches stay 0.
 */
function inputGradByPhases(
  conv: KernelFn,
  depthwise: boolean,
  backend: WasmBackend,
  dy: TF.TensorInfo,
  filter: TF.TensorInfo,
  g: Conv2DGeometry,
  phases: Phases,
  inputShape: number[],
): TF.TensorInfo {
  const filterShape = filter.shape as [number, number, number, number];
  const last = filterShape[3];
  const multiplier = depthwise ? last : 1;
  const partC = depthwise ? g.inC * last : g.inC;
  const strides: [number, number] = [g.strideH, g.strideW];
  const single =
    phases.rows.length === 1 &&
    phases.cols.length === 1 &&
    multiplier === 1 &&
    [...phases.rows, ...phases.cols].every((p) => p.skip === 0 && p.size === p.count);
  const dx = single ? null : backend.makeOutput(inputShape, 'float32');
  try {
    if (dx) backend.typedArrayFromHeap(dx).fill(0);
    for (const ph of phases.rows)
      for (const pw of phases.cols) {
        if (ph.taps === 0 || pw.taps === 0 || ph.count === 0 || pw.count === 0) continue;
        const subShape = depthwise ? [ph.taps, pw.taps, partC, 1] : [ph.taps, pw.taps, last, g.inC];
        const sub = backend.makeOutput(subShape, 'float32');
        let part: TF.TensorInfo;
        try {
          phaseFilter(
            backend.typedArrayFromHeap(filter),
            filterShape,
            ph,
            pw,
            strides,
            !depthwise,
            backend.typedArrayFromHeap(sub),
          );
          part = conv({
            inputs: { x: dy, filter: sub },
            backend,
            attrs: {
              strides: [1, 1],
              pad: [
                [0, 0],
                [ph.before, ph.after],
                [pw.before, pw.after],
                [0, 0],
              ],
              dataFormat: 'NHWC',
              dilations: [ph.dilation, pw.dilation],
            },
          }) as TF.TensorInfo;
        } finally {
          // Also drops the XNNPACK operator the backend cached for this filter.
          backend.disposeData(sub.dataId);
        }
        const want = [g.batch, ph.size, pw.size, partC];
        if (part.shape.join() !== want.join()) {
          backend.disposeData(part.dataId);
          throw new Error(
            `input gradient: a phase convolution gave [${part.shape.join(', ')}], ` +
              `expected [${want.join(', ')}]`,
          );
        }
        if (!dx) return { dataId: part.dataId, shape: inputShape, dtype: 'float32' };
        try {
          scatterPhase(
            backend.typedArrayFromHeap(part),
            g,
            ph,
            pw,
            multiplier,
            backend.typedArrayFromHeap(dx),
          );
        } finally {
          backend.disposeData(part.dataId);
        }
      }
    return dx ?? output(backend, inputShape, new Float32Array(sizeOf(inputShape)));
  } catch (e) {
    if (dx) backend.disposeData(dx.dataId);
    throw e;
  }
}

/**
 * dx for Conv2DBackpropInput as the wasm backend's BatchMatMul (XNNPACK) and
 * a col2im in JS: cols[b * outH * outW, kH * kW * inC] = dy x W^T, each row
 * scattered back onto the input positions its taps read. One chunk of output
 * rows at a time keeps cols under `wasmKernelOptions.im2colChunkFloats`.
 */
function conv2dInputGradGemm(
  matMul: KernelFn,
  backend: WasmBackend,
  dy: TF.TensorInfo,
  filter: TF.TensorInfo,
  g: Conv2DGeometry,
  inputShape: number[],
): TF.TensorInfo {
  const outC = filter.shape[3]!;
  const k = g.kH * g.kW * g.inC;
  const totalQ = g.batch * g.outH;
  const dx = backend.makeOutput(inputShape, 'float32');
  backend.typedArrayFromHeap(dx).fill(0);
  const perChunk = Math.max(1, Math.floor(wasmKernelOptions.im2colChunkFloats / (k * g.outW)));
  let wT: TF.TensorInfo | null = null;
  try {
    wT = backend.makeOutput([outC, k], 'float32');
    transposeMatrix(
      backend.typedArrayFromHeap(filter),
      0,
      k,
      outC,
      backend.typedArrayFromHeap(wT),
      0,
    );
    for (let q0 = 0; q0 < totalQ; q0 += perChunk) {
      const q1 = Math.min(totalQ, q0 + perChunk);
      const rows = (q1 - q0) * g.outW;
      const whole = q0 === 0 && q1 === totalQ;
      const dyPart = whole ? dy : backend.makeOutput([rows, outC], 'float32');
      let cols: TF.TensorInfo;
      try {
        if (!whole)
          backend
            .typedArrayFromHeap(dyPart)
            .set(backend.typedArrayFromHeap(dy).subarray(q0 * g.outW * outC, q1 * g.outW * outC));
        cols = matMul({
          inputs: { a: { dataId: dyPart.dataId, shape: [rows, outC], dtype: 'float32' }, b: wT },
          backend,
          attrs: { transposeA: false, transposeB: false },
        }) as TF.TensorInfo;
      } finally {
        if (!whole) backend.disposeData(dyPart.dataId);
      }
      try {
        col2imAdd(backend.typedArrayFromHeap(cols), g, q0, q1, backend.typedArrayFromHeap(dx));
      } finally {
        backend.disposeData(cols.dataId);
      }
    }
    return dx;
  } catch (e) {
    backend.disposeData(dx.dataId);
    throw e;
  } finally {
    if (wT) backend.disposeData(wT.dataId);
  }
}

/**
 * tfjs's wasm convolutions hand 'same' padding to XNNPACK as its TensorFlow
 * SAME flag, and XNNPACK works that padding out as (out - 1) * stride +
 * kernel - in in unsigned arithmetic: where that is negative (a stride
 * longer than the filter, e.g. a 2x2 filter at stride 3 over 6 rows, or a
 * 1x4 filter at stride [2, 1] over 6 rows) it pads by some 2^31 rows and
 * returns garbage. For those cases this gives the same padding spelled out,
 * as tfjs computes it (clamped at 0), for the kernel to pass on instead;
 * null where 'same' is safe or not in use.
 */
function sameAsExplicit(
  tf: typeof TF,
  xShape: number[],
  filterShape: number[],
  attrs: Attrs,
  depthwise: boolean,
): [[0, 0], [number, number], [number, number], [0, 0]] | null {
  if (attrs.pad !== 'same' || xShape.length !== 4 || filterShape.length !== 4) return null;
  const dataFormat = (attrs.dataFormat as 'NHWC' | 'NCHW' | undefined) ?? 'NHWC';
  if (dataFormat !== 'NHWC') return null;
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides as [number, number],
    (attrs.dilations as [number, number] | undefined) ?? 1,
    'same',
    undefined,
    depthwise,
  );
  const negative = (out: number, stride: number, filter: number, input: number) =>
    (out - 1) * stride + filter < input;
  if (
    !negative(info.outHeight, info.strideHeight, info.effectiveFilterHeight, info.inHeight) &&
    !negative(info.outWidth, info.strideWidth, info.effectiveFilterWidth, info.inWidth)
  )
    return null;
  const { top, bottom, left, right } = info.padInfo;
  return [
    [0, 0],
    [top, bottom],
    [left, right],
    [0, 0],
  ];
}

/** What `registerWasmTrainingKernels` did: kernels it added, and wasm kernels it replaced. */
export interface WasmKernelRegistration {
  added: string[];
  replaced: string[];
}

/** Marks the kernel functions registered here, so a second call recognises them. */
const NETFORGE_KERNEL = Symbol.for('netforge.wasmTrainingKernel');

const isOurs = (config: TF.KernelConfig | undefined): boolean =>
  config !== undefined &&
  (config.kernelFunc as unknown as Record<symbol, unknown>)[NETFORGE_KERNEL] === true;

/**
 * Adds the training kernels tfjs's wasm backend lacks, replaces its
 * Conv2DBackpropInput (a plain C loop) with one that runs on XNNPACK, and
 * wraps its forward convolutions to avoid an XNNPACK padding bug (see
 * `sameAsExplicit`). Idempotent: a second call finds its own kernels and
 * changes nothing.
 */
export function registerWasmTrainingKernels(tf: typeof TF): WasmKernelRegistration {
  const result: WasmKernelRegistration = { added: [], replaced: [] };
  /**
   * Registers `fn` as `kernelName` on wasm. `mode` says what to do when the
   * backend has the kernel already: keep it ('add'), or put `fn` in its
   * place ('replace'; 'wrap' also requires that it exist), with the
   * backend's kernel as `fn`'s fallback.
   */
  const register = (
    kernelName: string,
    fn: (
      inputs: Record<string, TF.TensorInfo>,
      backend: WasmBackend,
      attrs: Attrs,
      /** The backend's own kernel on the same arguments (or `attrs`), when there was one. */
      fallback: ((attrs?: Attrs) => TF.TensorInfo) | undefined,
    ) => TF.TensorInfo,
    mode: 'add' | 'replace' | 'wrap' = 'add',
  ) => {
    const existing = tf.getKernel(kernelName, 'wasm');
    if (isOurs(existing) || (existing ? mode === 'add' : mode === 'wrap')) return;
    // The backend's own kernel stays reachable as a fallback; its setupFunc
    // moves over, so the backend still prepares it when it starts.
    const original = existing ? { ...existing } : undefined;
    if (existing) tf.unregisterKernel(kernelName, 'wasm');
    const kernelFunc: TF.KernelFunc = (args) =>
      fn(
        args.inputs as Record<string, TF.TensorInfo>,
        args.backend as unknown as WasmBackend,
        args.attrs as Attrs,
        original &&
          ((attrs) =>
            original.kernelFunc(
              attrs ? { ...args, attrs: attrs as TF.NamedAttrMap } : args,
            ) as TF.TensorInfo),
      );
    Object.defineProperty(kernelFunc, NETFORGE_KERNEL, { value: true });
    tf.registerKernel({
      kernelName,
      backendName: 'wasm',
      kernelFunc,
      ...(original?.setupFunc ? { setupFunc: original.setupFunc } : {}),
    });
    (existing ? result.replaced : result.added).push(kernelName);
  };

  register(
    'Conv2DBackpropInput',
    (inputs, backend, attrs, fallback) => {
      const { dy, filter } = inputs as { dy: TF.TensorInfo; filter: TF.TensorInfo };
      const inputShape = attrs.inputShape as [number, number, number, number];
      const dataFormat = tf.backend_util.convertConv2DDataFormat(
        (attrs.dataFormat as 'NHWC' | 'NCHW' | undefined) ?? 'NHWC',
      );
      if (dataFormat !== 'channelsLast') {
        if (fallback) return fallback();
        throw new Error(`wasm Conv2DBackpropInput supports dataFormat 'NHWC' only`);
      }
      const info = tf.backend_util.computeConv2DInfo(
        inputShape,
        filter.shape as [number, number, number, number],
        attrs.strides as [number, number],
        1,
        attrs.pad as 'valid',
        attrs.dimRoundingMode as 'floor' | undefined,
        false,
        dataFormat,
      );
      const g = geometry(info, dy.shape, 'Conv2DBackpropInput');
      const phases = phasesOf(g);
      const conv2d = tf.getKernel('Conv2D', 'wasm')?.kernelFunc as KernelFn | undefined;
      if (sizeOf(dy.shape) === 0 || sizeOf(inputShape) === 0 || sizeOf(filter.shape) === 0)
        return output(backend, inputShape, new Float32Array(sizeOf(inputShape)));
      if (conv2d && phases && wasmKernelOptions.conv2dInputGrad !== 'gemm')
        return inputGradByPhases(conv2d, false, backend, dy, filter, g, phases, inputShape);
      const matMul = tf.getKernel('BatchMatMul', 'wasm')?.kernelFunc as KernelFn | undefined;
      if (matMul) return conv2dInputGradGemm(matMul, backend, dy, filter, g, inputShape);
      if (fallback) return fallback();
      throw new Error('wasm Conv2DBackpropInput: the backend has neither Conv2D nor BatchMatMul');
    },
    'replace',
  );

  for (const [kernelName, depthwise] of [
    ['Conv2D', false],
    ['FusedConv2D', false],
    ['DepthwiseConv2dNative', true],
    ['FusedDepthwiseConv2D', true],
  ] as const)
    register(
      kernelName,
      (inputs, _backend, attrs, fallback) => {
        const pad = sameAsExplicit(tf, inputs.x!.shape, inputs.filter!.shape, attrs, depthwise);
        return fallback!(pad ? { ...attrs, pad } : undefined);
      },
      'wrap',
    );

  register('Conv2DBackpropFilter', ({ x, dy }, backend, attrs) => {
    const filterShape = attrs.filterShape as [number, number, number, number];
    const dataFormat = tf.backend_util.convertConv2DDataFormat(
      (attrs.dataFormat as 'NHWC' | 'NCHW' | undefined) ?? 'NHWC',
    );
    if (dataFormat !== 'channelsLast')
      throw new Error(`wasm Conv2DBackpropFilter supports dataFormat 'NHWC' only`);
    const info = tf.backend_util.computeConv2DInfo(
      x!.shape as [number, number, number, number],
      filterShape,
      attrs.strides as [number, number],
      1,
      attrs.pad as 'valid',
      attrs.dimRoundingMode as 'floor' | undefined,
      false,
      dataFormat,
    );
    const g = geometry(info, dy!.shape, 'Conv2DBackpropFilter');
    const matMul = tf.getKernel('BatchMatMul', 'wasm')?.kernelFunc as KernelFn | undefined;
    if (matMul) return conv2dFilterGradGemm(matMul, backend, x!, dy!, g, filterShape);
    const dw = conv2dFilterGrad(
      backend.readSync(x!.dataId),
      backend.readSync(dy!.dataId),
      g,
      filterShape[3],
    );
    return output(backend, filterShape, dw);
  });

  register('DepthwiseConv2dNativeBackpropFilter', ({ x, dy }, backend, attrs) => {
    const filterShape = attrs.filterShape as [number, number, number, number];
    const info = tf.backend_util.computeConv2DInfo(
      x!.shape as [number, number, number, number],
      filterShape,
      attrs.strides as [number, number],
      attrs.dilations as [number, number],
      attrs.pad as 'valid',
      attrs.dimRoundingMode as 'floor' | undefined,
      true,
    );
    const dw = depthwiseFilterGrad(
      backend.readSync(x!.dataId),
      backend.readSync(dy!.dataId),
      geometry(info, dy!.shape, 'DepthwiseConv2dNativeBackpropFilter'),
      filterShape[3],
    );
    return output(backend, filterShape, dw);
  });

  register('DepthwiseConv2dNativeBackpropInput', ({ dy, filter }, backend, attrs) => {
    const inputShape = attrs.inputShape as [number, number, number, number];
    const filterShape = filter!.shape as [number, number, number, number];
    const info = tf.backend_util.computeConv2DInfo(
      inputShape,
      filterShape,
      attrs.strides as [number, number],
      attrs.dilations as [number, number],
      attrs.pad as 'valid',
      attrs.dimRoundingMode as 'floor' | undefined,
      true,
    );
    const g = geometry(info, dy!.shape, 'DepthwiseConv2dNativeBackpropInput');
    if (sizeOf(dy!.shape) === 0 || sizeOf(inputShape) === 0 || sizeOf(filterShape) === 0)
      return output(backend, inputShape, new Float32Array(sizeOf(inputShape)));
    const phases = phasesOf(g);
    const depthwise = tf.getKernel('DepthwiseConv2dNative', 'wasm')?.kernelFunc as
      KernelFn | undefined;
    if (depthwise && phases && wasmKernelOptions.depthwiseInputGrad === 'conv')
      return inputGradByPhases(depthwise, true, backend, dy!, filter!, g, phases, inputShape);
    const dx = depthwiseInputGrad(
      backend.readSync(dy!.dataId),
      backend.readSync(filter!.dataId),
      g,
      filterShape[3],
    );
    return output(backend, inputShape, dx);
  });
  return result;
}
