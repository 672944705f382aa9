import { describe, expect, it } from 'vitest';
import { decodeBase64, displayWidth, splitMaps, toRgba } from './pixels.ts';

const base64 = (bytes: number[]) => btoa(String.fromCharCode(...bytes));

describe('decodeBase64', () => {
  it('gives back the bytes, all 256 values', () => {
    const all = Array.from({ length: 256 }, (_, i) => i);
    expect(Array.from(decodeBase64(base64(all)))).toEqual(all);
  });

  it('handles padding and the empty string', () => {
    expect(Array.from(decodeBase64(base64([1])))).toEqual([1]);
    expect(Array.from(decodeBase64(base64([1, 2])))).toEqual([1, 2]);
    expect(decodeBase64('').length).toBe(0);
  });
});

describe('toRgba', () => {
  it('spreads grey bytes over R, G and B, opaque', () => {
    const rgba = toRgba(new Uint8Array([0, 128, 255, 7]), 2, 2, 1);
    expect(rgba).toBeInstanceOf(Uint8ClampedArray);
    expect(Array.from(rgba)).toEqual([
      0, 0, 0, 255, 128, 128, 128, 255, 255, 255, 255, 255, 7, 7, 7, 255,
    ]);
  });

  it('copies RGB bytes in HWC order, row by row', () => {
    // 2 wide, 1 high: a red pixel, then a blue one.
    const rgba = toRgba(new Uint8Array([255, 0, 0, 0, 0, 255]), 2, 1, 3);
    expect(Array.from(rgba)).toEqual([255, 0, 0, 255, 0, 0, 255, 255]);
  });

  it('rejects a byte count that does not match the shape, and other channel counts', () => {
    expect(() => toRgba(new Uint8Array(5), 2, 2, 1)).toThrow(/expected 4 bytes/);
    expect(() => toRgba(new Uint8Array(12), 2, 2, 1)).toThrow(/got 12/);
    expect(() => toRgba(new Uint8Array(8), 2, 2, 2)).toThrow(/1 or 3 channels/);
  });

  it('turns a 28×28 MNIST image into 28*28*4 bytes', () => {
    expect(toRgba(new Uint8Array(784), 28, 28, 1).length).toBe(3136);
  });
});

describe('splitMaps', () => {
  it('cuts channel-major bytes into one map per channel', () => {
    const maps = splitMaps(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]), 2, 2, 2);
    expect(maps.map((m) => Array.from(m))).toEqual([
      [1, 2, 3, 4],
      [5, 6, 7, 8],
    ]);
    // A single map becomes grey RGBA like an image.
    expect(Array.from(toRgba(maps[1]!, 2, 2, 1)).slice(0, 4)).toEqual([5, 5, 5, 255]);
  });

  it('rejects a byte count that does not match', () => {
    expect(() => splitMaps(new Uint8Array(7), 2, 2, 2)).toThrow(/expected 8 bytes/);
    expect(splitMaps(new Uint8Array(0), 0, 3, 3)).toEqual([]);
  });
});

describe('displayWidth', () => {
  it('scales small images up by a whole factor near the target', () => {
    expect(displayWidth(28, 28, 56)).toBe(56);
    expect(displayWidth(32, 32, 56)).toBe(64);
    expect(displayWidth(3, 3, 64)).toBe(63);
    expect(displayWidth(13, 13, 64)).toBe(65);
  });
  it('shrinks images larger than the target to it, keeping the aspect ratio', () => {
    expect(displayWidth(224, 224, 112)).toBe(112);
    expect(displayWidth(200, 100, 100)).toBe(100);
  });
});
