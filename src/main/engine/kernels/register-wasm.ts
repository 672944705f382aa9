// Registers Netforge's extra training kernels on the wasm backend. They use
// the backend's unexported API (readSync, makeOutput, typedArrayFromHeap,
// disposeData) and its BatchMatMul kernel function, as tfjs 4.22 has them;
// test/engine/kernels.test.ts checks them against the cpu backend.
import type * as TF from '@tensorflow/tfjs';
import {
  conv2dFilterGrad,
  depthwiseFilterGrad,
  depthwiseInputGrad,
  im2colTransposed,
  type Conv2DGeometry,
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
  /** Largest im2col chunk Conv2DBackpropFilter puts on the wasm heap, in floats (16 MiB). */
  im2colChunkFloats: 1 << 22,
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

/** Adds the kernels to `tf`'s wasm backend unless it has them already; returns their names. */
export function registerWasmTrainingKernels(tf: typeof TF): string[] {
  const have = new Set(tf.getKernelsForBackend('wasm').map((k) => k.kernelName));
  const added: string[] = [];
  const register = (
    kernelName: string,
    fn: (
      inputs: Record<string, TF.TensorInfo>,
      backend: WasmBackend,
      attrs: Attrs,
    ) => TF.TensorInfo,
  ) => {
    if (have.has(kernelName)) return;
    tf.registerKernel({
      kernelName,
      backendName: 'wasm',
      kernelFunc: ({ inputs, backend, attrs }) =>
        fn(
          inputs as Record<string, TF.TensorInfo>,
          backend as unknown as WasmBackend,
          attrs as Attrs,
        ),
    });
    added.push(kernelName);
  };

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
    const dx = depthwiseInputGrad(
      backend.readSync(dy!.dataId),
      backend.readSync(filter!.dataId),
      geometry(info, dy!.shape, 'DepthwiseConv2dNativeBackpropInput'),
      filterShape[3],
    );
    return output(backend, inputShape, dx);
  });
  return added;
}
