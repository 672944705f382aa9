// Pure pixel helpers for the evaluation view: base64 -> bytes, and grey / RGB bytes (HWC) or
// one feature map (0..255) -> RGBA bytes for an ImageData. No DOM needed, so they run in Node.

/** Decodes base64 (as the engine sends image and feature-map bytes) into bytes. */
export function decodeBase64(base64: string): Uint8Array<ArrayBuffer> {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/**
 * RGBA bytes (opaque) for an image of `height` rows of `width` pixels with `channels` bytes
 * each, channels last: 1 is grey, 3 is RGB. Throws if the byte count does not match.
 */
export function toRgba(
  bytes: Uint8Array,
  width: number,
  height: number,
  channels: number,
): Uint8ClampedArray<ArrayBuffer> {
  if (channels !== 1 && channels !== 3)
    throw new Error(`images have 1 or 3 channels, not ${channels}`);
  const pixels = width * height;
  if (bytes.length !== pixels * channels)
    throw new Error(
      `expected ${pixels * channels} bytes for ${width}×${height}×${channels}, got ${bytes.length}`,
    );
  const out = new Uint8ClampedArray(pixels * 4);
  for (let i = 0, o = 0; i < pixels; i++, o += 4) {
    if (channels === 1) {
      const v = bytes[i]!;
      out[o] = v;
      out[o + 1] = v;
      out[o + 2] = v;
    } else {
      out[o] = bytes[i * 3]!;
      out[o + 1] = bytes[i * 3 + 1]!;
      out[o + 2] = bytes[i * 3 + 2]!;
    }
    out[o + 3] = 255;
  }
  return out;
}

/**
 * The `shown` maps of a feature-maps reply (channel-major: one height*width map after
 * another), as views into `bytes`. Throws if the byte count does not match.
 */
export function splitMaps(
  bytes: Uint8Array,
  shown: number,
  width: number,
  height: number,
): Uint8Array[] {
  const size = width * height;
  if (bytes.length !== shown * size)
    throw new Error(
      `expected ${shown * size} bytes for ${shown} maps of ${width}×${height}, got ${bytes.length}`,
    );
  const maps: Uint8Array[] = [];
  for (let c = 0; c < shown; c++) maps.push(bytes.subarray(c * size, (c + 1) * size));
  return maps;
}

/**
 * The on-screen width for an image `width`×`height` shown about `target` CSS pixels across:
 * a whole multiple of its size so pixels stay square and even, or `target` when it is larger.
 */
export function displayWidth(width: number, height: number, target: number): number {
  const side = Math.max(width, height, 1);
  if (side >= target) return Math.round((target * width) / side);
  return width * Math.max(1, Math.round(target / side));
}
