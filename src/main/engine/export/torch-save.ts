// torch.save's file format, written without Python, so exporting to PyTorch works on machines
// that have none. A .pt file (PyTorch >= 1.6) is a zip archive, entries stored uncompressed in
// one folder: data.pkl (the object, pickle protocol 2, tensors as persistent ids naming
// storages), data/<key> (each storage's raw little-endian bytes), version ("3") and byteorder.
// This writes a state_dict: an OrderedDict of name -> tensor, which torch.load reads on
// PyTorch 1.13 and 2.x, with weights_only=True too (only allow-listed globals are named).

export interface TensorRecord {
  name: string;
  shape: number[];
  data: Float32Array | BigInt64Array;
}

/** The bytes of a .pt file holding an OrderedDict of `tensors`, in order. */
export function torchSave(tensors: TensorRecord[], archive = 'archive'): Uint8Array {
  const zip = new ZipWriter();
  zip.add(`${archive}/data.pkl`, pickleStateDict(tensors));
  zip.add(`${archive}/byteorder`, new TextEncoder().encode('little'));
  tensors.forEach((t, i) => zip.add(`${archive}/data/${i}`, littleEndianBytes(t.data)));
  zip.add(`${archive}/version`, new TextEncoder().encode('3\n'));
  return zip.finish();
}

const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function littleEndianBytes(data: Float32Array | BigInt64Array): Uint8Array {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (LITTLE) return bytes;
  const out = new Uint8Array(bytes.length);
  const width = data.BYTES_PER_ELEMENT;
  for (let i = 0; i < bytes.length; i += width)
    for (let b = 0; b < width; b++) out[i + b] = bytes[i + width - 1 - b]!;
  return out;
}

/** Pickle protocol 2, just the opcodes a state_dict needs, without a memo. */
class Pickler {
  private chunks: number[] = [];
  op(...codes: number[]): this {
    this.chunks.push(...codes);
    return this;
  }
  global(module: string, name: string): this {
    return this.op(0x63).raw(`${module}\n${name}\n`); // GLOBAL
  }
  str(s: string): this {
    const b = new TextEncoder().encode(s);
    return this.op(0x58, ...u32(b.length)).bytes(b); // BINUNICODE
  }
  int(n: number): this {
    if (n >= 0 && n < 256) return this.op(0x4b, n); // BININT1
    if (n >= 0 && n < 65536) return this.op(0x4d, n & 0xff, n >> 8); // BININT2
    if (n >= -(2 ** 31) && n < 2 ** 31) return this.op(0x4a, ...u32(n >>> 0)); // BININT
    // A tensor that large would not fit the zip's 4 GB anyway.
    throw new Error(`${n} is beyond the integers this pickler writes`);
  }
  tuple(items: number[]): this {
    if (items.length === 0) return this.op(0x29); // EMPTY_TUPLE
    if (items.length > 3) this.op(0x28); // MARK
    for (const i of items) this.int(i);
    return this.op(items.length <= 3 ? 0x84 + items.length : 0x74); // TUPLE1..3 or TUPLE
  }
  private raw(s: string): this {
    return this.bytes(new TextEncoder().encode(s));
  }
  private bytes(b: Uint8Array): this {
    for (const x of b) this.chunks.push(x);
    return this;
  }
  done(): Uint8Array {
    return Uint8Array.from(this.chunks);
  }
}

const u32 = (n: number): number[] => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24];

const rowMajorStrides = (shape: number[]): number[] =>
  shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));

function pickleStateDict(tensors: TensorRecord[]): Uint8Array {
  const p = new Pickler();
  p.op(0x80, 2); // PROTO 2
  p.global('collections', 'OrderedDict').op(0x29, 0x52); // OrderedDict()
  p.op(0x28); // MARK: the items
  tensors.forEach((t, i) => {
    const numel = t.shape.reduce((a, b) => a * b, 1);
    if (numel !== t.data.length)
      throw new Error(`${t.name}: ${t.data.length} values for shape [${t.shape.join(', ')}]`);
    p.str(t.name);
    // torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks)
    p.global('torch._utils', '_rebuild_tensor_v2').op(0x28);
    p.op(0x28).str('storage');
    p.global('torch', t.data instanceof Float32Array ? 'FloatStorage' : 'LongStorage');
    p.str(String(i)).str('cpu').int(numel).op(0x74); // the persistent id tuple
    p.op(0x51); // BINPERSID
    p.int(0).tuple(t.shape).tuple(rowMajorStrides(t.shape));
    p.op(0x89); // requires_grad False
    p.global('collections', 'OrderedDict').op(0x29, 0x52); // backward hooks
    p.op(0x74, 0x52); // TUPLE, REDUCE
  });
  p.op(0x75, 0x2e); // SETITEMS, STOP
  return p.done();
}

/** Stored (uncompressed) zip entries, data aligned to 64 bytes as PyTorch aligns them. */
class ZipWriter {
  private parts: Uint8Array[] = [];
  private offset = 0;
  private central: Uint8Array[] = [];
  private count = 0;

  add(name: string, data: Uint8Array): void {
    const nameBytes = new TextEncoder().encode(name);
    const headerEnd = this.offset + 30 + nameBytes.length;
    // An extra field (id "FB", PyTorch's) pads the header so the data starts 64-aligned.
    const pad = (64 - ((headerEnd + 4) % 64)) % 64;
    const extra = new Uint8Array(4 + pad);
    extra.set([0x46, 0x42, pad & 0xff, pad >> 8]);
    if (data.length > 0xfffffffe || this.offset > 0xfffffffe)
      throw new Error('The weights exceed 4 GB, which this writer does not support (zip64).');
    const crc = crc32(data);
    const local = new DataView(new ArrayBuffer(30));
    local.setUint32(0, 0x04034b50, true);
    local.setUint16(4, 20, true); // version needed
    local.setUint16(8, 0, true); // stored
    local.setUint16(12, 0x21, true); // 1980-01-01
    local.setUint32(14, crc, true);
    local.setUint32(18, data.length, true);
    local.setUint32(22, data.length, true);
    local.setUint16(26, nameBytes.length, true);
    local.setUint16(28, extra.length, true);
    const c = new DataView(new ArrayBuffer(46));
    c.setUint32(0, 0x02014b50, true);
    c.setUint16(4, 20, true);
    c.setUint16(6, 20, true);
    c.setUint16(14, 0x21, true);
    c.setUint32(16, crc, true);
    c.setUint32(20, data.length, true);
    c.setUint32(24, data.length, true);
    c.setUint16(28, nameBytes.length, true);
    c.setUint32(42, this.offset, true);
    this.central.push(new Uint8Array(c.buffer), nameBytes);
    this.parts.push(new Uint8Array(local.buffer), nameBytes, extra, data);
    this.offset += 30 + nameBytes.length + extra.length + data.length;
    this.count++;
  }

  finish(): Uint8Array {
    const size = this.central.reduce((a, b) => a + b.length, 0);
    const end = new DataView(new ArrayBuffer(22));
    end.setUint32(0, 0x06054b50, true);
    end.setUint16(8, this.count, true);
    end.setUint16(10, this.count, true);
    end.setUint32(12, size, true);
    end.setUint32(16, this.offset, true);
    const all = [...this.parts, ...this.central, new Uint8Array(end.buffer)];
    const out = new Uint8Array(all.reduce((a, b) => a + b.length, 0));
    let at = 0;
    for (const part of all) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  }
}

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

export function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
