// Building an ONNX graph: nodes with typed attributes, float initializers and the tensors'
// layout. Inside the graph image tensors are NCHW, as ONNX's Conv and pooling want them; the
// graph's input and output keep the model's NHWC, with a Transpose at each end.
import { AttributeType, DataType, type Attribute, type Node, type Tensor } from './proto.ts';

/** One tensor of the graph. */
export interface Value {
  name: string;
  /**
   * True for a [batch, h, w, c] feature map held as NCHW; false for a tensor in the model's own
   * axis order (vectors, and anything not of rank 3 per sample).
   */
  nchw: boolean;
}

export type AttrValue = number | number[] | string | { float: number } | { floats: number[] };

/** Attribute values: integers as numbers, floats wrapped ({ float }) so the type is explicit. */
function attribute(name: string, v: AttrValue): Attribute {
  if (typeof v === 'string')
    return { name, type: AttributeType.STRING, s: new TextEncoder().encode(v) };
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new Error(`Attribute ${name}=${v} is not an integer.`);
    return { name, type: AttributeType.INT, i: v };
  }
  if (Array.isArray(v)) return { name, type: AttributeType.INTS, ints: v };
  if ('float' in v) return { name, type: AttributeType.FLOAT, f: v.float };
  return { name, type: AttributeType.FLOATS, floats: v.floats };
}

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** float32 values as raw_data bytes, which ONNX stores little-endian. */
function rawFloats(values: Float32Array): Uint8Array {
  if (littleEndian) return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const out = new DataView(new ArrayBuffer(values.length * 4));
  values.forEach((x, i) => out.setFloat32(i * 4, x, true));
  return new Uint8Array(out.buffer);
}

function rawInt64s(values: number[]): Uint8Array {
  const out = new DataView(new ArrayBuffer(values.length * 8));
  values.forEach((x, i) => out.setBigInt64(i * 8, BigInt(x), true));
  return new Uint8Array(out.buffer);
}

export class OnnxGraph {
  readonly nodes: Node[] = [];
  readonly initializers: Tensor[] = [];
  private readonly used = new Set<string>();

  /** `base`, or `base_2`, `base_3`... if taken: every tensor and node name is unique. */
  unique(base: string): string {
    let name = base;
    for (let n = 2; this.used.has(name); n++) name = `${base}_${n}`;
    this.used.add(name);
    return name;
  }

  /** Adds a node; returns its output's name (`out`, made unique). */
  op(opType: string, inputs: string[], out: string, attrs: Record<string, AttrValue> = {}): string {
    const output = this.unique(out);
    this.nodes.push({
      input: inputs,
      output: [output],
      name: output,
      opType,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return output;
  }

  /** A float initializer of shape `dims`; returns its name. */
  floats(name: string, dims: number[], values: Float32Array): string {
    const size = dims.reduce((a, b) => a * b, 1);
    if (size !== values.length)
      throw new Error(`Initializer ${name} has ${values.length} values for shape [${dims}].`);
    const unique = this.unique(name);
    this.initializers.push({
      name: unique,
      dims,
      dataType: DataType.FLOAT,
      rawData: rawFloats(values),
    });
    return unique;
  }

  /** An int64 initializer (shapes, axes); returns its name. */
  int64s(name: string, values: number[]): string {
    const unique = this.unique(name);
    this.initializers.push({
      name: unique,
      dims: [values.length],
      dataType: DataType.INT64,
      rawData: rawInt64s(values),
    });
    return unique;
  }

  /** NHWC -> NCHW for an image tensor. */
  toNchw(x: Value, name: string): Value {
    if (x.nchw) return x;
    return {
      name: this.op('Transpose', [x.name], `${name}_nchw`, { perm: [0, 3, 1, 2] }),
      nchw: true,
    };
  }

  /** NCHW -> NHWC, back to the model's own axis order. */
  toNhwc(x: Value, name: string): Value {
    if (!x.nchw) return x;
    return {
      name: this.op('Transpose', [x.name], `${name}_nhwc`, { perm: [0, 2, 3, 1] }),
      nchw: false,
    };
  }
}
