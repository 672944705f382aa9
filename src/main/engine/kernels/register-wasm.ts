// Registers Netforge's extra training kernels on the wasm backend.
import type * as TF from '@tensorflow/tfjs';
import {
  conv2dFilterGrad,
  depthwiseFilterGrad,
  depthwiseInputGrad,
  type Conv2DGeometry,
} from './conv-grads.ts';

/** The slice of the wasm backend's API these kernels use. */
interface WasmBackend {
  readSync(dataId: object): Float32Array;
  makeOutput(shape: number[], dtype: 'float32'): TF.TensorInfo;
  typedArrayFromHeap(t: TF.TensorInfo): Float32Array;
}

type ConvInfo = ReturnType<typeof TF.backend_util.computeConv2DInfo>;

const geometry = (info: ConvInfo): Conv2DGeometry => ({
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
  dilationH: info.dilationHeight,
  dilationW: info.dilationWidth,
  padTop: info.padInfo.top,
  padLeft: info.padInfo.left,
});

function output(backend: WasmBackend, shape: number[], values: Float32Array): TF.TensorInfo {
  const out = backend.makeOutput(shape, 'float32');
  backend.typedArrayFromHeap(out).set(values);
  return out;
}

type Attrs = Record<string, unknown>;

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
    const info = tf.backend_util.computeConv2DInfo(
      x!.shape as [number, number, number, number],
      filterShape,
      attrs.strides as [number, number],
      1,
      attrs.pad as 'valid',
      attrs.dimRoundingMode as 'floor' | undefined,
      false,
      'channelsLast',
    );
    const dw = conv2dFilterGrad(
      backend.readSync(x!.dataId),
      backend.readSync(dy!.dataId),
      geometry(info),
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
      geometry(info),
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
      geometry(info),
      filterShape[3],
    );
    return output(backend, inputShape, dx);
  });
  return added;
}
