import { describe, expect, it } from 'vitest';
import { MAX_IMAGES_PER_REQUEST, type RunImages } from '../../../shared/api.ts';
import { loadedClassNames, loadImages, peekImages } from './image-loader.ts';
import type { RunInspector } from './types.ts';

/** An inspector whose image i is 2×2 grey, every byte i % 256; records each call. */
function fakeInspector(fail?: (indices: number[]) => string | null) {
  const calls: number[][] = [];
  const inspector: RunInspector = {
    images: async (indices) => {
      calls.push(indices);
      const message = fail?.(indices);
      if (message) throw new Error(message);
      const reply: RunImages = {
        width: 2,
        height: 2,
        channels: 1,
        classNames: ['a', 'b'],
        images: indices.map((index) => ({
          index,
          label: index % 2,
          pixels: btoa(String.fromCharCode(...new Array<number>(4).fill(index % 256))),
        })),
      };
      return reply;
    },
    featureMaps: () => Promise.reject(new Error('not used')),
  };
  return { inspector, calls };
}

describe('loadImages', () => {
  it('asks in batches of at most MAX_IMAGES_PER_REQUEST and decodes the pixels', async () => {
    const { inspector, calls } = fakeInspector();
    const indices = Array.from({ length: 450 }, (_, i) => i);
    const images = await loadImages(inspector, indices);
    expect(calls.map((c) => c.length)).toEqual([
      MAX_IMAGES_PER_REQUEST,
      MAX_IMAGES_PER_REQUEST,
      450 - 2 * MAX_IMAGES_PER_REQUEST,
    ]);
    expect(images.size).toBe(450);
    expect(images.get(7)).toMatchObject({ index: 7, label: 1, width: 2, height: 2, channels: 1 });
    expect(Array.from(images.get(7)!.pixels)).toEqual([7, 7, 7, 7]);
    expect(loadedClassNames(inspector)).toEqual(['a', 'b']);
  });

  it('fetches only what it has not loaded yet, once per index', async () => {
    const { inspector, calls } = fakeInspector();
    expect(peekImages(inspector, [1, 2])).toBeNull();
    await loadImages(inspector, [1, 2, 2]);
    expect(peekImages(inspector, [2, 1])!.map((i) => i.index)).toEqual([2, 1]);
    await loadImages(inspector, [2, 3, 1]);
    expect(calls).toEqual([[1, 2], [3]]);
    await loadImages(inspector, [3]);
    expect(calls).toHaveLength(2);
  });

  it("rejects with the inspector's error and keeps nothing of the failed batch", async () => {
    let broken = true;
    const { inspector, calls } = fakeInspector(() =>
      broken ? 'The dataset is not on disk.' : null,
    );
    await expect(loadImages(inspector, [5])).rejects.toThrow('The dataset is not on disk.');
    expect(peekImages(inspector, [5])).toBeNull();
    broken = false;
    expect((await loadImages(inspector, [5])).has(5)).toBe(true);
    expect(calls).toEqual([[5], [5]]);
  });

  it('keeps each inspector (run) apart', async () => {
    const a = fakeInspector();
    const b = fakeInspector();
    await loadImages(a.inspector, [1]);
    expect(peekImages(b.inspector, [1])).toBeNull();
  });
});
