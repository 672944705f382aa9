// Gradient kernels the wasm backend of tfjs 4.22 lacks or runs slowly
// (Conv2DBackpropFilter, Conv2DBackpropInput, DepthwiseConv2dNativeBackprop-
// Filter / Input), as plain loops over NHWC float32 buffers. Correct for
// strides, every padding and dilation; the inner loops run over contiguous
// channels. The heavy lifting happens in the backend's own XNNPACK kernels
// (see register-wasm.ts); the functions here lay out their operands and
// scatter their results: Conv2DBackpropFilter as `im2colTransposed` then a
// matrix multiply (`conv2dFilterGrad` is its fallback), Conv2DBackpropInput as
// forward convolutions of dy, one per stride phase (`axisPhases`,
// `phaseFilter`, `scatterPhase`), or as dy x W^T (`transposeMatrix`) then
// `col2imAdd`.

export interface Conv2DGeometry {
  batch: number;
  inH: number;
  inW: number;
  inC: number;
  outH: number;
  outW: number;
  kH: number;
  kW: number;
  strideH: number;
  strideW: number;
  dilationH: number;
  dilationW: number;
  padTop: number;
  padLeft: number;
}

/** dW[kh, kw, ci, co] = sum over b, oh, ow of x[b, ih, iw, ci] * dy[b, oh, ow, co]. */
export function conv2dFilterGrad(
  x: Float32Array,
  dy: Float32Array,
  g: Conv2DGeometry,
  outC: number,
): Float32Array {
  const dw = new Float32Array(g.kH * g.kW * g.inC * outC);
  for (let b = 0; b < g.batch; b++) {
    for (let oh = 0; oh < g.outH; oh++) {
      for (let ow = 0; ow < g.outW; ow++) {
        const dyBase = ((b * g.outH + oh) * g.outW + ow) * outC;
        for (let kh = 0; kh < g.kH; kh++) {
          const ih = oh * g.strideH + kh * g.dilationH - g.padTop;
          if (ih < 0 || ih >= g.inH) continue;
          for (let kw = 0; kw < g.kW; kw++) {
            const iw = ow * g.strideW + kw * g.dilationW - g.padLeft;
            if (iw < 0 || iw >= g.inW) continue;
            const xBase = ((b * g.inH + ih) * g.inW + iw) * g.inC;
            const wBase = (kh * g.kW + kw) * g.inC * outC;
            for (let ci = 0; ci < g.inC; ci++) {
              const xv = x[xBase + ci]!;
              if (xv === 0) continue;
              const row = wBase + ci * outC;
              for (let co = 0; co < outC; co++) dw[row + co]! += xv * dy[dyBase + co]!;
            }
          }
        }
      }
    }
  }
  return dw;
}

/**
 * The im2col patch matrix of output rows `q0 <= q < q1` (q = b * outH + oh),
 * transposed: `out` is [kH * kW * inC, (q1 - q0) * outW], row-major, with
 * out[(kh * kW + kw) * inC + ci, (q - q0) * outW + ow] = x[b, ih, iw, ci]
 * (0 where the tap falls in the padding). Then dW = out x dy[q0..q1) in the
 * filter's own [kH, kW, inC, outC] layout.
 */
export function im2colTransposed(
  x: Float32Array,
  g: Conv2DGeometry,
  q0: number,
  q1: number,
  out: Float32Array,
): void {
  const cols = (q1 - q0) * g.outW;
  out.fill(0, 0, g.kH * g.kW * g.inC * cols);
  for (let kh = 0; kh < g.kH; kh++) {
    for (let kw = 0; kw < g.kW; kw++) {
      // The ow whose tap kw lands inside the input: 0 <= ow * strideW + offW < inW.
      const offW = kw * g.dilationW - g.padLeft;
      const owLo = Math.max(0, Math.ceil(-offW / g.strideW));
      const owHi = Math.min(g.outW, Math.floor((g.inW - 1 - offW) / g.strideW) + 1);
      if (owHi <= owLo) continue;
      for (let q = q0; q < q1; q++) {
        const b = Math.floor(q / g.outH);
        const ih = (q - b * g.outH) * g.strideH + kh * g.dilationH - g.padTop;
        if (ih < 0 || ih >= g.inH) continue;
        const xRow = (b * g.inH + ih) * g.inW;
        const col = (q - q0) * g.outW;
        for (let ci = 0; ci < g.inC; ci++) {
          const o = ((kh * g.kW + kw) * g.inC + ci) * cols + col;
          const xStep = g.strideW * g.inC;
          let xi = (xRow + owLo * g.strideW + offW) * g.inC + ci;
          for (let ow = owLo; ow < owHi; ow++, xi += xStep) out[o + ow] = x[xi]!;
        }
      }
    }
  }
}

/** dW[kh, kw, ci, m] = sum of x[b, ih, iw, ci] * dy[b, oh, ow, ci * M + m]. */
export function depthwiseFilterGrad(
  x: Float32Array,
  dy: Float32Array,
  g: Conv2DGeometry,
  multiplier: number,
): Float32Array {
  const outC = g.inC * multiplier;
  const dw = new Float32Array(g.kH * g.kW * outC);
  for (let b = 0; b < g.batch; b++) {
    for (let oh = 0; oh < g.outH; oh++) {
      for (let ow = 0; ow < g.outW; ow++) {
        const dyBase = ((b * g.outH + oh) * g.outW + ow) * outC;
        for (let kh = 0; kh < g.kH; kh++) {
          const ih = oh * g.strideH + kh * g.dilationH - g.padTop;
          if (ih < 0 || ih >= g.inH) continue;
          for (let kw = 0; kw < g.kW; kw++) {
            const iw = ow * g.strideW + kw * g.dilationW - g.padLeft;
            if (iw < 0 || iw >= g.inW) continue;
            const xBase = ((b * g.inH + ih) * g.inW + iw) * g.inC;
            const wBase = (kh * g.kW + kw) * outC;
            for (let ci = 0; ci < g.inC; ci++) {
              const xv = x[xBase + ci]!;
              for (let m = 0; m < multiplier; m++)
                dw[wBase + ci * multiplier + m]! += xv * dy[dyBase + ci * multiplier + m]!;
            }
          }
        }
      }
    }
  }
  return dw;
}

/** dx[b, ih, iw, ci] = sum of dy[b, oh, ow, ci * M + m] * w[kh, kw, ci, m] over taps that read it. */
export function depthwiseInputGrad(
  dy: Float32Array,
  w: Float32Array,
  g: Conv2DGeometry,
  multiplier: number,
): Float32Array {
  const outC = g.inC * multiplier;
  const dx = new Float32Array(g.batch * g.inH * g.inW * g.inC);
  for (let b = 0; b < g.batch; b++) {
    for (let oh = 0; oh < g.outH; oh++) {
      for (let ow = 0; ow < g.outW; ow++) {
        const dyBase = ((b * g.outH + oh) * g.outW + ow) * outC;
        for (let kh = 0; kh < g.kH; kh++) {
          const ih = oh * g.strideH + kh * g.dilationH - g.padTop;
          if (ih < 0 || ih >= g.inH) continue;
          for (let kw = 0; kw < g.kW; kw++) {
            const iw = ow * g.strideW + kw * g.dilationW - g.padLeft;
            if (iw < 0 || iw >= g.inW) continue;
            const xBase = ((b * g.inH + ih) * g.inW + iw) * g.inC;
            const wBase = (kh * g.kW + kw) * outC;
            for (let ci = 0; ci < g.inC; ci++) {
              let sum = 0;
              for (let m = 0; m < multiplier; m++)
                sum += dy[dyBase + ci * multiplier + m]! * w[wBase + ci * multiplier + m]!;
              dx[xBase + ci]! += sum;
            }
          }
        }
      }
    }
  }
  return dx;
}

/** Side of the square tiles `transposeMatrix` works in. */
const TILE = 32;

/**
 * out[c * rows + r] = src[srcOffset + r * cols + c]: a [rows, cols] row-major
 * matrix transposed into `out` at `outOffset`, in tiles so that neither side
 * is walked with a long stride.
 */
export function transposeMatrix(
  src: Float32Array,
  srcOffset: number,
  rows: number,
  cols: number,
  out: Float32Array,
  outOffset: number,
): void {
  for (let r0 = 0; r0 < rows; r0 += TILE) {
    const r1 = Math.min(rows, r0 + TILE);
    for (let c0 = 0; c0 < cols; c0 += TILE) {
      const c1 = Math.min(cols, c0 + TILE);
      for (let r = r0; r < r1; r++) {
        const s = srcOffset + r * cols;
        for (let c = c0, o = outOffset + c0 * rows + r; c < c1; c++, o += rows)
          out[o] = src[s + c]!;
      }
    }
  }
}

/**
 * One residue class of a strided convolution's input gradient along one axis.
 * With stride s, the input positions i with (i + pad) % s === r are reached
 * only by taps k = r, r + s, r + 2s, ... of the filter, from output position
 * (i + pad - k) / s; on its own, that class is a stride-1 convolution of dy
 * with those `taps` taps, flipped, padded with `before` and `after` zeros.
 * Its `count` positions are i = (first + n) * s + r - pad for 0 <= n < count,
 * found at `skip + n` among the convolution's `size` outputs: where dy has
 * positions that reach only the padding of the forward op, the convolution
 * computes a few outputs more, which go unused (a pad cannot be negative).
 * With stride 1 there is one phase, all taps, and the filter's own `dilation`.
 */
export interface Phase {
  r: number;
  taps: number;
  dilation: number;
  first: number;
  count: number;
  before: number;
  after: number;
  skip: number;
  size: number;
}

/**
 * The `stride` phases of one axis: filter size `k` and dilation `dilation`,
 * leading pad `pad`, input size `inSize` (dx), output size `outSize` (dy).
 * Null for dilation with stride (which would split into dilated phases).
 */
export function axisPhases(
  k: number,
  stride: number,
  dilation: number,
  pad: number,
  inSize: number,
  outSize: number,
): Phase[] | null {
  if (dilation > 1 && stride > 1) return null;
  const phases: Phase[] = [];
  for (let r = 0; r < stride; r++) {
    const taps = r < k ? Math.ceil((k - r) / stride) : 0;
    const first = Math.max(0, Math.ceil((pad - r) / stride));
    const count = Math.max(0, Math.floor((inSize - 1 + pad - r) / stride) - first + 1);
    const span = (taps - 1) * dilation;
    // Unclamped, output n of the convolution reads dy[first + n - span + j * dilation], j < taps.
    const before = span - first;
    const after = count - outSize - before + span;
    const skip = Math.max(0, -before);
    phases.push({
      r,
      taps,
      dilation,
      first,
      count,
      before: Math.max(0, before),
      after: Math.max(0, after),
      skip,
      size: count + skip + Math.max(0, -after),
    });
  }
  return phases;
}

/**
 * The filter of phase (ph, pw) of a strided convolution's input gradient:
 * the phase's taps of `w` [kH, kW, inC, m] rotated by 180 degrees,
 * out[t, u] = w[ph.r + (ph.taps - 1 - t) * strideH, pw.r + (pw.taps - 1 - u) * strideW].
 * With `transpose` (a plain convolution) each tap's [inC, m] matrix turns
 * into [m, inC]; without (a depthwise one) it stays, read as inC * m channels.
 */
export function phaseFilter(
  w: Float32Array,
  [, kW, inC, m]: readonly [number, number, number, number],
  ph: Phase,
  pw: Phase,
  [strideH, strideW]: readonly [number, number],
  transpose: boolean,
  out: Float32Array,
): void {
  const plane = inC * m;
  for (let t = 0; t < ph.taps; t++) {
    const kh = ph.r + (ph.taps - 1 - t) * strideH;
    for (let u = 0; u < pw.taps; u++) {
      const from = (kh * kW + pw.r + (pw.taps - 1 - u) * strideW) * plane;
      const to = (t * pw.taps + u) * plane;
      if (transpose) transposeMatrix(w, from, inC, m, out, to);
      else out.set(w.subarray(from, from + plane), to);
    }
  }
}

/**
 * Copies phase (ph, pw)'s part of dx, `part` [batch, ph.size, pw.size,
 * inC * multiplier], to its places in `dx` [batch, inH, inW, inC], summing
 * each run of `multiplier` channels (a depthwise convolution's).
 */
export function scatterPhase(
  part: Float32Array,
  g: Pick<
    Conv2DGeometry,
    'batch' | 'inH' | 'inW' | 'inC' | 'strideH' | 'strideW' | 'padTop' | 'padLeft'
  >,
  ph: Phase,
  pw: Phase,
  multiplier: number,
  dx: Float32Array,
): void {
  const c = g.inC;
  const pc = c * multiplier;
  for (let b = 0; b < g.batch; b++)
    for (let n = 0; n < ph.count; n++) {
      const ih = (ph.first + n) * g.strideH + ph.r - g.padTop;
      const row = (b * g.inH + ih) * g.inW;
      let s = ((b * ph.size + ph.skip + n) * pw.size + pw.skip) * pc;
      for (let j = 0; j < pw.count; j++) {
        let d = (row + (pw.first + j) * g.strideW + pw.r - g.padLeft) * c;
        if (multiplier > 1)
          for (let ci = 0; ci < c; ci++, d++) {
            let sum = 0;
            for (let mi = 0; mi < multiplier; mi++) sum += part[s++]!;
            dx[d] = sum;
          }
        else if (c >= 16) {
          dx.set(part.subarray(s, s + c), d);
          s += c;
        } else for (let ci = 0; ci < c; ci++) dx[d++] = part[s++]!;
      }
    }
}

/**
 * col2im for output rows `q0 <= q < q1` (q = b * outH + oh): `cols` is
 * [(q1 - q0) * outW, kH * kW * inC] = dy[q0..q1) x W^T, and each of its rows
 * holds what the taps of one output position send back to the input;
 * dx[b, ih, iw, ci] += cols[(q - q0) * outW + ow, (kh * kW + kw) * inC + ci].
 */
export function col2imAdd(
  cols: Float32Array,
  g: Conv2DGeometry,
  q0: number,
  q1: number,
  dx: Float32Array,
): void {
  const inC = g.inC;
  const k = g.kH * g.kW * inC;
  for (let q = q0; q < q1; q++) {
    const b = Math.floor(q / g.outH);
    const oh = q - b * g.outH;
    const khLo = Math.max(0, Math.ceil((g.padTop - oh * g.strideH) / g.dilationH));
    const khHi = Math.min(
      g.kH,
      Math.floor((g.inH - 1 + g.padTop - oh * g.strideH) / g.dilationH) + 1,
    );
    for (let ow = 0; ow < g.outW; ow++) {
      const iw0 = ow * g.strideW - g.padLeft;
      const kwLo = Math.max(0, Math.ceil(-iw0 / g.dilationW));
      const kwHi = Math.min(g.kW, Math.floor((g.inW - 1 - iw0) / g.dilationW) + 1);
      if (kwHi <= kwLo) continue;
      const row = ((q - q0) * g.outW + ow) * k;
      for (let kh = khLo; kh < khHi; kh++) {
        const ih = oh * g.strideH + kh * g.dilationH - g.padTop;
        let d = ((b * g.inH + ih) * g.inW + iw0 + kwLo * g.dilationW) * inC;
        let s = row + (kh * g.kW + kwLo) * inC;
        const dStep = (g.dilationW - 1) * inC;
        for (let kw = kwLo; kw < kwHi; kw++, d += dStep)
          for (let ci = 0; ci < inC; ci++, d++, s++) dx[d]! += cols[s]!;
      }
    }
  }
}
