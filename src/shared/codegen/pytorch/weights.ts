// Where each entry of the generated module's state_dict comes from in the tfjs model, and the
// layout change between them. tfjs keeps TF's layouts: conv kernels HWIO, transposed-conv
// kernels [kh, kw, out, in], depthwise kernels [kh, kw, in, multiplier], Dense kernels
// [in, out]; PyTorch wants OIHW, [in, out, kh, kw], [in * multiplier, 1, kh, kw] (output
// channel c * multiplier + m, as TF orders a depthwise output) and [out, in].

export interface TorchEntry {
  /** The state_dict key, e.g. "conv1.weight". */
  key: string;
  /** The tfjs layer holding the value, and the weight's name in it ("kernel", "gamma", ...). */
  layer: string;
  weight: string;
  /** The weight's shape in tfjs. */
  tfShape: number[];
  /** tfjs axes in PyTorch's order (applied first), then reshaped to `shape`. */
  perm: number[];
  shape: number[];
}

/** A buffer PyTorch keeps that tfjs has no value for (BatchNorm's num_batches_tracked). */
export interface TorchCounter {
  key: string;
}

const HWIO_TO_OIHW = [3, 2, 0, 1];

/** A conv kernel: HWIO -> OIHW (also a pointwise kernel, and a transposed conv's [kh, kw, out, in] -> [in, out, kh, kw]). */
export const convKernel = (key: string, layer: string, weight: string, tfShape: number[]) => ({
  key,
  layer,
  weight,
  tfShape,
  perm: HWIO_TO_OIHW,
  shape: HWIO_TO_OIHW.map((a) => tfShape[a]!),
});

/** A depthwise kernel [kh, kw, in, m] -> [in * m, 1, kh, kw]. */
export const depthwiseKernel = (
  key: string,
  layer: string,
  weight: string,
  tfShape: number[],
): TorchEntry => {
  const [kh, kw, c, m] = tfShape as [number, number, number, number];
  return { key, layer, weight, tfShape, perm: [2, 3, 0, 1], shape: [c * m, 1, kh, kw] };
};

/** A Dense kernel [in, out] -> [out, in]. */
export const denseKernel = (key: string, layer: string, tfShape: number[]): TorchEntry => ({
  key,
  layer,
  weight: 'kernel',
  tfShape,
  perm: [1, 0],
  shape: [tfShape[1]!, tfShape[0]!],
});

/** A vector kept as it is (biases, BatchNorm's gamma, beta and moving statistics). */
export const vector = (key: string, layer: string, weight: string, n: number): TorchEntry => ({
  key,
  layer,
  weight,
  tfShape: [n],
  perm: [0],
  shape: [n],
});

/** Row-major strides of `shape`. */
const strides = (shape: number[]): number[] => {
  const out = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) out[i] = out[i + 1]! * shape[i + 1]!;
  return out;
};

/** Transposes row-major `data` of `shape` so that axis perm[i] becomes axis i. */
export function permute(data: Float32Array, shape: number[], perm: number[]): Float32Array {
  if (perm.every((a, i) => a === i)) return data.slice();
  const from = strides(shape);
  const outShape = perm.map((a) => shape[a]!);
  const step = perm.map((a) => from[a]!);
  const out = new Float32Array(data.length);
  const index = new Array<number>(outShape.length).fill(0);
  let src = 0;
  for (let o = 0; o < out.length; o++) {
    out[o] = data[src]!;
    // Advance the output index like an odometer, moving `src` along the permuted strides.
    for (let d = outShape.length - 1; d >= 0; d--) {
      index[d]!++;
      src += step[d]!;
      if (index[d]! < outShape[d]!) break;
      src -= step[d]! * outShape[d]!;
      index[d] = 0;
    }
  }
  return out;
}

/** A tfjs weight's values in PyTorch's layout for `entry`. */
export function toTorch(entry: TorchEntry, data: Float32Array): Float32Array {
  const n = entry.tfShape.reduce((a, b) => a * b, 1);
  if (data.length !== n)
    throw new Error(
      `${entry.layer}/${entry.weight} has ${data.length} values; [${entry.tfShape.join(', ')}] needs ${n}.`,
    );
  return permute(data, entry.tfShape, entry.perm);
}

/** The inverse: PyTorch's values for `entry` in tfjs's layout. */
export function toTfjs(entry: TorchEntry, data: Float32Array): Float32Array {
  const inverse = entry.perm.map((_, i) => entry.perm.indexOf(i));
  return permute(
    data,
    entry.perm.map((a) => entry.tfShape[a]!),
    inverse,
  );
}
