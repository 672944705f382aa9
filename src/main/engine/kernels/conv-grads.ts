// Gradient kernels the wasm backend of tfjs 4.22 lacks (Conv2DBackpropFilter,
// DepthwiseConv2dNativeBackpropFilter / BackpropInput), as plain loops over
// NHWC float32 buffers. Correct for strides, every padding and dilation; the
// inner loops run over contiguous channels. Conv2DBackpropFilter normally runs
// as `im2colTransposed` followed by the backend's own matrix multiply (see
// register-wasm.ts); `conv2dFilterGrad` is its fallback.

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
